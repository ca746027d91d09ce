"""Which HTTP methods a view answers."""

from collections.abc import Callable

from django.http import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe


def read_only[V: Callable[..., HttpResponseBase]](view: V) -> V:
    """GET and HEAD only; any other method (POST, OPTIONS, PUT…) gets 405 with `Allow`.

    Such a view changes nothing, so CSRF has nothing to protect there: exempting it lets
    a POST get the 405 that says what is wrong instead of CSRF's 403.
    """
    return csrf_exempt(require_safe(view))
