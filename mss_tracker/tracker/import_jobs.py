"""An uploaded CSV file and what became of it: the admin's **Imports** list.

The upload is kept in the database, compressed, so every application server and task
worker reaches it (no local temporary folder): the preview and the import run in the
task worker (tracker/tasks.py), and a confirmation may land on any server. The job holds
the progress the worker reports (rows checked, errors, rows written) and the preview's
or the import's result, so the editor can close the page and find it later.
"""

from __future__ import annotations

import datetime
import zlib

from django.conf import settings
from django.db import models
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mss_tracker.lib.busy import if_free
from mss_tracker.tracker import job_progress

PREVIEW_LIFETIME = datetime.timedelta(days=1)


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")  # the preview is queued or running
    CHECKED = "checked", _("Ready to confirm")
    PRESENT = "present", _("Already recorded")  # checked: every row is recorded already
    EMPTY = "empty", _("No data rows")  # checked: the file holds its header only
    INVALID = "invalid", _("Errors found")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")  # the import (not the preview) found an error
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    # Its worker stopped mid-step (killed, crashed, restarted): nothing was written, and
    # the file is kept so that the editor can start it again (import_watch.py).
    INTERRUPTED = "interrupted", _("Interrupted")


# Statuses in which the worker still has something to do: the page keeps polling.
RUNNING = (ImportStatus.CHECKING, ImportStatus.IMPORTING)
# Statuses in which the file is kept, waiting for a step or for the editor.
KEEPS_FILE = (
    ImportStatus.CHECKING,
    ImportStatus.CHECKED,
    ImportStatus.IMPORTING,
    ImportStatus.INTERRUPTED,
)
# Statuses the file is no longer needed in: its bytes are dropped.
FINISHED = (
    ImportStatus.PRESENT,
    ImportStatus.EMPTY,
    ImportStatus.INVALID,
    ImportStatus.IMPORTED,
    ImportStatus.FAILED,
    ImportStatus.CANCELLED,
    ImportStatus.EXPIRED,
)


# What an editor may still confirm, start again or cancel; expired after a day.
WAITING_FOR_EDITOR = (ImportStatus.CHECKING, ImportStatus.CHECKED, ImportStatus.INTERRUPTED)


class ImportJobQuerySet(models.QuerySet):
    def expire_stale_previews(self) -> int:
        """Previews (and interrupted jobs) older than a day are never imported: drop
        their file.

        Looked for first, and written only if the database can take it at once: the
        Imports list must not wait for an import holding SQLite's write lock (a later
        visit expires them)."""
        cutoff = timezone.now() - PREVIEW_LIFETIME
        stale = self.filter(status__in=WAITING_FOR_EDITOR, created_at__lt=cutoff)
        if not stale.exists():
            return 0
        expired = if_free(
            lambda: stale.update(status=ImportStatus.EXPIRED, data=b"", finished_at=timezone.now())
        )
        return expired or 0

    def upload_refusal(self, user, size: int) -> str | None:
        """Why an upload of `size` bytes by `user` cannot be stored now, naming the limit it
        would pass (settings CSV_IMPORT_MAX_PENDING, CSV_IMPORT_STORED_MAX_BYTES), or None.
        A job holds its file while it waits (KEEPS_FILE); it drops it when it ends or
        expires."""
        pending = self.filter(user=user, status__in=WAITING_FOR_EDITOR).count()
        limit = settings.CSV_IMPORT_MAX_PENDING
        if pending >= limit:
            return ngettext(
                "You already have %(pending)d upload waiting to be checked, confirmed or "
                "started again, and an editor may have at most %(limit)d. "
                "Confirm or cancel it in the Imports list, then upload this file again.",
                "You already have %(pending)d uploads waiting to be checked, confirmed or "
                "started again, and an editor may have at most %(limit)d. "
                "Confirm or cancel one in the Imports list, then upload this file again.",
                pending,
            ) % {"pending": pending, "limit": limit}
        stored = self.filter(status__in=KEEPS_FILE).aggregate(total=Sum("size"))["total"] or 0
        most = settings.CSV_IMPORT_STORED_MAX_BYTES
        if stored + size > most:
            return gettext(
                "The uploads waiting to be imported take %(stored)s; with this file "
                "(%(size)s) they would pass the limit of %(limit)s for all editors together. "
                "Confirm or cancel a waiting upload in the Imports list, or wait for "
                "previews to expire (after a day), then upload this file again."
            ) % {
                "stored": filesizeformat(stored),
                "size": filesizeformat(size),
                "limit": filesizeformat(most),
            }
        return None


class ImportJob(models.Model):
    kind = models.CharField(_("kind"), max_length=10)  # missions, pledges, events or funding
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(help_text="bytes, as uploaded")
    data = models.BinaryField(help_text="the uploaded file, zlib-compressed; emptied when done")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, help_text="the worker took the current step")
    heartbeat_at = models.DateTimeField(
        null=True, help_text="the worker's last report (job_progress.py: a side file on SQLite)"
    )
    checked_at = models.DateTimeField(null=True)
    confirmed_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    rows = models.PositiveIntegerField(_("rows"), default=0, help_text="data rows in the file")
    rows_checked = models.PositiveIntegerField(_("read"), default=0)
    rows_written = models.PositiveIntegerField(_("written"), default=0)
    new_rows = models.PositiveIntegerField(_("to create"), default=0)
    present_rows = models.PositiveIntegerField(_("already present"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    result = models.JSONField(null=True, help_text="the preview's, then the import's result")
    message = models.TextField(blank=True, help_text="why the worker stopped, if it failed")

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.kind}, {self.get_status_display().lower()})"

    @classmethod
    def from_upload(cls, kind: str, file_name: str, data: bytes, user) -> ImportJob:
        job = cls.objects.create(
            kind=kind,
            file_name=file_name[:255],
            size=len(data),
            data=zlib.compress(data, 1),  # a 50 MB file in a fraction of a second
            user=user,
        )
        job_progress.forget(job.pk)
        return job

    def file_bytes(self) -> bytes:
        return zlib.decompress(bytes(self.data))

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    @property
    def expires_at(self) -> datetime.datetime:
        return self.created_at + PREVIEW_LIFETIME

    @property
    def updated_rows(self) -> int:
        """Rows whose id names a record they correct (from the stored result)."""
        return len((self.result or {}).get("updated_lines", []))

    @property
    def can_confirm(self) -> bool:
        return (
            self.status == ImportStatus.CHECKED
            and (self.new_rows > 0 or self.updated_rows > 0)
            and timezone.now() < self.expires_at
        )

    @property
    def can_cancel(self) -> bool:
        return self.status in WAITING_FOR_EDITOR

    @property
    def can_start_again(self) -> bool:
        return self.status == ImportStatus.INTERRUPTED and timezone.now() < self.expires_at

    @property
    def interrupted_step(self) -> ImportStatus:
        """The step an interrupted job was in: the import once confirmed, else the check."""
        return ImportStatus.IMPORTING if self.confirmed_at else ImportStatus.CHECKING


def overlay(job: ImportJob) -> ImportJob:
    """The job as a page shows it: a running step's counts as its worker last reported them
    (job_progress.py: on SQLite a side file the import's write lock does not hold), and a
    cancellation recorded there even before the row could take it."""
    if not job_progress.uses_side_file():
        return job
    state = job_progress.live([job]).get(job.pk)
    if state is None:
        return job
    if job.is_running:
        if state.rows_checked is not None:
            job.rows_checked = max(job.rows_checked, state.rows_checked)
        if state.rows_written is not None:
            job.rows_written = max(job.rows_written, state.rows_written)
    if state.cancelled and job.can_cancel:
        apply_cancellation(job.pk)  # the row takes it now if it can; else a later visit
        job.status = ImportStatus.CANCELLED
    return job


def apply_cancellation(job_id: int) -> bool:
    """Cancel the job's row if it is still waiting for its preview or its confirmation,
    without waiting for SQLite's write lock; True if the row took it."""
    waiting = ImportJob.objects.filter(
        pk=job_id,
        status__in=[ImportStatus.CHECKING, ImportStatus.CHECKED, ImportStatus.INTERRUPTED],
    )
    return bool(
        if_free(
            lambda: waiting.update(
                status=ImportStatus.CANCELLED, data=b"", finished_at=timezone.now()
            )
        )
    )
