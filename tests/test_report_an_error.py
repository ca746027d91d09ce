"""/missions/<slug>/report-an-error/: a reader reports an error; the staff's queue."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.test.utils import override_settings

from mss_tracker.tracker.models import DeploymentEvent, ErrorReport, ErrorReportStatus
from mss_tracker.tracker.models.reports import MESSAGE_MAX_LENGTH, REPORTS_PER_HOUR

URL = "/missions/mss/report-an-error/"
VALID = {
    "message": "The UN briefing of 3 Oct says 391 police, not 382.",
    "source_url": "https://press.un.org/en/2025/sc1234.doc.htm",
    "email": "reader@example.org",
}


@pytest.fixture
def event(record_event):
    return record_event(datetime.date(2024, 6, 25), "arrival", 200)


def test_anyone_may_send_a_report_without_an_account(client, mission, event):
    response = client.get(f"{URL}?id={event.uuid}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{event.uuid}"' in html  # the record's id is filled in
    assert "Arrival" in html and "200" in html  # the record is named
    response = client.post(URL, {**VALID, "id": str(event.uuid)})
    assert response.status_code == 302 and response["Location"] == f"{URL}?sent=1"
    report = ErrorReport.objects.get()
    assert (report.mission, report.record_id, report.status) == (
        mission,
        event.uuid,
        ErrorReportStatus.NEW,
    )
    assert report.message == VALID["message"] and report.email == VALID["email"]
    assert "your report has reached the staff" in client.get(f"{URL}?sent=1").content.decode()


def test_the_page_is_never_cached(client, mission):
    response = client.get(URL)
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


@override_settings(DASHBOARD_CACHE_SECONDS=3600)
def test_the_page_cache_never_serves_it(mission, event):
    """A cached copy would carry another reader's (or a throwaway) CSRF token."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(URL)
    second.get(URL)
    token = second.cookies["csrftoken"].value
    response = second.post(URL, {**VALID, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_it_is_csrf_protected(mission):
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, VALID).status_code == 403
    assert not ErrorReport.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("message", ""),
        ("message", "x" * (MESSAGE_MAX_LENGTH + 1)),
        ("message", "bell\x07"),
        ("message", "escape\x1b[0m"),
        ("message", "c1\x85 in the middle"),
        ("source_url", ""),
        ("source_url", "ftp://example.org/file"),
        ("source_url", "javascript:alert(1)"),
        ("source_url", "not a url"),
        ("source_url", "https://example.org/\x00"),
        ("source_url", "https://example.org/" + "a" * 2000),
        ("email", "not an email"),
        ("email", "a@example.org\r\nBcc: x@example.org"),
        ("id", "not-a-uuid"),
        ("id", "00000000-0000-0000-0000-000000000000"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(client, mission, field, value):
    response = client.post(URL, {**VALID, field: value})
    assert response.status_code == 200
    assert not ErrorReport.objects.exists()
    assert "The report was not sent" in response.content.decode()


def test_a_message_may_have_lines_and_tabs(client, mission):
    response = client.post(URL, {**VALID, "message": "line one\r\nline\ttwo"})
    assert response.status_code == 302


def test_a_record_of_another_mission_is_refused(client, sample_missions):
    gsf_event = DeploymentEvent.objects.filter(mission__slug="gsf").first()
    response = client.post("/missions/mss/report-an-error/", {**VALID, "id": str(gsf_event.uuid)})
    assert response.status_code == 200 and not ErrorReport.objects.exists()


def test_a_bad_id_in_the_link_is_a_400_naming_it(client, mission):
    response = client.get(f"{URL}?id=nonsense")
    assert response.status_code == 400
    assert "<code>id</code>" in response.content.decode()


def test_it_is_throttled_per_client_address(client, mission):
    for _ in range(REPORTS_PER_HOUR):
        assert client.post(URL, VALID).status_code == 302
    response = client.post(URL, VALID)
    assert response.status_code == 429
    assert "Please try again in an hour" in response.content.decode()
    assert ErrorReport.objects.count() == REPORTS_PER_HOUR
    # Another address is not held back.
    other = client.post(URL, VALID, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302


def test_the_address_is_not_kept(client, mission):
    client.post(URL, VALID, REMOTE_ADDR="198.51.100.23")
    report = ErrorReport.objects.get()
    assert "198.51.100.23" not in report.client_key


def test_a_report_is_shown_to_no_reader(client, mission, event, record_pledge):
    client.post(URL, {**VALID, "id": str(event.uuid), "message": "SECRET-REPORT-TEXT"})
    for url in [
        "/missions/mss/",
        "/missions/mss/countries/KEN/",
        "/missions/mss/events/",
        URL,
        f"{URL}?sent=1",
        f"{URL}?id={event.uuid}",
    ]:
        assert "SECRET-REPORT-TEXT" not in client.get(url).content.decode(), url
    assert "SECRET-REPORT-TEXT" not in Client().get(URL).content.decode()


def test_it_speaks_french_and_creole(client, mission):
    assert "Signaler une erreur" in client.get(f"/fr{URL}").content.decode()
    assert client.get(f"/ht{URL}").status_code == 200


def test_each_event_row_and_country_page_links_to_it_with_the_id(client, mission, event):
    html = client.get("/missions/mss/countries/KEN/").content.decode()
    assert f"/missions/mss/report-an-error/?id={event.uuid}" in html
    html = client.get("/missions/mss/events/").content.decode()
    assert f"/missions/mss/report-an-error/?id={event.uuid}" in html


# The staff's queue ------------------------------------------------------------------------


@pytest.fixture
def report(client, mission, event) -> ErrorReport:
    client.post(URL, {**VALID, "id": str(event.uuid)})
    return ErrorReport.objects.get()


def test_editors_see_the_queue_with_the_record_and_the_source(editor_client, report, event):
    html = editor_client.get("/admin/tracker/errorreport/").content.decode()
    assert VALID["source_url"] in html
    assert f"/admin/tracker/deploymentevent/{event.pk}/change/?error_report={report.pk}" in html


def test_the_admin_index_counts_the_new_reports(editor_client, report):
    html = editor_client.get("/admin/").content.decode()
    assert "1 new error report from readers" in html
    assert "/admin/tracker/errorreport/?status__exact=new" in html


def test_analysts_see_nothing_of_them(analyst_client, report):
    assert "error report" not in analyst_client.get("/admin/").content.decode().lower()
    assert analyst_client.get("/admin/tracker/errorreport/").status_code == 403
    assert analyst_client.get(f"/admin/tracker/errorreport/{report.pk}/change/").status_code == 403


def test_the_record_opens_with_the_source_prefilled(editor_client, report, event):
    response = editor_client.get(
        f"/admin/tracker/deploymentevent/{event.pk}/change/?error_report={report.pk}"
    )
    html = response.content.decode()
    assert f"Error report {report.pk}, source: {VALID['source_url']}" in html  # the reason
    assert VALID["message"] in html
    assert "/admin/tracker/source/add/?url=https%3A%2F%2Fpress.un.org" in html


def test_closing_needs_a_reason_recorded_in_history(editor_client, report, editor):
    url = f"/admin/tracker/errorreport/{report.pk}/change/"
    refused = editor_client.post(url, {"status": "accepted", "change_reason": ""})
    assert refused.status_code == 200  # the form again, asking why
    report.refresh_from_db()
    assert report.status == "new"
    response = editor_client.post(
        url, {"status": "accepted", "change_reason": "Corrected to 391 per the UN."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "accepted" and report.closed_at is not None
    latest = report.history.latest()
    assert latest.history_change_reason == "Accepted: Corrected to 391 per the UN."
    assert latest.history_user == editor


def test_nobody_adds_or_deletes_reports_in_the_admin(editor_client, report):
    assert editor_client.get("/admin/tracker/errorreport/add/").status_code == 403
    assert editor_client.get(f"/admin/tracker/errorreport/{report.pk}/delete/").status_code == 403
