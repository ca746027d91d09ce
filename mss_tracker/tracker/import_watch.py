"""Jobs whose worker died: noticed and marked *interrupted*, never left "running" forever.

A worker taking a step (the preview or the import) reports at least every
`job_progress.BEAT_SECONDS`; a step whose reports stopped for `job_progress.LEASE_SECONDS`
lost its worker (killed, crashed, its machine restarted). Every task worker — each
`manage.py db_worker` process, and the demo's worker thread — runs `watch()` beside its
loop, which looks every WATCH_SECONDS: so a job is marked within a minute of a worker
being available again. Marking it interrupted fails its task too (django-tasks-db leaves
a task RUNNING for ever when its worker dies).

Nothing of an interrupted step was written: a preview writes nothing, and an import
writes its rows and its "imported" in one transaction, which the database rolls back
when the worker's connection goes. The job keeps its file, and the editor can start it
again from its page (`ImportJob.start_again`) until it expires.
"""

from __future__ import annotations

import logging
import threading
import time

from django.apps import apps
from django.db import close_old_connections
from django.utils import timezone

from mss_tracker.tracker import job_progress
from mss_tracker.tracker.import_jobs import (
    RUNNING,
    WAITING_FOR_EDITOR,
    ImportJob,
    ImportStatus,
    apply_cancellation,
)

logger = logging.getLogger(__name__)

WATCH_SECONDS = 15.0
INTERRUPTED_MESSAGE = "The worker stopped before the end (it was stopped or crashed)."
TASKS = ("preview_import", "run_import")


class StepInterrupted(Exception):
    """The task's worker stopped mid-step (recorded as its task's error)."""


def interrupt_abandoned(lease: float = job_progress.LEASE_SECONDS) -> list[int]:
    """Mark every step whose worker has not reported for `lease` seconds interrupted; the
    ids of the jobs marked."""
    taken = list(
        ImportJob.objects.filter(status__in=RUNNING, started_at__isnull=False).only(
            "pk", "status", "started_at", "heartbeat_at", "rows_checked", "rows_written"
        )
    )
    if not taken:
        return []
    states = job_progress.live(taken)
    now = time.time()
    marked = []
    for job in taken:
        state = states.get(job.pk)
        beats = [job.started_at.timestamp() if job.started_at else 0.0]
        if job.heartbeat_at:
            beats.append(job.heartbeat_at.timestamp())
        if state is not None and state.beat:
            beats.append(state.beat)
        if now - max(beats) <= lease:
            continue
        if interrupt(job):
            marked.append(job.pk)
    return marked


def interrupt(job: ImportJob) -> bool:
    """Mark `job` interrupted if it is still in the step it was found in."""
    updated = ImportJob.objects.filter(
        pk=job.pk, status=job.status, started_at=job.started_at
    ).update(
        status=ImportStatus.INTERRUPTED,
        finished_at=timezone.now(),
        rows_written=0,
        message=INTERRUPTED_MESSAGE,
    )
    if not updated:
        return False
    logger.warning("import %s: its worker stopped during the %s; interrupted", job.pk, job.status)
    fail_its_tasks(job.pk)
    return True


def fail_its_tasks(job_id: int) -> None:
    """The job's tasks left RUNNING by the dead worker, failed with StepInterrupted."""
    from django_tasks_db.models import DBTaskResult

    for result in DBTaskResult.objects.running():
        if result.task_name in TASKS and result.args_kwargs.get("args") == [job_id]:
            result.set_failed(StepInterrupted(f"import {job_id}: {INTERRUPTED_MESSAGE}"))


def apply_pending_cancellations() -> list[int]:
    """Cancellations recorded in SQLite's side file that the job's row could not take then
    (an import held the write lock): taken now, so the Imports list says so and the file
    goes, whether or not anyone opens the job's page. The ids of the jobs cancelled."""
    waiting = ImportJob.objects.filter(status__in=WAITING_FOR_EDITOR).values_list("pk", flat=True)
    return [
        job_id
        for job_id in sorted(job_progress.cancelled_ids(waiting))
        if apply_cancellation(job_id)
    ]


def look_once() -> None:
    """One round of the watch: interrupted steps marked, pending cancellations taken, and
    day-old uploads expired (their stored files dropped), whether or not anyone visits the
    Imports list."""
    interrupt_abandoned()
    apply_pending_cancellations()
    ImportJob.objects.expire_stale_previews()


def watch(every: float = WATCH_SECONDS) -> threading.Thread:
    """Look for abandoned steps now and every `every` seconds, in a daemon thread of the
    worker's process."""

    def loop() -> None:
        while not apps.ready:  # started from AppConfig.ready(): let the apps finish
            time.sleep(0.1)
        while True:
            close_old_connections()
            try:
                look_once()
            except Exception:  # a database restarting: look again next time
                logger.warning("looking for interrupted imports failed", exc_info=True)
            time.sleep(every)

    thread = threading.Thread(target=loop, name="import-watch", daemon=True)
    thread.start()
    return thread
