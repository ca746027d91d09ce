from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mss_tracker.dashboards.filters import BadParameter


class BadParameterMiddleware:
    """Answer a bad query parameter with a 400 page that names it and what it accepts."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BadParameter):
            return None
        return render(request, "400_parameter.html", {"error": exception}, status=400)
