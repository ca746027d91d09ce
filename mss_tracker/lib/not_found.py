"""The site's own 404 page, with DEBUG on too.

Django's DEBUG 404 page lists every URL pattern: a developer's tool, not what a visitor of
the demo (`manage.py demo`, DEBUG on) should see. Production (DEBUG off) renders
templates/404.html by itself.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.defaults import page_not_found


class SiteNotFoundPageMiddleware:
    """With DEBUG on (the demo), answer a 404 with the site's own page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return page_not_found(request, Http404(request.path))
        return response
