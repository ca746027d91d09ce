"""CSV import and export in the admin: the same `tracker/csv/` code as `manage.py import_csv`.

"Import CSV" is upload → preview → confirm, and no request waits for the file to be read:
the upload is stored in the database as an `ImportJob` (every server and worker reaches
it) and checked by the task worker (`tasks.preview_import`), while the editor watches the
job's page (admin/imports.py). The preview is a dry run of the real import; confirming
imports exactly the previewed bytes, all or nothing, whichever server receives it.
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mss_tracker.tracker.csv.importing.decoding import check_size
from mss_tracker.tracker.csv.importing.errors import CsvFileError, ImportResult
from mss_tracker.tracker.csv.spec import COLUMNS, EXPORTS
from mss_tracker.tracker.csv.writing.csv_python import rows
from mss_tracker.tracker.csv.writing.response import csv_response
from mss_tracker.tracker.import_jobs import ImportJob
from mss_tracker.tracker.models import DeploymentEvent, FundingRecord, Mission, Pledge
from mss_tracker.tracker.tasks import preview_import

_KIND = {
    DeploymentEvent: "events",
    Pledge: "pledges",
    Mission: "missions",
    FundingRecord: "funding",
}


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8 (with or without a byte-order mark, as the files for Excel / "
            "LibreOffice have), with the header row of the format."
        ),
        # The browser offers CSV files first; csv_upload.js checks the size before sending
        # (the server checks it again: CSV_IMPORT_MAX_BYTES).
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["data-max-bytes"] = settings.CSV_IMPORT_MAX_BYTES


def line_ranges(lines: list[int]) -> str:
    """[2, 3, 4, 9] → "2–4, 9"."""
    ranges: list[list[int]] = []
    for line in sorted(lines):
        if ranges and line == ranges[-1][1] + 1:
            ranges[-1][1] = line
        else:
            ranges.append([line, line])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in ranges)


class CsvImportExportMixin:
    """Adds "Import CSV" (upload, preview, confirm) and "Export selected as CSV"."""

    change_list_template = "admin/tracker/csv_change_list.html"
    actions = ["export_selected_as_csv", "export_selected_for_spreadsheets"]

    @property
    def csv_kind(self) -> str:
        return _KIND[self.model]

    def get_urls(self):
        info = (self.model._meta.app_label, self.model._meta.model_name)
        return [
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_csv_view),
                name="{}_{}_import_csv".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {
            **(extra_context or {}),
            "can_import_csv": self.has_add_permission(request),
        }
        return super().changelist_view(request, extra_context)

    @admin.action(description=gettext_lazy("Export selected as CSV"), permissions=["view"])
    def export_selected_as_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return self._export(queryset, byte_order_mark=False)

    @admin.action(
        description=gettext_lazy("Export selected as CSV for Excel / LibreOffice"),
        permissions=["view"],
    )
    def export_selected_for_spreadsheets(
        self, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse:
        """The same bytes after a UTF-8 byte-order mark (csv/writing/response.py)."""
        return self._export(queryset, byte_order_mark=True)

    def _export(self, queryset: QuerySet, *, byte_order_mark: bool) -> HttpResponse:
        kind = self.csv_kind
        filename = f"{kind}-selected-{datetime.date.today().isoformat()}.csv"
        return csv_response(
            filename,
            COLUMNS[kind],
            rows(EXPORTS[kind], queryset),
            byte_order_mark=byte_order_mark,
        )

    def import_csv_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        kind = self.csv_kind
        form = CsvUploadForm()
        result: ImportResult | None = None
        if request.method == "POST":
            form = CsvUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    check_size(upload.size)
                except CsvFileError as exc:
                    result = ImportResult(kind=kind, dry_run=True, errors=exc.errors)
                else:
                    ImportJob.objects.expire_stale_previews()
                    refusal = ImportJob.objects.upload_refusal(request.user, upload.size)
                    if refusal is not None:
                        form.add_error("file", refusal)
                if form.is_valid() and result is None:
                    job = ImportJob.from_upload(kind, upload.name, upload.read(), request.user)
                    preview_import.enqueue(job.pk)
                    return HttpResponseRedirect(
                        reverse(
                            "admin:tracker_importjob_change",
                            args=[job.pk],
                            current_app=self.admin_site.name,
                        )
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import %(records)s from CSV")
            % {"records": self.model._meta.verbose_name_plural},
            "kind": kind,
            "columns": ",".join(COLUMNS[kind]),
            "form": form,
            "result": result,
            "max_bytes": settings.CSV_IMPORT_MAX_BYTES,
            "max_megabytes": settings.CSV_IMPORT_MAX_BYTES // (1024 * 1024),
        }
        return TemplateResponse(request, "admin/tracker/csv_import.html", context)
