from django.db import connection
from django.http import HttpRequest, HttpResponse


def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("MSS Tracker")


def mission(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse(slug)


def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def mission_chart(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError


def events(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError


def country(request: HttpRequest, slug: str, iso3: str) -> HttpResponse:
    raise NotImplementedError


def country_chart(request: HttpRequest, slug: str, iso3: str) -> HttpResponse:
    raise NotImplementedError
