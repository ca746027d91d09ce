"""Hostile requests get the answer they should (400 naming the parameter, 404, 405), never
a 500: each case here was a 500 once, and runs on SQLite and PostgreSQL.
tests/test_fuzz.py then throws arbitrary text at every URL and parameter."""

from __future__ import annotations

import pytest


def assert_bad_parameter(response, parameter: str, *why: str) -> None:
    html = response.content.decode()
    assert response.status_code == 400, html[:500]
    assert f"Bad parameter <code>{parameter}</code>" in html
    for text in why:
        assert text in html


# Dates: one range for every date parameter ----------------------------------------------------

DATED_PAGES = [
    "/missions/gsf/",
    "/missions/gsf/chart.svg",
    "/missions/gsf/countries/KEN/",
    "/missions/gsf/countries/KEN/chart.svg",
    "/missions/gsf/events/",
    "/missions/gsf/export/summary.csv",
    "/missions/gsf/export/events.csv",
    "/",
]


@pytest.mark.parametrize("path", DATED_PAGES)
@pytest.mark.parametrize("as_of", ["9996-01-01", "9999-12-31", "2101-01-01", "1899-12-31"])
def test_a_date_outside_the_range_is_a_400_that_names_the_range(
    client, sample_missions, path, as_of
):
    response = client.get(path, {"as_of": as_of})

    assert_bad_parameter(response, "as_of", "1900-01-01 to 2100-12-31")


@pytest.mark.parametrize("path", DATED_PAGES)
@pytest.mark.parametrize("as_of", ["1900-01-01", "2100-12-31"])
def test_the_ends_of_the_range_are_drawn(client, sample_missions, path, as_of):
    assert client.get(path, {"as_of": as_of}).status_code == 200


@pytest.mark.parametrize("parameter", ["from", "to"])
def test_the_timeline_date_range_has_the_same_limits(client, sample_missions, parameter):
    response = client.get("/missions/mss/events/", {parameter: "2222-02-02"})

    assert_bad_parameter(response, parameter, "1900-01-01 to 2100-12-31")


@pytest.mark.parametrize(
    "as_of", ["2025-W01-4", "20250101", "2025-001", "２０２５-01-01", "2025-1-1", "2025-01-01T00"]
)
def test_only_yyyy_mm_dd_is_a_date(client, sample_missions, as_of):
    response = client.get("/missions/mss/", {"as_of": as_of})

    assert_bad_parameter(response, "as_of", "YYYY-MM-DD")


# Numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["²", "٣", "1" * 5000, "-1", "0", "1e3", "99999"])
def test_a_page_number_is_ascii_digits_within_the_pages(client, sample_missions, page):
    response = client.get("/missions/mss/events/", {"page": page})

    assert_bad_parameter(response, "page", "expected a page number from 1 to")


def test_the_superscript_two_from_the_report(client, sample_missions):
    response = client.get("/missions/mss/events/?page=%C2%B2")

    assert_bad_parameter(response, "page")


# NUL bytes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/missions/mss/events/?country=KE%00",
        "/missions/mss/export/events.csv?country=KE%00",
        "/missions/mss/export/pledges.csv?country=KEN%00",
        "/missions/mss/?as_of=2025-01-01%00",
        "/missions/mss/events/?kind=%00arrival",
    ],
)
def test_a_nul_byte_in_a_parameter_is_a_400_naming_it(client, sample_missions, url):
    parameter = url.split("?")[1].split("=")[0]

    assert_bad_parameter(client.get(url), parameter, "NUL")


def test_a_nul_byte_in_a_parameter_name_is_a_400(client, sample_missions):
    assert client.get("/missions/mss/?as%00of=1").status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/missions/mss/countries/KEN%00/",
        "/missions/ms%00s/",
        "/missions/mss/countries/%00/chart.svg",
    ],
)
def test_a_nul_byte_in_a_path_is_a_404(client, sample_missions, path):
    assert client.get(path).status_code == 404


# Methods ------------------------------------------------------------------------------------


def public_routes() -> list[str]:
    """Every public page, export, feed and probe, its arguments the sample's (the one form
    that takes a POST, the error report, left out)."""
    from django.urls import URLResolver, reverse

    from mss_tracker.dashboards import urls

    def routes(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from routes(pattern.url_patterns)
            elif pattern.name != "report-an-error":
                yield pattern

    sample = {"slug": "mss", "iso3": "KEN"}
    return [
        reverse(
            f"dashboards:{pattern.name}", kwargs={k: sample[k] for k in pattern.pattern.converters}
        )
        for pattern in routes(urls.urlpatterns)
    ]


READ_ONLY_URLS = public_routes()


def test_every_public_route_is_checked():
    assert {"/use-the-data/", "/healthz", "/missions/mss/changes/"} <= set(READ_ONLY_URLS)
    assert len(READ_ONLY_URLS) >= 25


@pytest.mark.parametrize("url", READ_ONLY_URLS)
@pytest.mark.parametrize("method", ["post", "options", "put", "delete", "patch"])
def test_only_get_and_head_are_answered(sample_missions, url, method):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as browsers meet it
    response = getattr(client, method)(url)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert not response.content


@pytest.mark.parametrize("url", READ_ONLY_URLS)
def test_head_is_answered_like_get(client, sample_missions, url):
    assert client.head(url).status_code == client.get(url).status_code in (200, 302)


@pytest.mark.parametrize(
    "url", ["/missions/mss/export/events.csv", "/missions/mss/export/summary.json", "/"]
)
def test_head_hands_the_server_no_body(sample_missions, url):
    """What a WSGI server (gunicorn) receives: the GET's headers and no body, which gunicorn
    would otherwise drop with a warning per request. (The test client drops it itself.)"""
    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections
    from django.test import RequestFactory

    started = []
    signals.request_started.disconnect(close_old_connections)  # the test's own transaction
    signals.request_finished.disconnect(close_old_connections)
    try:
        answer = WSGIHandler()(
            RequestFactory().head(url).environ, lambda status, headers: started.append(status)
        )
        body = b"".join(answer)
        answer.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)

    assert started == ["200 OK"]
    assert body == b""


# The admin, as an analyst ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/tracker/pledge/?country__iso3__exact=%00",
        "/admin/tracker/deploymentevent/?personnel_type__exact=%00",
        "/admin/tracker/deploymentevent/?q=%00",
        "/admin/autocomplete/?term=%00&app_label=tracker&model_name=pledge&field_name=country",
    ],
)
def test_a_nul_byte_in_an_admin_filter_search_or_autocomplete_is_a_400(
    analyst_client, sample_missions, url
):
    assert analyst_client.get(url).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/admin/tracker/country/%00/change/",
        "/admin/tracker/pledge/abc/history/",
        "/admin/tracker/pledge/99999999999999999999999/history/",
        "/admin/tracker/deploymentevent/abc/history/",
        "/admin/tracker/mission/-1/history/",
    ],
)
def test_an_admin_url_with_an_id_that_names_nothing_is_a_404(analyst_client, sample_missions, path):
    response = analyst_client.get(path, follow=True)

    assert response.status_code in (200, 404)  # the admin redirects a missing object home
    if response.status_code == 200:
        assert "doesn’t exist" in response.content.decode()


@pytest.mark.parametrize("version", ["abc", "1.5", "%00", "99999999999999999999999"])
def test_a_history_version_that_names_nothing_is_a_404(analyst_client, sample_missions, version):
    from mss_tracker.tracker.models import Pledge

    pledge = Pledge.objects.first()

    response = analyst_client.get(f"/admin/tracker/pledge/{pledge.pk}/history/{version}/")

    assert response.status_code == 404


# What the log says -------------------------------------------------------------------------


def test_a_wrong_host_header_is_one_line_in_the_log(client, db):
    import io
    import logging

    from django.conf import settings

    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    logger = logging.getLogger("django.security.DisallowedHost")
    logger.addHandler(handler)
    try:
        for host in ("evil.example", "evil.example\r\nInjected: yes"):
            assert client.get("/", headers={"Host": host}).status_code == 400
    finally:
        logger.removeHandler(handler)

    lines = written.getvalue().splitlines()
    assert len(lines) == 2
    assert "Invalid HTTP_HOST header: 'evil.example'" in lines[0]
    assert "Traceback" not in written.getvalue()
