"""The admin's **Imports** list and each import's page: progress, preview, confirm, result.

The page of a running job polls itself with HTMX (the `job` partial, every second) and
refreshes itself without JavaScript; everything it shows comes from the `ImportJob` row
that the worker updates, so any server can answer it, and the editor can close it and
come back from the list. Only the uploader (or a superuser) may confirm or cancel.
"""

from __future__ import annotations

import difflib
import re

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mss_tracker.lib.admin_filters import OfferedFiltersOnly
from mss_tracker.tracker import import_jobs, job_progress, tasks
from mss_tracker.tracker.admin.csv_files import line_ranges
from mss_tracker.tracker.admin.layout import WithoutNavSidebar
from mss_tracker.tracker.csv.spec import COLUMNS
from mss_tracker.tracker.import_jobs import ImportJob, ImportStatus
from mss_tracker.tracker.tasks import result_from_json

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def highlighted(before: str, after: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """The two values of a changed field, word by word, each part marked True where it
    differs from the other side: the preview shows what changed inside a long note."""
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    shown_old: list[tuple[str, bool]] = []
    shown_new: list[tuple[str, bool]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = operation != "equal"
        if i2 > i1:
            shown_old.append(("".join(old[i1:i2]), changed))
        if j2 > j1:
            shown_new.append(("".join(new[j1:j2]), changed))
    return shown_old, shown_new


def _shown_updates(result) -> list[dict]:
    """The preview's rows to update, each change with its parts to highlight."""
    return [
        {
            "line": update.line,
            "record": update.record,
            "changes": [
                {"column": change.column, "parts": highlighted(change.before, change.after)}
                for change in update.changes
            ],
        }
        for update in result.updates
    ]


# What an import of each kind holds, in the editor's language ("12 events").
KIND_LABELS = {
    "events": gettext_lazy("events"),
    "pledges": gettext_lazy("pledges"),
    "missions": gettext_lazy("missions"),
    "funding": gettext_lazy("funding records"),
}

ALREADY_IMPORTED = gettext_lazy(
    "This file was already imported (it was confirmed once): the result is below."
)

NOT_CONFIRMABLE = gettext_lazy("This preview cannot be confirmed any more.")

NOT_STARTABLE = gettext_lazy("This import cannot be started again.")

# The model an import of each kind writes: confirming needs the permission to add it.
_MODELS = {
    "events": "deploymentevent",
    "pledges": "pledge",
    "missions": "mission",
    "funding": "fundingrecord",
}


def _may_act_on(request: HttpRequest, job: ImportJob) -> bool:
    if request.user.is_superuser:
        return True
    model = _MODELS[job.kind]
    return job.user_id == request.user.pk and request.user.has_perm(f"tracker.add_{model}")


@admin.register(ImportJob)
class ImportJobAdmin(OfferedFiltersOnly, WithoutNavSidebar, admin.ModelAdmin):
    list_display = [
        "created_at",
        "user",
        "file_name",
        "kind",
        "status_shown",
        "rows",
        "new_rows",
        "present_rows",
        "error_count",
        "rows_written",
    ]
    list_display_links = ["created_at", "file_name"]
    list_filter = ["status", "kind"]
    search_fields = ["file_name", "user__username"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportJob]:
        return super().get_queryset(request).defer("data", "result")

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_shown(self, job: ImportJob) -> str:
        return format_html(
            '<span class="import-status-{}">{}</span>', job.status, job.get_status_display()
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an import starts from the Import CSV button of its list

    def has_change_permission(self, request: HttpRequest, obj: ImportJob | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        ImportJob.objects.expire_stale_previews()
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        # Reached through admin_view (login, staff) like every admin URL.
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = self.get_object(request, unquote(object_id))  # None for an id like "abc"
        if job is None:
            raise Http404("No such import.")
        job = import_jobs.overlay(job)  # a running step's counts, as its worker reports
        if request.method == "POST":
            return self._act(request, job)
        result = result_from_json(job.result)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import of %(name)s") % {"name": job.file_name},
            "kind": KIND_LABELS[job.kind],
            "job": job,
            "result": result,
            "may_act": _may_act_on(request, job),
            "new_ranges": line_ranges(result.new_lines) if result else "",
            "present_ranges": line_ranges(result.present_lines) if result else "",
            "updated_ranges": line_ranges(result.updated_lines) if result else "",
            "refused_ranges": line_ranges(result.refused_lines) if result else "",
            "updates": _shown_updates(result) if result else [],
            "to_write": len(result.new_lines) + len(result.updated_lines) if result else 0,
            "column_list": COLUMNS[job.kind],
            "new_rows": [
                (line, [cells.get(column, "") for column in COLUMNS[job.kind]])
                for line, cells in (result.new_rows if result else [])
            ],
            "changelist_url": reverse(f"admin:tracker_{_MODELS[job.kind]}_changelist"),
            "upload_url": reverse(f"admin:tracker_{_MODELS[job.kind]}_import_csv"),
        }
        template = "admin/tracker/import_job.html"
        if request.htmx and not request.htmx.history_restore_request:
            template += "#job"
        response = TemplateResponse(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response

    def _act(self, request: HttpRequest, job: ImportJob) -> HttpResponse:
        if not _may_act_on(request, job):
            raise PermissionDenied(
                _("Only the editor who uploaded this file may confirm or cancel it.")
            )
        here = HttpResponseRedirect(request.path)
        action = request.POST.get("action")
        if action == "confirm":
            if not job.can_confirm:
                already = job.status in (ImportStatus.IMPORTING, ImportStatus.IMPORTED)
                self.message_user(
                    request,
                    ALREADY_IMPORTED if already else NOT_CONFIRMABLE,
                    messages.WARNING if already else messages.ERROR,
                )
                return here
            tasks.confirm(job)
            return here
        if action == "start-again":
            if job.can_start_again and tasks.start_again(job):
                self.message_user(request, _("Started again."), messages.SUCCESS)
            else:
                self.message_user(request, NOT_STARTABLE, messages.ERROR)
            return here
        if action == "cancel":
            if job.can_cancel:
                # Recorded where the worker and the pages read it without waiting for a
                # write lock that a running preview or import may hold (job_progress.py);
                # the job's row takes it now if it can, else when the lock is free.
                job_progress.cancel(job.pk)
                import_jobs.apply_cancellation(job.pk)
                self.message_user(
                    request, _("Import cancelled: nothing was written."), messages.SUCCESS
                )
            return here
        return HttpResponse(status=400, content="action must be confirm, start-again or cancel")
