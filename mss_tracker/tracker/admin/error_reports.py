"""The staff's queue of error reports from readers (tracker/models/reports.py).

Listed oldest first, filtered by status (new, accepted, rejected), each with the record it
is about and the reader's source. An editor opens the report, follows "Open the record"
to the record's change form (the report and its source shown above the form, and the
reason for the change prefilled with them), then closes the report as accepted or
rejected with a reason: the reason is the report's history entry. Nobody adds or deletes
reports in the admin: they come from the public form and stay as the audit trail. The
editors' group may view and change them (migration 0017); analysts see nothing of them.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.timesince import timesince

from mss_tracker.tracker.admin.audit import AuditedAdmin
from mss_tracker.tracker.admin.forms import ReasonForm
from mss_tracker.tracker.models import DeploymentEvent
from mss_tracker.tracker.models.reports import ErrorReport, ErrorReportStatus

REPORT_PARAMETER = "error_report"  # on a record's change form: the report being handled


class ErrorReportForm(ReasonForm):
    """Closing a report: its status, and the reason (required for any change)."""

    class Meta:
        model = ErrorReport
        fields = ["status"]
        labels = {"status": "Decision"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["change_reason"].label = "Reason for the decision"
        self.fields["change_reason"].help_text = (
            "Why the report is accepted or rejected (for example “figure corrected per "
            "the UN briefing the reader cited”); kept in the report's history."
        )


def record_change_url(report: ErrorReport) -> str | None:
    """The change form of the record the report is about, with the report named."""
    record = report.record()
    if record is None:
        return None
    name = "deploymentevent" if isinstance(record, DeploymentEvent) else "pledge"
    url = reverse(f"admin:tracker_{name}_change", args=[record.pk])
    return f"{url}?{urlencode({REPORT_PARAMETER: report.pk})}"


@admin.register(ErrorReport)
class ErrorReportAdmin(AuditedAdmin):
    form = ErrorReportForm
    list_display = ["received", "status", "mission", "about", "source", "excerpt"]
    list_filter = ["status", "mission"]
    ordering = ["received_at"]
    list_select_related = ["mission"]
    readonly_fields = [
        "mission",
        "about",
        "message",
        "source",
        "email",
        "received_at",
        "closed_at",
    ]
    fields = [*readonly_fields, "status", "change_reason"]
    actions = []

    @admin.display(description="received", ordering="received_at")
    def received(self, report: ErrorReport) -> str:
        return f"{timesince(report.received_at)} ago"

    @admin.display(description="about")
    def about(self, report: ErrorReport) -> str:
        record = report.record()
        if record is None:
            return "the record is gone" if report.record_id else "no record named"
        url = record_change_url(report)
        return format_html('<a href="{}">Open the record: {}</a>', url, record)

    @admin.display(description="source", ordering="source_url")
    def source(self, report: ErrorReport) -> str:
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>', report.source_url, report.source_url
        )

    @admin.display(description="message")
    def excerpt(self, report: ErrorReport) -> str:
        return report.message if len(report.message) <= 80 else f"{report.message[:79]}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ErrorReport, form, change: bool) -> None:
        if "status" in form.changed_data:
            obj.closed_at = None if obj.status == ErrorReportStatus.NEW else timezone.now()
        reason = form.cleaned_data.get("change_reason", "")
        form.cleaned_data["change_reason"] = f"{obj.get_status_display()}: {reason}"
        super().save_model(request, obj, form, change)


class HandlesErrorReports:
    """For the pledge and event admins: a change form opened from an error report shows
    the report and its source above the form, with the reason prefilled from them, and a
    link to add the reader's source as a Source."""

    def _report(self, request: HttpRequest) -> ErrorReport | None:
        raw = request.GET.get(REPORT_PARAMETER, "")
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            return None
        if not request.user.has_perm("tracker.view_errorreport"):
            return None
        return ErrorReport.objects.filter(pk=int(raw)).first()

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        report = self._report(request) if request.method == "GET" else None
        if report is None or "change_reason" not in form.base_fields:
            return form
        reason = f"Error report {report.pk}, source: {report.source_url}"[:500]

        class FromErrorReport(form):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                self.fields["change_reason"].initial = reason

        return FromErrorReport

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ):
        report = self._report(request) if request.method == "GET" else None
        if report is not None:
            add_source = (
                reverse("admin:tracker_source_add")
                + "?"
                + urlencode({"url": report.source_url, "title": "", "publisher": ""})
            )
            messages.info(
                request,
                format_html(
                    'Error report {} ({}): “{}” Source given: <a href="{}" rel="noopener '
                    'noreferrer">{}</a> · <a href="{}">Add it as a source</a>',
                    report.pk,
                    report.get_status_display(),
                    report.message,
                    report.source_url,
                    report.source_url,
                    add_source,
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context)
