"""Background tasks (Django's `django.tasks`): the preview and the import of an upload.

The queue is in the project's database (django-tasks-db), and the worker is
`manage.py db_worker` (`demo` runs one in a thread beside the development server). No
request waits for a file to be checked or written: the upload view stores an
`ImportJob` and enqueues `preview_import`; the confirmation enqueues `run_import`; both
report their progress into the job as they go, for the progress page.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Iterator

from django.db import OperationalError, connection
from django.tasks import task
from django.utils import timezone

from mss_tracker.lib.busy import is_busy
from mss_tracker.tracker import job_progress
from mss_tracker.tracker.csv.importing import import_csv, import_reason
from mss_tracker.tracker.csv.importing.errors import (
    ErrorList,
    FieldChange,
    ImportResult,
    RowError,
    RowUpdate,
)
from mss_tracker.tracker.csv.importing.importer import BULK_BATCH
from mss_tracker.tracker.import_jobs import FINISHED, ImportJob, ImportStatus

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 0.5  # seconds between two progress reports


class ImportCancelled(Exception):
    pass


def result_from_json(stored: dict | None) -> ImportResult | None:
    """The stored preview or import result, as import_csv returned it."""
    if not stored:
        return None
    names = {f.name for f in dataclasses.fields(ImportResult)}
    values = {name: value for name, value in stored.items() if name in names}
    errors = ErrorList(stop=False)
    errors.extend(RowError(**error) for error in values.get("errors", []))
    errors.unlisted = stored.get("errors_unlisted", 0)
    errors.stopped_at = stored.get("errors_stopped_at")
    values["errors"] = errors
    values["warnings"] = [RowError(**warning) for warning in values.get("warnings", [])]
    values["new_rows"] = [tuple(row) for row in values.get("new_rows", [])]
    values["updates"] = [
        RowUpdate(
            line=update["line"],
            record=update["record"],
            changes=tuple(FieldChange(**change) for change in update["changes"]),
        )
        for update in values.get("updates", [])
    ]
    return ImportResult(**values)


def _keep_result(job: ImportJob, result: ImportResult) -> None:
    job.result = dataclasses.asdict(result)
    # The errors past the hundred listed are counted, not kept (csv.importing.errors.ErrorList).
    job.result["errors_unlisted"] = result.errors.unlisted
    job.result["errors_stopped_at"] = result.errors.stopped_at
    job.rows = result.rows
    job.new_rows = len(result.new_lines)
    job.present_rows = len(result.present_lines)
    job.error_count = len(result.errors) + result.errors.unlisted


class JobProgress:
    """import_csv's progress hook, reporting about twice a second through the job's
    reporter (job_progress.py: the job's row on PostgreSQL, a side file on SQLite, never
    waiting for the import's own write lock). The rows checked count during the check,
    the rows written during the write. A preview asks at each report whether it was
    cancelled, and stops if so.
    """

    def __init__(self, job: ImportJob, writing: bool) -> None:
        self.job_id = job.pk
        self.writing = writing
        self.new_rows = job.new_rows
        self.last = 0.0
        # Transactions already open (a test's) are not the import's.
        self.outer_atomic_blocks = len(connection.atomic_blocks)
        self.reporter = job_progress.Reporter(job.pk)

    def __call__(self, items: Iterable, total: int, description: str) -> Iterator:
        writing = description.startswith("writing")
        for done, item in enumerate(items, 1):
            yield item
            if time.monotonic() - self.last < PROGRESS_EVERY:
                continue
            self.last = time.monotonic()
            if not writing:
                self.report(rows_checked=done)
            elif self.writing:  # a preview's trial write is rolled back: nothing is written
                self.report(rows_written=min(item + BULK_BATCH, self.new_rows or item))
            if not self.writing and self.cancelled():
                raise ImportCancelled

    def in_import_transaction(self) -> bool:
        return len(connection.atomic_blocks) > self.outer_atomic_blocks

    def report(self, **counts: int) -> None:
        if connection.vendor == "postgresql" and not self.in_import_transaction():
            # Outside the import's transaction the job's row takes it on this connection.
            ImportJob.objects.filter(pk=self.job_id).update(**counts, heartbeat_at=timezone.now())
        else:
            self.reporter.report(**counts)

    def cancelled(self) -> bool:
        if not self.in_import_transaction():  # the row as committed (no lock to read it)
            if ImportJob.objects.filter(pk=self.job_id, status=ImportStatus.CANCELLED).exists():
                return True
            if connection.vendor == "postgresql":
                return False  # the row is the only record there
        return self.reporter.cancelled()

    def close(self) -> None:
        self.reporter.close()


def _when_free[T](write: Callable[[], T], attempts: int = 60) -> T:
    """`write()`, tried again while SQLite's write lock is held by another (an import on
    another worker, a long admin write): a worker can wait; its job must not be lost."""
    for attempt in range(attempts):
        try:
            return write()
        except OperationalError as error:
            if not is_busy(error) or attempt == attempts - 1:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


def _take(job_id: int, expected: ImportStatus) -> ImportJob | None:
    """The job if it is still waiting for this step (not cancelled or expired meanwhile)."""
    if job_id in job_progress.cancelled_ids([job_id]):
        return None
    taken = _when_free(
        lambda: ImportJob.objects.filter(pk=job_id, status=expected).update(
            started_at=timezone.now(), heartbeat_at=timezone.now()
        )
    )
    if not taken:
        return None
    job_progress.start(job_id)
    return ImportJob.objects.get(pk=job_id)


def _finish(job: ImportJob, status: ImportStatus, **fields) -> None:
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    if status in FINISHED:
        job.data = b""
        job.finished_at = timezone.now()
    # Only if no one cancelled it meanwhile; the fields are this step's own.
    names = ["status", "data", "finished_at", "result", "rows", "new_rows"]
    names += ["present_rows", "error_count", "rows_checked", "rows_written", "message"]
    names += list(fields)
    values = {name: getattr(job, name) for name in dict.fromkeys(names)}
    waiting = ImportJob.objects.filter(pk=job.pk).exclude(status=ImportStatus.CANCELLED)
    if connection.in_atomic_block:  # the import's transaction: it holds the lock already
        waiting.update(**values)
    else:
        _when_free(lambda: waiting.update(**values))


@task()
def preview_import(job_id: int) -> str:
    """Check the uploaded file (a dry run of the real import) and keep the preview."""
    job = _take(job_id, ImportStatus.CHECKING)
    if job is None:
        return "not waiting for a preview"
    # Alive until the step's end is written, a wait for SQLite's lock included.
    with job_progress.heartbeat(job.pk):
        return _preview(job)


def _preview(job: ImportJob) -> str:
    job_id = job.pk
    progress = JobProgress(job, writing=False)
    try:
        result = import_csv(job.kind, job.file_bytes(), dry_run=True, progress=progress)
    except ImportCancelled:
        _finish(job, ImportStatus.CANCELLED)
        return "cancelled"
    except Exception as error:
        logger.exception("preview of import %s failed", job_id)
        _finish(job, ImportStatus.FAILED, message=f"The preview stopped: {error}")
        raise
    finally:
        progress.close()
    if progress.cancelled():  # cancelled as the check ended
        _finish(job, ImportStatus.CANCELLED)
        return "cancelled"
    _keep_result(job, result)
    job.rows_checked = result.rows
    job.checked_at = timezone.now()
    if not result.ok:
        _finish(job, ImportStatus.INVALID, checked_at=job.checked_at)
    elif result.rows == 0:  # a header and nothing else: not "already recorded"
        _finish(job, ImportStatus.EMPTY, checked_at=job.checked_at)
    elif not (result.new_lines or result.updated_lines):  # every row is already recorded
        _finish(job, ImportStatus.PRESENT, checked_at=job.checked_at)
    else:
        _finish(job, ImportStatus.CHECKED, checked_at=job.checked_at)
    return job.status


@task()
def run_import(job_id: int) -> str:
    """Import the confirmed file for real, all or nothing."""
    job = _take(job_id, ImportStatus.IMPORTING)
    if job is None:
        return "not waiting for an import"
    with job_progress.heartbeat(job.pk):
        return _import(job)


def _import(job: ImportJob) -> str:
    job_id = job.pk
    progress = JobProgress(job, writing=True)

    def imported(result: ImportResult) -> None:
        # Inside the import's transaction: "imported" commits with the rows, or neither
        # does, so a job whose worker died is never taken for written (or unwritten) wrongly.
        _keep_result(job, result)
        job.rows_checked = result.rows
        # Updates are rows written too: the count says all the import changed.
        _finish(job, ImportStatus.IMPORTED, rows_written=result.written_rows)

    try:
        result = import_csv(
            job.kind,
            job.file_bytes(),
            progress=progress,
            reason=import_reason(job.file_name),
            user=job.user,
            on_written=imported,
        )
    except Exception as error:
        logger.exception("import %s failed", job_id)
        _finish(job, ImportStatus.FAILED, message=f"The import stopped: {error}")
        raise
    finally:
        progress.close()
    if not result.written:
        _keep_result(job, result)
        job.rows_checked = result.rows
        _finish(job, ImportStatus.FAILED, rows_written=0)
    return job.status


def confirm(job: ImportJob) -> bool:
    """Queue the import of a checked preview; False if it is no longer waiting for
    that (one confirmation only, whichever server receives it, or both)."""
    if ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.IMPORTING,
        confirmed_at=timezone.now(),
        started_at=None,  # the import's step is not taken until a worker takes it
        heartbeat_at=None,
    ):
        run_import.enqueue(job.pk)
        return True
    return False


def start_again(job: ImportJob) -> bool:
    """Queue an interrupted job's step again, from its stored file; False if it is not
    interrupted (any more). The step checks every row afresh."""
    step = job.interrupted_step
    if ImportJob.objects.filter(pk=job.pk, status=ImportStatus.INTERRUPTED).update(
        status=step,
        started_at=None,
        heartbeat_at=None,
        finished_at=None,
        rows_checked=0,
        rows_written=0,
        message="",
    ):
        (run_import if step == ImportStatus.IMPORTING else preview_import).enqueue(job.pk)
        return True
    return False
