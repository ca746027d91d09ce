"""`/missions/<slug>/report-an-error/`: a reader tells the staff a figure is wrong.

Anyone may send a report, without an account. The page is never served from the page
cache (a cached copy would carry a throwaway CSRF token, caching.py) and is marked
never-cache for browsers and proxies. The form refuses control characters and overlong
text; `id` names the pledge or event the report is about (prefilled from the link on a
country page or an event row). At most `REPORTS_PER_HOUR` reports an hour from one
client address (`lib.throttling.client_ip`), counted in the database: a 429 beyond, which
says when to try again; a refused form comes back (200) with each field's error. After
a report is stored the reader is sent back to the page
with `?sent=1` (so reloading sends nothing twice); no report is ever shown to a reader.
"""

from __future__ import annotations

import re
import uuid

from django import forms
from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from mss_tracker.dashboards.page_parts import get_mission
from mss_tracker.lib.bad_requests import BadParameter
from mss_tracker.lib.throttling import client_ip
from mss_tracker.tracker.models import DeploymentEvent, Mission, Pledge
from mss_tracker.tracker.models.reports import (
    EMAIL_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    REPORTS_PER_HOUR,
    URL_MAX_LENGTH,
    ErrorReport,
    client_key,
)

# C0 controls but tab, LF and CR (a message may have lines), DEL and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NO_CONTROL = gettext_lazy("Remove the control character (an invisible code) from this text.")


def _refuse_control_characters(value: str, *, lines: bool = False) -> None:
    found = CONTROL_CHARACTERS.search(value) or (not lines and re.search(r"[\t\r\n]", value))
    if found:
        raise forms.ValidationError(NO_CONTROL, code="control_character")


def record_with_uuid(mission: Mission, value: uuid.UUID):
    """The mission's pledge or event with this id, or None."""
    for model in (DeploymentEvent, Pledge):
        found = (
            model.objects.filter(mission=mission, uuid=value)
            .select_related("country", "source")
            .first()
        )
        if found is not None:
            return found
    return None


class ErrorReportForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("What is wrong?"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Which figure or date, and what the source says instead."),
    )
    source_url = forms.CharField(
        label=gettext_lazy("Source (web address)"),
        max_length=URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=gettext_lazy("Where the staff can read it: an address starting http or https."),
    )
    email = forms.EmailField(
        label=gettext_lazy("Your email (optional)"),
        required=False,
        max_length=EMAIL_MAX_LENGTH,
        help_text=gettext_lazy("Only if you want an answer. It is never published."),
    )
    id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, mission: Mission, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mission = mission
        self.record = None

    def clean_message(self) -> str:
        message = self.cleaned_data["message"]
        _refuse_control_characters(message, lines=True)
        return message

    def clean_source_url(self) -> str:
        url = self.cleaned_data["source_url"].strip()
        _refuse_control_characters(url)
        try:
            URLValidator(schemes=["http", "https"])(url)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Give a web address starting with http:// or https://."), code="invalid"
            ) from None
        return url

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        _refuse_control_characters(email)
        return email

    def clean_id(self) -> uuid.UUID | None:
        value = self.cleaned_data["id"]
        if value is not None:
            self.record = record_with_uuid(self.mission, value)
            if self.record is None:
                raise forms.ValidationError(
                    _("No pledge or event of %(acronym)s has this id.")
                    % {"acronym": self.mission.acronym}
                )
        return value


def _record_from_query(request: HttpRequest, mission: Mission):
    """The record `?id=` names (from a country page's or an event's link), or None."""
    raw = request.GET.get("id", "").strip()
    if not raw:
        return None
    try:
        record = record_with_uuid(mission, uuid.UUID(raw))
    except ValueError:
        record = None
    if record is None:
        accepted = _("expected the id of a pledge or event of %(acronym)s") % {
            "acronym": mission.acronym
        }
        raise BadParameter("id", raw, accepted)
    return record


def store(form: ErrorReportForm, request: HttpRequest) -> bool:
    """Store the report unless this client has sent REPORTS_PER_HOUR in the past hour;
    whether it was stored. The mission's row is locked while counting, so two workers
    cannot both let the last one through."""
    key = client_key(client_ip(request))
    with transaction.atomic():
        Mission.objects.lock(form.mission.pk)
        if ErrorReport.objects.sent_recently_by(key).count() >= REPORTS_PER_HOUR:
            return False
        ErrorReport.objects.create(
            mission=form.mission,
            record_id=form.cleaned_data["id"],
            message=form.cleaned_data["message"],
            source_url=form.cleaned_data["source_url"],
            email=form.cleaned_data["email"],
            client_key=key,
        )
    return True


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report_an_error(request: HttpRequest, slug: str) -> HttpResponse:
    mission = get_mission(slug)
    status = 200
    throttled = False
    if request.method == "POST":
        form = ErrorReportForm(request.POST, mission=mission)
        if form.is_valid():
            if store(form, request):
                return HttpResponseRedirect(f"{request.path}?sent=1")
            throttled, status = True, 429
        record = form.record
    else:
        record = _record_from_query(request, mission)
        initial = {"id": record.uuid} if record is not None else {}
        form = ErrorReportForm(initial=initial, mission=mission)
    context = {
        "mission": mission,
        "form": form,
        "record": record,
        "sent": request.method != "POST" and request.GET.get("sent") == "1",
        "throttled": throttled,
        "per_hour": REPORTS_PER_HOUR,
    }
    return render(request, "dashboards/report_an_error.html", context, status=status)
