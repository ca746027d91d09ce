"""The Imports list and an import's page: progress, cancel, expiry, polling."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mss_tracker.tracker import import_jobs, tasks
from mss_tracker.tracker.import_jobs import ImportJob
from mss_tracker.tracker.models import DeploymentEvent
from tests.test_import_csv import events_file

pytestmark = pytest.mark.django_db

IMPORT_EVENTS = reverse("admin:tracker_deploymentevent_import_csv")
IMPORTS = reverse("admin:tracker_importjob_changelist")
QUEUE_ONLY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def job_url(job: ImportJob) -> str:
    return reverse("admin:tracker_importjob_change", args=[job.pk])


def upload(client, data: bytes, name: str = "events.csv"):
    return client.post(IMPORT_EVENTS, {"file": SimpleUploadedFile(name, data, "text/csv")})


def rows(count: int) -> bytes:
    start = datetime.date(2024, 6, 25)
    return events_file(
        *[{"date": (start + datetime.timedelta(days=day)).isoformat()} for day in range(count)]
    )


@pytest.fixture
def queued(settings, editor_client, mission) -> ImportJob:
    """An upload waiting for the worker (tasks are stored, not run)."""
    settings.TASKS = QUEUE_ONLY
    response = upload(editor_client, rows(3))
    job = ImportJob.objects.get()
    assert response["Location"] == job_url(job)
    return job


def test_the_upload_returns_at_once_to_a_page_that_waits_for_the_worker(editor_client, queued):
    page = editor_client.get(job_url(queued)).content.decode()

    assert "Checking" in page
    assert "Waiting for the task worker" in page
    assert "manage.py db_worker" in page
    # It refreshes itself: with HTMX every second, without JavaScript by a meta refresh.
    assert 'hx-trigger="every 1s"' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert not DeploymentEvent.objects.exists()


def test_htmx_polling_gets_only_the_job_and_stops_when_it_is_done(editor_client, queued):
    polled = editor_client.get(job_url(queued), headers={"HX-Request": "true"})
    fragment = polled.content.decode()
    assert fragment.lstrip().startswith('<section id="import-job"')
    assert "<html" not in fragment
    assert "HX-Request" in polled["Vary"]

    tasks.preview_import.call(queued.pk)
    fragment = editor_client.get(job_url(queued), headers={"HX-Request": "true"}).content.decode()
    assert "Ready to confirm" in fragment
    assert "hx-trigger" not in fragment
    assert "Confirm: import 3 events" in fragment


def test_the_worker_reports_rows_checked_and_written_as_it_goes(queued, monkeypatch):
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 0)
    seen: list[tuple[int, int]] = []
    written: list[int] = []
    original = tasks.JobProgress.report

    def report(self, **counts):
        original(self, **counts)
        if "rows_written" in counts:
            # Reported in the middle of the COPY: the default connection is busy sending
            # rows (a query on it would wait forever on PostgreSQL), so record the report.
            written.append(counts["rows_written"])
            return
        # As the progress page reads it (on SQLite, from the side file: job_progress.py).
        job = import_jobs.overlay(ImportJob.objects.get(pk=self.job_id))
        seen.append((job.rows_checked, job.rows_written))

    monkeypatch.setattr(tasks.JobProgress, "report", report)
    tasks.preview_import.call(queued.pk)
    assert seen[:3] == [(1, 0), (2, 0), (3, 0)]

    ImportJob.objects.filter(pk=queued.pk).update(status="importing")
    tasks.run_import.call(queued.pk)
    job = ImportJob.objects.get(pk=queued.pk)
    assert (job.status, job.rows_written, job.error_count) == ("imported", 3, 0)
    assert written and max(written) == 3
    assert DeploymentEvent.objects.count() == 3


def test_a_preview_can_be_cancelled_and_then_never_runs_or_imports(editor_client, queued):
    response = editor_client.post(job_url(queued), {"action": "cancel"})
    assert response.status_code == 302

    assert tasks.preview_import.call(queued.pk) == "not waiting for a preview"
    page = editor_client.get(job_url(queued)).content.decode()
    assert "Cancelled" in page and "nothing was written" in page
    assert editor_client.post(job_url(queued), {"action": "confirm"}).status_code == 302
    queued.refresh_from_db()
    assert (queued.status, bytes(queued.data)) == ("cancelled", b"")
    assert not DeploymentEvent.objects.exists()


def test_a_preview_cancelled_while_it_is_checked_stops(queued, monkeypatch):
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 0)
    original = tasks.JobProgress.report

    def cancel_then_report(self, **counts):
        ImportJob.objects.filter(pk=self.job_id).update(status="cancelled")
        original(self, **counts)

    monkeypatch.setattr(tasks.JobProgress, "report", cancel_then_report)
    assert tasks.preview_import.call(queued.pk) == "cancelled"
    assert ImportJob.objects.get(pk=queued.pk).status == "cancelled"


def test_a_preview_expires_after_a_day(editor_client, mission):
    upload(editor_client, rows(2))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1, minutes=1)
    )

    page = editor_client.get(job_url(job)).content.decode()
    assert "Confirm: import" not in page
    editor_client.post(job_url(job), {"action": "confirm"})
    assert not DeploymentEvent.objects.exists()

    editor_client.get(IMPORTS)  # the list expires what has gone stale
    job.refresh_from_db()
    assert (job.status, bytes(job.data)) == ("expired", b"")
    assert "has expired" in editor_client.get(job_url(job)).content.decode()


def test_the_imports_list_says_who_what_when_status_and_counts(editor_client, mission):
    upload(editor_client, rows(4), name="kenya-july.csv")
    job = ImportJob.objects.get()
    editor_client.post(job_url(job), {"action": "confirm"})
    upload(editor_client, events_file({"personnel": "lots"}), name="broken.csv")

    page = editor_client.get(IMPORTS).content.decode()
    assert "kenya-july.csv" in page and "broken.csv" in page
    assert "Imported" in page and "Errors found" in page
    assert "editor" in page
    assert job_url(job) in page  # each row links to its preview or result
    assert '<td class="field-rows_written">4</td>' in page


def test_an_import_that_meets_an_error_at_confirmation_writes_nothing(editor_client, mission):
    upload(editor_client, rows(1), name="arrival.csv")
    editor_client.post(job_url(ImportJob.objects.get()), {"action": "confirm"})
    departures = events_file(
        {"date": "2024-07-01", "event": "departure", "personnel": "150"},
        {"date": "2024-07-02", "event": "departure", "personnel": "50"},
    )
    upload(editor_client, departures, name="departures.csv")
    job = ImportJob.objects.get(file_name="departures.csv")
    assert job.status == "checked"
    # Meanwhile the arrival is deleted: the departures would drive the timeline negative.
    DeploymentEvent.objects.get().delete()

    editor_client.post(job_url(job), {"action": "confirm"})
    job.refresh_from_db()
    assert (job.status, job.rows_written) == ("failed", 0)
    page = editor_client.get(job_url(job)).content.decode()
    assert "nothing was written" in page
    assert "a shortfall of 150" in page
    assert not DeploymentEvent.objects.exists()


def test_analysts_neither_see_imports_nor_upload_nor_act(analyst_client, editor_client, mission):
    upload(editor_client, rows(1))
    job = ImportJob.objects.get()

    assert analyst_client.get(IMPORTS).status_code == 403
    assert upload(analyst_client, rows(1)).status_code == 403
    assert analyst_client.post(job_url(job), {"action": "confirm"}).status_code == 403
