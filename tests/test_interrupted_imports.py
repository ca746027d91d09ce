"""A job whose worker died is noticed and marked interrupted, keeps its file, says so on
its page and can be started again. tests/test_worker_killed.py kills a real `db_worker`
mid-import on PostgreSQL."""

from __future__ import annotations

import datetime
import time

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mss_tracker.tracker import import_watch, job_progress, tasks
from mss_tracker.tracker.import_jobs import ImportJob
from mss_tracker.tracker.models import DeploymentEvent
from tests.test_import_jobs import IMPORTS, job_url, rows, upload

pytestmark = pytest.mark.django_db
IN_THE_DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def abandoned(job: ImportJob, status: str, seconds_ago: float = 120) -> ImportJob:
    """`job` as a worker that died `seconds_ago` into its step leaves it: taken, its
    task claimed and RUNNING, its last report long ago."""
    then = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    ImportJob.objects.filter(pk=job.pk).update(status=status, started_at=then, heartbeat_at=then)
    job_progress.forget(job.pk)
    for result in DBTaskResult.objects.all():
        result.claim("a-worker-that-died")
    job.refresh_from_db()
    return job


@pytest.fixture
def checked(settings, editor_client, mission) -> ImportJob:
    """A preview ready to confirm; tasks then stored in the database, not run."""
    upload(editor_client, rows(3))
    settings.TASKS = IN_THE_DATABASE
    return ImportJob.objects.get(status="checked")


def test_an_import_whose_worker_stopped_reporting_is_interrupted_and_its_task_failed(
    editor_client, checked
):
    assert tasks.confirm(checked)
    job = abandoned(checked, "importing")

    assert import_watch.interrupt_abandoned() == [job.pk]
    job.refresh_from_db()
    assert job.status == "interrupted"
    assert job.file_bytes() == rows(3)  # the file is kept, to start again
    (task,) = DBTaskResult.objects.all()
    assert task.status == "FAILED"
    assert task.exception_class_path.endswith("StepInterrupted")
    assert import_watch.interrupt_abandoned() == []  # once

    page = editor_client.get(job_url(job)).content.decode()
    assert "Interrupted" in page
    assert "The import was interrupted on" in page
    assert "Nothing was written: an import writes all its rows or none." in page
    assert 'value="start-again"' in page and "Start again" in page
    assert "hx-trigger" not in page  # no longer polling
    assert "Interrupted" in editor_client.get(IMPORTS).content.decode()


def test_a_step_still_reporting_or_not_yet_taken_is_left_alone(checked):
    assert tasks.confirm(checked)  # queued: no worker has taken the import yet
    assert import_watch.interrupt_abandoned() == []

    job = abandoned(checked, "importing", seconds_ago=job_progress.LEASE_SECONDS - 5)
    assert import_watch.interrupt_abandoned() == []
    # (On PostgreSQL the beat's own connection cannot see this test's uncommitted rows.)
    if connection.vendor == "sqlite":
        job = abandoned(checked, "importing", seconds_ago=600)
        job_progress.Reporter(job.pk).beat()  # its worker has just reported
        assert import_watch.interrupt_abandoned() == []
        assert ImportJob.objects.get(pk=job.pk).status == "importing"


def test_starting_again_imports_every_row_once(editor_client, checked, settings):
    assert tasks.confirm(checked)
    job = abandoned(checked, "importing")
    import_watch.interrupt_abandoned()

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    response = editor_client.post(job_url(job), {"action": "start-again"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.rows_written, bytes(job.data)) == ("imported", 3, b"")
    assert DeploymentEvent.objects.count() == 3
    # Only once: a second click finds it no longer interrupted.
    editor_client.post(job_url(job), {"action": "start-again"})
    assert DeploymentEvent.objects.count() == 3


def test_an_interrupted_check_starts_its_check_again(editor_client, settings, mission):
    settings.TASKS = IN_THE_DATABASE
    upload(editor_client, rows(2))
    job = abandoned(ImportJob.objects.get(), "checking")
    import_watch.interrupt_abandoned()
    page = editor_client.get(job_url(job)).content.decode()
    assert "The check was interrupted on" in page

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    editor_client.post(job_url(job), {"action": "start-again"})
    assert ImportJob.objects.get(pk=job.pk).status == "checked"


def test_an_interrupted_job_keeps_its_file_until_it_expires_or_is_cancelled(editor_client, checked):
    assert tasks.confirm(checked)
    job = abandoned(checked, "importing")
    import_watch.interrupt_abandoned()
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1, minutes=1)
    )
    assert "Start again" not in editor_client.get(job_url(job)).content.decode()
    editor_client.get(IMPORTS)  # the list expires what has gone stale
    job.refresh_from_db()
    assert (job.status, bytes(job.data)) == ("expired", b"")


def test_an_interrupted_job_can_be_cancelled_which_drops_its_file(editor_client, checked):
    assert tasks.confirm(checked)
    job = abandoned(checked, "importing")
    import_watch.interrupt_abandoned()
    editor_client.post(job_url(job), {"action": "cancel"})
    job.refresh_from_db()
    assert (job.status, bytes(job.data)) == ("cancelled", b"")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the side file (the row on PostgreSQL)")
def test_a_running_step_beats_while_it_works(checked):
    job_progress.start(checked.pk)
    before = job_progress.live([checked])[checked.pk].beat
    with job_progress.heartbeat(checked.pk, every=0.05):
        time.sleep(0.3)
    assert job_progress.live([checked])[checked.pk].beat > before


def test_tasks_beat_while_they_run(checked, monkeypatch):
    beats = []
    monkeypatch.setattr(job_progress, "heartbeat", lambda job_id: _recording(beats, job_id))
    tasks.confirm(checked)
    tasks.run_import.call(checked.pk)
    assert beats == [checked.pk]


class _recording:
    def __init__(self, beats: list[int], job_id: int) -> None:
        beats.append(job_id)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_the_progress_store_names_the_jobs_table_and_cancelled_status_as_the_model_does():
    """job_progress.py writes into the job's row by name (it may not import the model,
    which imports it): the names must stay the model's."""
    from mss_tracker.tracker.import_jobs import ImportJob, ImportStatus

    assert ImportJob._meta.db_table == job_progress.JOB_TABLE
    assert job_progress.CANCELLED == ImportStatus.CANCELLED
