"""The import preview is the whole truth: how many rows it creates, updates, leaves
unchanged and refuses, the sources and countries it creates, each changed field with the
changed words highlighted, and nothing written that it did not show."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mss_tracker.tracker.admin.imports import highlighted
from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.import_jobs import ImportJob, ImportStatus
from mss_tracker.tracker.models import Country, DeploymentEvent, Source
from tests.test_import_csv import EVENT, EVENT_COLUMNS, csv_bytes, events_file

pytestmark = pytest.mark.django_db

IMPORT_EVENTS = reverse("admin:tracker_deploymentevent_import_csv")


def upload(client, data: bytes) -> tuple[ImportJob, str]:
    """Upload and preview (the test settings run tasks at once); the job and its page."""
    response = client.post(
        IMPORT_EVENTS, {"file": SimpleUploadedFile("events.csv", data, "text/csv")}
    )
    assert response.status_code == 302
    job = ImportJob.objects.latest("pk")
    return job, client.get(response["Location"]).content.decode()


def confirm(client, job: ImportJob) -> str:
    url = reverse("admin:tracker_importjob_change", args=[job.pk])
    client.post(url, {"action": "confirm"})
    return client.get(url).content.decode()


@pytest.fixture
def recorded(mission, record_event):
    """One Kenyan arrival, to be corrected by id."""
    return record_event(datetime.date(2024, 6, 25), "arrival", 200, notes="Landed at dawn.")


def _row_of(event: DeploymentEvent, **changes) -> dict:
    row = EVENT | {
        "date": event.date.isoformat(),
        "event": event.kind,
        "personnel": str(event.personnel),
        "source_publisher": event.source.publisher,
        "source_title": event.source.title,
        "source_url": event.source.url,
        "source_date": "",
        "notes": event.notes,
        "id": str(event.uuid),
    }
    return row | changes


def test_a_header_only_file_is_not_already_recorded(editor_client, mission):
    job, page = upload(editor_client, csv_bytes(EVENT_COLUMNS))
    job.refresh_from_db()
    assert job.status == ImportStatus.EMPTY
    assert "Already recorded" not in page
    assert "No data rows" in page
    assert "the file has no data rows (only the header)" in page
    assert "Confirm" not in page


def test_the_preview_counts_rows_to_create_update_leave_and_refuse(
    editor_client, recorded, mission
):
    data = csv_bytes(
        EVENT_COLUMNS,
        _row_of(recorded, notes="Landed at dusk."),  # line 2: an update
        _row_of(recorded, id="", notes="Landed at dawn.")
        | {"date": "2024-06-26", "personnel": "10"},  # line 3: new
    )
    job, page = upload(editor_client, data)
    assert job.status == ImportStatus.CHECKED
    assert "<strong>1</strong> row to create (line 3)" in page
    assert "<strong>1</strong> row to update: its id names a recorded record (line 2)" in page
    assert "<strong>0</strong> rows already recorded, left unchanged" in page
    assert "<strong>0</strong> rows refused" in page
    assert '<strong id="csv-to-write">2</strong> (created and updated)' in page


def test_refused_rows_are_counted_with_their_lines(editor_client, mission):
    data = events_file({}, {"personnel": "many"}, {"date": "2024-02-30"})
    _job, page = upload(editor_client, data)
    assert "Rows refused: <strong>2</strong> (lines 3–4)." in page


def test_updates_count_among_the_rows_written(editor_client, recorded, mission):
    data = csv_bytes(
        EVENT_COLUMNS,
        _row_of(recorded, notes="Landed at dusk."),
        _row_of(recorded, id="") | {"date": "2024-06-26", "personnel": "10"},
    )
    job, _page = upload(editor_client, data)
    page = confirm(editor_client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTED
    assert job.rows_written == 2
    assert "<strong>2</strong> rows written (1 created, 1 updated)" in page


def test_the_preview_lists_the_sources_and_countries_it_creates(editor_client, mission):
    data = events_file(
        {"source_publisher": "Centroamérica 360", "source_title": "", "source_url": ""},
        {"country_iso3": "JAM", "country": "Jamaica", "personnel_type": "military"},
    )
    sources, countries = Source.objects.count(), Country.objects.count()
    job, page = upload(editor_client, data)
    assert "2 new sources:" in page
    assert "<li>Centroamérica 360, 2024-06-25</li>" in page
    assert "<li>AP, “Kenyans land”, https://apnews.com/x, 2024-06-25</li>" in page
    assert "1 new country:" in page
    assert "<li>JAM (Jamaica)</li>" in page
    # Nothing is written by the preview…
    assert (Source.objects.count(), Country.objects.count()) == (sources, countries)
    # …and confirming writes exactly what it listed.
    confirm(editor_client, job)
    assert Source.objects.count() == sources + 2
    assert set(Country.objects.values_list("iso3", flat=True)) >= {"JAM"}
    assert Country.objects.count() == countries + 1


def test_the_preview_lists_recorded_sources_that_get_a_date(editor_client, source, mission):
    data = events_file(
        {
            "source_publisher": source.publisher,
            "source_title": source.title,
            "source_url": source.url,
            "source_date": "2024-06-20",
        }
    )
    _job, page = upload(editor_client, data)
    assert "1 recorded source given the published date of the file:" in page
    assert "UN News, “Briefing”, https://news.un.org/x, 2024-06-20" in page
    assert "new source" not in page


def test_the_command_names_new_sources_and_countries(mission):
    result = import_csv("events", events_file({"country_iso3": "JAM", "country": ""}), dry_run=True)
    assert "1 new source: AP, “Kenyans land”, https://apnews.com/x, 2024-06-25." in (
        result.summary()
    )
    assert "1 new country: JAM (Jamaica)." in result.summary()


def test_a_changed_note_is_highlighted_word_by_word(editor_client, recorded, mission):
    data = csv_bytes(EVENT_COLUMNS, _row_of(recorded, notes="Landed at dusk."))
    _job, page = upload(editor_client, data)
    assert '<span class="before">Landed at <del>dawn</del>.</span>' in page
    assert '<span class="after">Landed at <ins>dusk</ins>.</span>' in page


def test_highlighted_marks_only_what_differs():
    before, after = highlighted("200 officers, per UN", "230 officers, per UN (AP)")
    assert before == [("200", True), (" officers, per UN", False)]
    assert after == [("230", True), (" officers, per UN", False), (" (AP)", True)]
    assert highlighted("", "new") == ([], [("new", True)])
