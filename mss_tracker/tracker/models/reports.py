"""Error reports: a reader (no account needed) says a figure is wrong and gives a source.

Not to be confused with the CSV corrections by id (`csv/corrections.py`): a report is a
message for the staff, never a change to the data. It lands in the admin's queue of
error reports as *new*; an editor reads it, corrects the record if the source bears it
out, and closes the report as *accepted* or *rejected* with a reason, kept in the
report's audit history. Reports are never shown on the public pages.

Throttling (docs/changes-and-citations.md): at most `REPORTS_PER_HOUR` reports an hour
from one client address, counted here in the database, so the limit holds across every
worker and server. The address itself is not kept, only a keyed hash of it
(`client_key`), good for counting and for nothing else.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from mss_tracker.tracker.models.missions import Mission
from mss_tracker.tracker.models.records import DeploymentEvent, Pledge
from mss_tracker.tracker.text import refuse_control_characters

REPORTS_PER_HOUR = 5
MESSAGE_MAX_LENGTH = 5000
URL_MAX_LENGTH = 2000
EMAIL_MAX_LENGTH = 254


class ErrorReportStatus(models.TextChoices):
    NEW = "new", "New"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


def client_key(address: str | None) -> str:
    """A keyed hash of the client's address: the same address gives the same key, and the
    key cannot be turned back into the address without the secret key."""
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, (address or "unknown").encode(), hashlib.sha256).hexdigest()


class ErrorReportQuerySet(models.QuerySet["ErrorReport"]):
    def new(self) -> ErrorReportQuerySet:
        return self.filter(status=ErrorReportStatus.NEW)

    def sent_recently_by(
        self, key: str, now: datetime.datetime | None = None
    ) -> ErrorReportQuerySet:
        """The reports from the client with this key in the past hour."""
        since = (now or timezone.now()) - datetime.timedelta(hours=1)
        return self.filter(client_key=key, received_at__gt=since)


class ErrorReport(models.Model):
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="error_reports")
    record_id = models.UUIDField(
        null=True,
        blank=True,
        verbose_name="record id",
        help_text="The id of the pledge or event the report is about (blank: the page).",
    )
    # The public form refuses more (dashboards/reports.py); these keep the common rule.
    message = models.TextField(
        max_length=MESSAGE_MAX_LENGTH, validators=[refuse_control_characters]
    )
    source_url = models.URLField(
        "source", max_length=URL_MAX_LENGTH, validators=[refuse_control_characters]
    )
    email = models.EmailField(
        max_length=EMAIL_MAX_LENGTH, blank=True, validators=[refuse_control_characters]
    )
    received_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(
        max_length=10, choices=ErrorReportStatus.choices, default=ErrorReportStatus.NEW
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    client_key = models.CharField(max_length=64, editable=False)

    objects = ErrorReportQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["client_key"])

    class Meta:
        ordering = ["received_at"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="error_report_queue"),
            models.Index(fields=["client_key", "received_at"], name="error_report_by_client"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ErrorReportStatus.values),
                name="error_report_valid_status",
            ),
        ]

    def __str__(self) -> str:
        return f"Error report {self.pk} on {self.mission.acronym}"

    def record(self) -> models.Model | None:
        """The pledge or event the report is about (None: none named, or since deleted)."""
        if self.record_id is None:
            return None
        for model in (DeploymentEvent, Pledge):
            found: models.Model | None = (
                model.objects.filter(uuid=self.record_id).select_related("country").first()
            )
            if found is not None:
                return found
        return None
