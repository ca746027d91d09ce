"""SQLite serves while it writes: a write-ahead log and a busy timeout; progress and
cancellation that never need the write lock an import holds; a write that finds the
database busy is a 503 that says so. tests/test_sqlite_import_under_reads.py does it for
real, with a 20 MB import under reads."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import OperationalError, connection

from mss_tracker.lib.env import envdatabase
from mss_tracker.tracker import job_progress, tasks
from mss_tracker.tracker.import_jobs import ImportJob
from tests.test_import_jobs import QUEUE_ONLY, job_url, rows, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings, editor_client, mission) -> ImportJob:
    """An upload of three rows waiting for the worker (tasks are stored, not run)."""
    settings.TASKS = QUEUE_ONLY
    upload(editor_client, rows(3))
    return ImportJob.objects.get()


def test_sqlite_gets_a_write_ahead_log_and_a_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("DB", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    options = envdatabase("DB", "sqlite:///unused", busy_timeout=7)["OPTIONS"]
    assert options == {"init_command": "PRAGMA journal_mode=WAL", "timeout": 7}

    # What a connection made from it is: readers no longer wait for a writer.
    opened = sqlite3.connect(tmp_path / "db.sqlite3", timeout=options["timeout"])
    assert opened.execute(options["init_command"]).fetchone() == ("wal",)
    monkeypatch.setenv("DB", "postgres://u@h:5432/d")
    assert "init_command" not in envdatabase("DB", "sqlite:///unused").get("OPTIONS", {})


def test_a_write_that_finds_the_database_busy_is_a_503_that_says_so(
    editor_client, mission, monkeypatch
):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(ImportJob, "from_upload", locked)
    response = upload(editor_client, rows(1))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "The database is busy writing an import" in page
    assert "Nothing was saved" in page


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's side file")
def test_a_cancellation_reaches_a_running_preview_without_touching_its_row(
    editor_client, queued, monkeypatch
):
    """The row cannot take it while the preview's trial write holds SQLite's lock: the
    cancellation goes to the side file, the preview stops at its next report and ends
    cancelled, and the page says so at once."""
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 0)
    original = tasks.JobProgress.report
    shown = []

    def cancelled_from_the_page(self, **counts):
        original(self, **counts)
        job_progress.cancel(self.job_id)  # what the Cancel button records first
        shown.append(editor_client.get(job_url(queued)).content.decode())
        assert ImportJob.objects.get(pk=self.job_id).status in ("checking", "cancelled")

    monkeypatch.setattr(tasks.JobProgress, "report", cancelled_from_the_page)
    assert tasks.preview_import.call(queued.pk) == "cancelled"
    assert "Cancelled" in shown[0] and "nothing was written" in shown[0]
    queued.refresh_from_db()
    assert (queued.status, bytes(queued.data)) == ("cancelled", b"")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's side file")
def test_progress_goes_to_the_side_file_not_the_jobs_row(queued, monkeypatch):
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 0)
    original = tasks.JobProgress.report
    rows_seen = []

    def report(self, **counts):
        original(self, **counts)
        rows_seen.append(ImportJob.objects.get(pk=self.job_id).rows_checked)

    monkeypatch.setattr(tasks.JobProgress, "report", report)
    tasks.preview_import.call(queued.pk)
    # The row is written once, at the end; the page reads the side file meanwhile.
    assert set(rows_seen) == {0}
    assert ImportJob.objects.get(pk=queued.pk).rows_checked == 3
    assert job_progress.side_file().exists()


def test_a_staff_page_due_for_its_activity_stamp_answers_while_the_database_is_busy(
    editor_client, monkeypatch
):
    """The stamp (once a minute) is a write: while an import holds SQLite's lock the
    session store fails it (UpdateError, from "database is locked"), and the page that
    only reads still answers; a later page writes the stamp."""
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.backends.db import SessionStore

    from mss_tracker.accounts import sessions

    session = editor_client.session
    session[sessions.LAST_SEEN] -= 2 * sessions.LAST_SEEN_RESOLUTION
    session.save()
    tried = []

    def busy(self, must_create=False):
        tried.append(must_create)
        try:
            raise OperationalError("database is locked")
        except OperationalError:
            raise UpdateError from None

    monkeypatch.setattr(SessionStore, "save", busy)
    response = editor_client.get("/admin/tracker/importjob/")
    assert response.status_code == 200
    assert tried == [False]  # tried once, without waiting, and not again by the middleware


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's side file")
def test_a_cancellation_the_row_could_not_take_is_taken_by_the_workers_watch(queued):
    from mss_tracker.tracker import import_watch

    job_progress.cancel(queued.pk)  # recorded while an import held the lock: row unchanged
    assert ImportJob.objects.get(pk=queued.pk).status == "checking"

    assert import_watch.apply_pending_cancellations() == [queued.pk]
    queued.refresh_from_db()
    assert (queued.status, bytes(queued.data)) == ("cancelled", b"")
    assert import_watch.apply_pending_cancellations() == []
