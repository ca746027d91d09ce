"""Import CSV (upload, preview, confirm) and Export selected as CSV in the admin."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from mss_tracker.tracker.admin.csv_files import line_ranges
from mss_tracker.tracker.csv.spec import EVENT_COLUMNS, PLEDGE_COLUMNS
from mss_tracker.tracker.import_jobs import ImportJob
from mss_tracker.tracker.models import DeploymentEvent, Pledge, Source
from tests.test_import_csv import events_file, pledges_file

pytestmark = pytest.mark.django_db

IMPORT_EVENTS = reverse("admin:tracker_deploymentevent_import_csv")
IMPORT_PLEDGES = reverse("admin:tracker_pledge_import_csv")


def upload(client, url: str, data: bytes, name: str = "events.csv"):
    return client.post(url, {"file": SimpleUploadedFile(name, data, "text/csv")})


def test_the_change_lists_have_an_import_csv_button(editor_client):
    for name in ("deploymentevent", "pledge"):
        page = editor_client.get(reverse(f"admin:tracker_{name}_changelist")).content.decode()
        assert "Import CSV" in page
        assert reverse(f"admin:tracker_{name}_import_csv") in page


def test_a_user_who_may_not_add_sees_no_button_and_cannot_import(analyst_client, mission):
    page = analyst_client.get(reverse("admin:tracker_deploymentevent_changelist"))
    assert "Import CSV" not in page.content.decode()
    assert analyst_client.get(IMPORT_EVENTS).status_code == 403
    response = upload(analyst_client, IMPORT_EVENTS, events_file({}))
    assert response.status_code == 403
    assert not DeploymentEvent.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(IMPORT_EVENTS)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def job_page(client, response):
    """Follow the upload's redirect to the import's page (the task ran at once in tests)."""
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"])


def confirm(client, job: ImportJob):
    return client.post(job_url(job), {"action": "confirm"})


def job_url(job: ImportJob) -> str:
    return reverse("admin:tracker_importjob_change", args=[job.pk])


def test_upload_shows_a_preview_and_writes_nothing(editor_client, mission):
    DeploymentEvent.objects.create(
        mission=mission,
        country_id="KEN",
        personnel_type="police",
        date="2024-06-25",
        kind="arrival",
        personnel=200,
        source=Source.objects.create(
            publisher="AP", title="Kenyans land", url="https://apnews.com/x"
        ),
    )
    data = events_file(
        {"source_date": ""},
        {"date": "2024-07-16"},
        {"date": "2024-07-17"},
    )
    response = upload(editor_client, IMPORT_EVENTS, data)
    page = job_page(editor_client, response).content.decode()
    assert "Ready to confirm" in page
    assert "<strong>2</strong> rows to create (lines 3–4)" in page
    assert "<strong>1</strong> row already recorded, left unchanged" in page
    assert "Confirm: import 2 events" in page
    assert DeploymentEvent.objects.count() == 1


def test_the_upload_is_kept_in_the_database_for_every_server(editor_client, editor, mission):
    data = events_file({})
    upload(editor_client, IMPORT_EVENTS, data, name="kenya.csv")
    job = ImportJob.objects.get()
    assert (job.file_name, job.kind, job.user, job.size) == (
        "kenya.csv",
        "events",
        editor,
        len(data),
    )
    assert job.file_bytes() == data
    assert job.status == "checked"


def test_confirm_imports_exactly_the_previewed_file(editor_client, mission):
    upload(editor_client, IMPORT_EVENTS, events_file({}, {"date": "2024-07-16"}))
    job = ImportJob.objects.get()
    response = confirm(editor_client, job)
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    assert DeploymentEvent.objects.count() == 2
    page = editor_client.get(job_url(job)).content.decode()
    assert "<strong>2</strong> rows written (2 created, 0 updated)" in page
    job.refresh_from_db()
    assert (job.status, job.rows_written, bytes(job.data)) == ("imported", 2, b"")
    # Confirming again does nothing: the file was imported once.
    confirm(editor_client, job)
    assert DeploymentEvent.objects.count() == 2


def test_the_preview_lists_every_error_with_line_and_column(editor_client, mission):
    data = events_file({"country_iso3": "ZZZ"}, {"personnel": "lots"})
    page = job_page(editor_client, upload(editor_client, IMPORT_EVENTS, data)).content.decode()
    assert "2 errors: nothing will be written" in page
    assert "<td>2</td><td>country_iso3</td>" in page
    assert "<td>3</td><td>personnel</td>" in page
    assert "Confirm" not in page
    assert ImportJob.objects.get().status == "invalid"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (events_file({}).decode().replace("é", "e").encode("utf-16"), "not UTF-8"),
        (b"date,personnel\r\n2024-01-01,3\r\n", "missing columns"),
    ],
)
def test_a_bad_file_is_explained_in_the_preview(editor_client, mission, data, expected):
    page = job_page(editor_client, upload(editor_client, IMPORT_EVENTS, data)).content.decode()
    assert expected in page
    assert not DeploymentEvent.objects.exists()


def test_an_empty_file_is_refused_by_the_form(editor_client, mission):
    page = upload(editor_client, IMPORT_EVENTS, b"").content.decode()
    assert "The submitted file is empty." in page
    assert not ImportJob.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(editor_client, mission, settings):
    settings.CSV_IMPORT_MAX_BYTES = 1024
    data = events_file(*[{"date": f"2024-07-{day:02}"} for day in range(1, 29)])
    page = upload(editor_client, IMPORT_EVENTS, data).content.decode()
    assert "over the limit of" in page
    assert "CSV_IMPORT_MAX_BYTES" in page
    assert not ImportJob.objects.exists()


def test_the_upload_form_checks_type_and_size_in_the_browser(editor_client, settings):
    settings.CSV_IMPORT_MAX_BYTES = 2048
    page = editor_client.get(IMPORT_EVENTS).content.decode()
    assert 'accept=".csv,text/csv"' in page
    assert 'data-max-bytes="2048"' in page
    assert "js/csv_upload.js" in page


def test_only_the_uploader_may_confirm_or_cancel(editor_client, mission, db):
    from django.contrib.auth.models import Group, User

    upload(editor_client, IMPORT_EVENTS, events_file({}))
    job = ImportJob.objects.get()
    other = User.objects.create_user("other", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(other)
    page = client.get(job_url(job)).content.decode()
    assert "Ready to confirm" in page  # may look (the Imports list is shared)
    assert "Confirm: import" not in page
    assert confirm(client, job).status_code == 403
    assert client.post(job_url(job), {"action": "cancel"}).status_code == 403
    assert not DeploymentEvent.objects.exists()


def test_pledges_import_through_the_admin(editor_client, mission):
    upload(editor_client, IMPORT_PLEDGES, pledges_file({}), "pledges.csv")
    confirm(editor_client, ImportJob.objects.get())
    assert Pledge.objects.get().personnel == 1000


def test_export_selected_as_csv(editor_client, mission):
    from mss_tracker.tracker.csv.importing import import_csv

    assert import_csv("events", events_file({}, {"date": "2024-07-16", "notes": "=1+1"})).ok
    assert import_csv("pledges", pledges_file({})).ok
    assert (DeploymentEvent.objects.count(), Pledge.objects.count()) == (2, 1)
    for name, columns in [("deploymentevent", EVENT_COLUMNS), ("pledge", PLEDGE_COLUMNS)]:
        model = DeploymentEvent if name == "deploymentevent" else Pledge
        response = editor_client.post(
            reverse(f"admin:tracker_{name}_changelist"),
            {
                "action": "export_selected_as_csv",
                "_selected_action": [str(pk) for pk in model.objects.values_list("pk", flat=True)],
            },
        )
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "-selected-" in response["Content-Disposition"]
        text = b"".join(response.streaming_content).decode()
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows[0] == columns
        assert len(rows) == 1 + model.objects.count()
        if model is DeploymentEvent:
            assert rows[-1][columns.index("notes")] == "'=1+1"  # formula-safe, like every export


def test_line_ranges():
    assert line_ranges([2, 3, 4, 9, 11, 12]) == "2–4, 9, 11–12"
