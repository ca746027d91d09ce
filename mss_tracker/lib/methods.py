"""Which HTTP methods a view answers."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe


def read_only[V: Callable[..., HttpResponseBase]](view: V) -> V:
    """GET and HEAD only; any other method (POST, OPTIONS, PUT…) gets 405 with `Allow`.

    Such a view changes nothing, so CSRF has nothing to protect there: exempting it lets
    a POST get the 405 that says what is wrong instead of CSRF's 403.
    """
    return csrf_exempt(require_safe(view))


class HeadWithoutBodyMiddleware:
    """A HEAD request gets the GET's status and headers (its Content-Length included) and
    no body. Django computes the body all the same and leaves dropping it to the server,
    which gunicorn does with a warning per request; a streamed export's iterator is closed
    unread (Django closes it with the response), so its query stops."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                response.streaming_content = []  # type: ignore[attr-defined]
            else:
                response.content = b""  # type: ignore[attr-defined]
        return response
