"""CSV exports (placeholder routes until the CSV issue lands)."""

from django.http import HttpRequest, HttpResponse


def missions_csv(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def summary_csv(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError


def events_csv(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError


def pledges_csv(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError
