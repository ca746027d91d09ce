"""CSV import and export in the admin: the same `tracker/csv/` code as `manage.py import_csv`.

"Import CSV" is upload → preview → confirm. The preview is a dry run of the real import
(rows to create, rows already present, every error with its line and column); confirm
runs the import for real, all or nothing.

Between preview and confirm the uploaded bytes wait in a file with a random name in a
private temporary folder, and the confirm form carries only a token signed with
`django.core.signing` that names that file, the kind of import, the user, the SHA-256 of
the bytes and the name the file was uploaded under (the reason recorded in the audit
history of every row it writes), valid for an hour. So the file crosses the network once
(sending it back in a hidden field would double a 50 MB upload and trip
DATA_UPLOAD_MAX_MEMORY_SIZE), a token cannot be forged to read any other file or be
replayed by another user, and what is imported is exactly what was previewed. With
several application servers, point CSV_IMPORT_TEMP_DIR at a folder they share.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from mss_tracker.tracker.csv.decoding import check_size
from mss_tracker.tracker.csv.errors import CsvFileError, ImportResult
from mss_tracker.tracker.csv.importing import import_csv, import_reason
from mss_tracker.tracker.csv.response import csv_response
from mss_tracker.tracker.csv.spec import COLUMNS, EXPORTS
from mss_tracker.tracker.csv.writer import rows
from mss_tracker.tracker.models import DeploymentEvent, Mission, Pledge

_SALT = "mss_tracker.tracker.admin_csv.import"
_TOKEN_MAX_AGE = 3600  # seconds between preview and confirm
_KIND = {DeploymentEvent: "events", Pledge: "pledges", Mission: "missions"}


def _upload_dir() -> Path:
    folder = Path(
        getattr(settings, "CSV_IMPORT_TEMP_DIR", None)
        or Path(tempfile.gettempdir()) / "mss-tracker-csv-imports"
    )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _remove_stale_uploads(folder: Path) -> None:
    """Uploads previewed but never confirmed (their token has expired)."""
    cutoff = time.time() - 2 * _TOKEN_MAX_AGE
    for upload in folder.glob("*.csv"):
        if upload.stat().st_mtime < cutoff:
            upload.unlink(missing_ok=True)


def keep_upload(data: bytes, kind: str, user_pk: int, file_name: str = "") -> str:
    """Store `data` until confirmation; the signed token that gives it back."""
    folder = _upload_dir()
    _remove_stale_uploads(folder)
    name = f"{secrets.token_hex(16)}.csv"
    (folder / name).write_bytes(data)
    payload = {
        "file": name,
        "kind": kind,
        "user": user_pk,
        "sha256": hashlib.sha256(data).hexdigest(),
        "name": file_name,
    }
    return signing.dumps(payload, salt=_SALT)


def take_upload(token: str, kind: str, user_pk: int) -> tuple[bytes, str]:
    """The bytes and file name stored by `keep_upload`, removed from storage;
    PermissionDenied if the token is forged, expired, someone else's or for another
    kind of import."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=_TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise PermissionDenied("This import has expired or is not valid: upload again.") from None
    if payload.get("kind") != kind or payload.get("user") != user_pk:
        raise PermissionDenied("This import was prepared for another list or user.")
    stored = _upload_dir() / Path(payload["file"]).name
    try:
        data = stored.read_bytes()
    except FileNotFoundError:
        raise PermissionDenied("This import was already confirmed or has expired.") from None
    stored.unlink(missing_ok=True)
    if hashlib.sha256(data).hexdigest() != payload["sha256"]:
        raise PermissionDenied("The stored upload changed after the preview: upload again.")
    return data, payload.get("name", "")


class CsvUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8, with the header row of the format.")


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
    actions = ["export_selected_as_csv"]

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

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_selected_as_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        kind = self.csv_kind
        filename = f"{kind}-selected-{datetime.date.today().isoformat()}.csv"
        return csv_response(filename, COLUMNS[kind], rows(EXPORTS[kind], queryset))

    def import_csv_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        kind = self.csv_kind
        form = CsvUploadForm()
        result: ImportResult | None = None
        token = None
        if request.method == "POST" and "token" in request.POST:
            data, file_name = take_upload(request.POST["token"], kind, request.user.pk)
            result = import_csv(kind, data, reason=import_reason(file_name), user=request.user)
            if result.ok:
                self.message_user(
                    request,
                    f"Imported {result.created} {kind} "
                    f"({len(result.present_lines)} rows were already recorded).",
                    messages.SUCCESS,
                )
                info = (self.model._meta.app_label, self.model._meta.model_name)
                return HttpResponseRedirect(
                    reverse(
                        "admin:{}_{}_changelist".format(*info), current_app=self.admin_site.name
                    )
                )
        elif request.method == "POST":
            form = CsvUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    check_size(upload.size)
                    data = upload.read()
                except CsvFileError as exc:
                    result = ImportResult(kind=kind, dry_run=True, errors=exc.errors)
                else:
                    result = import_csv(kind, data, dry_run=True)
                    if result.ok and result.new_lines:
                        token = keep_upload(data, kind, request.user.pk, upload.name)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Import {self.model._meta.verbose_name_plural} from CSV",
            "kind": kind,
            "columns": ",".join(COLUMNS[kind]),
            "form": form,
            "result": result,
            "token": token,
            "new_ranges": line_ranges(result.new_lines) if result else "",
            "present_ranges": line_ranges(result.present_lines) if result else "",
            "max_megabytes": settings.CSV_IMPORT_MAX_BYTES // (1024 * 1024),
        }
        return TemplateResponse(request, "admin/tracker/csv_import.html", context)
