"""Data entry for staff editors.

Every integrity rule surfaces as a form error or an admin message, never as an error
page: model constraints are validated by the forms, and an event write or delete that
would drive a timeline's deployed strength negative is refused with the
`NegativeStrength` message (which names the date and the shortfall) before anything
is stored.

Missions, sources, pledges and events have simple-history's History page: every add,
change and delete with who, when, why and the values before and after. Whoever may view
a record sees its history; only whoever may change it may revert it.
"""

from __future__ import annotations

import re

import pycountry
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from mss_tracker.tracker import admin_imports  # noqa: F401 (registers the Imports list)
from mss_tracker.tracker.admin_carry_over import CarryOverMixin
from mss_tracker.tracker.admin_csv import CsvImportExportMixin
from mss_tracker.tracker.models import Country, DeploymentEvent, Mission, Pledge, Source
from mss_tracker.tracker.timelines import NegativeStrength

UNEXPECTED_INTEGRITY_ERROR = (
    "This record conflicts with another one and could not be saved (%(error)s). "
    "Check for a duplicate of it and correct that one instead."
)


class CountryForm(forms.ModelForm):
    """An ISO alpha-3 code is enough: the alpha-2 code and the name come from the ISO list."""

    class Meta:
        model = Country
        fields = ["iso3", "iso2", "name"]
        help_texts = {
            "iso2": "Leave empty to take it from the ISO list.",
            "name": "Leave empty to take the ISO short name.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("iso2", "name"):
            if name in self.fields:
                self.fields[name].required = False

    def clean_iso3(self) -> str:
        return self.cleaned_data["iso3"].strip().upper()

    def clean_iso2(self) -> str:
        return self.cleaned_data["iso2"].strip().upper()

    def clean(self) -> dict:
        cleaned = super().clean()
        iso3 = cleaned.get("iso3") or getattr(self.instance, "iso3", "")
        record = pycountry.countries.get(alpha_3=iso3) if iso3 else None
        if record is not None:
            if "iso2" in self.fields and not cleaned.get("iso2"):
                cleaned["iso2"] = record.alpha_2
            if not cleaned.get("name"):
                cleaned["name"] = getattr(record, "common_name", None) or record.name
        return cleaned


class DeploymentEventForm(forms.ModelForm):
    class Meta:
        model = DeploymentEvent
        fields = [
            "mission",
            "country",
            "date",
            "date_precision",
            "kind",
            "personnel_type",
            "personnel",
            "disputed",
            "source",
            "notes",
        ]

    def _post_clean(self) -> None:
        # The instance is built and its fields and constraints validated here; only a
        # valid instance is worth replaying against its timeline.
        super()._post_clean()
        if self.errors:
            return
        try:
            self.instance.validate_timeline()
        except NegativeStrength as error:
            self.add_error(None, error)
        except IntegrityError as error:
            self.add_error(None, UNEXPECTED_INTEGRITY_ERROR % {"error": error})


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's History page (a diff per version), with reverting kept to editors.

    simple-history's version page saves a POSTed form for anyone allowed to *view* the
    history, relying on the hidden Revert button; here a POST needs the change
    permission, and reverting a deleted record the add permission too.
    """

    def _ids_or_404(self, object_id: str, version_id: str | None = None) -> None:
        """An id in a history URL that cannot name a record (`abc` for a number) is a 404,
        as it is on the change page; simple-history would query with it and fail."""
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404("No such record.") from None
        if version_id is not None and not re.fullmatch(r"[0-9]{1,18}", version_id):
            raise Http404("No such version.")

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        self._ids_or_404(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context=None
    ) -> HttpResponse:
        self._ids_or_404(object_id, version_id)
        if request.method == "POST":
            exists = self.model._default_manager.filter(pk=unquote(object_id)).exists()
            if not self.has_change_permission(request) or (
                not exists and not self.has_add_permission(request)
            ):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    form = CountryForm
    list_display = ["name", "iso3", "iso2", "flag"]
    search_fields = ["name", "iso3", "iso2"]
    ordering = ["name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Country | None = None) -> list[str]:
        # The alpha-3 code is the primary key: changing it would make a second country.
        return ["iso3"] if obj is not None else []


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["publisher", "title", "published_on", "url"]
    search_fields = ["publisher", "title", "url"]
    date_hierarchy = "published_on"
    ordering = ["-published_on", "publisher"]


@admin.register(Mission)
class MissionAdmin(CarryOverMixin, HistoryAdmin):
    list_display = [
        "acronym",
        "name",
        "host_country",
        "lead_country",
        "start_date",
        "end_date",
        "authorized_ceiling",
        "successor",
    ]
    list_select_related = ["host_country", "lead_country", "successor"]
    search_fields = ["slug", "acronym", "name", "authorized_by"]
    list_filter = ["host_country"]
    date_hierarchy = "start_date"
    ordering = ["start_date", "slug"]
    prepopulated_fields = {"slug": ["acronym"]}
    autocomplete_fields = ["host_country", "lead_country", "source"]


class DatedRecordAdmin(HistoryAdmin):
    """What the pledge and event lists share: filters, search, dates, sources."""

    list_select_related = ["mission", "country", "source"]
    search_fields = [
        "country__name",
        "=country__iso3",
        "notes",
        "source__publisher",
        "source__title",
    ]
    date_hierarchy = "date"
    autocomplete_fields = ["country", "source"]
    readonly_fields = ["uuid"]  # the record's id in CSV and JSON: given once, never edited
    list_per_page = 100
    show_full_result_count = False  # one COUNT(*) per page view is enough

    @admin.display(description="date", ordering="date")
    def date_shown(self, obj: Pledge | DeploymentEvent) -> str:
        return obj.date_display


@admin.register(Pledge)
class PledgeAdmin(CsvImportExportMixin, DatedRecordAdmin):
    list_display = [
        "date_shown",
        "mission",
        "country",
        "personnel_type",
        "personnel_shown",
        "disputed",
        "source",
    ]
    list_filter = ["mission", ("country", admin.RelatedOnlyFieldListFilter), "personnel_type"]
    list_filter += ["disputed", "date_precision"]
    ordering = ["-date", "country__name", "personnel_type"]

    @admin.display(description="personnel", ordering="personnel")
    def personnel_shown(self, obj: Pledge) -> str:
        return "—" if obj.personnel is None else f"{obj.personnel:,}"


@admin.register(DeploymentEvent)
class DeploymentEventAdmin(CsvImportExportMixin, DatedRecordAdmin):
    form = DeploymentEventForm
    list_display = [
        "date_shown",
        "mission",
        "country",
        "kind",
        "personnel_type",
        "personnel",
        "strength_after_shown",
        "disputed",
        "source",
    ]
    list_filter = ["mission", ("country", admin.RelatedOnlyFieldListFilter), "kind"]
    list_filter += ["personnel_type", "disputed", "date_precision"]
    ordering = ["-date", "country__name", "personnel_type", "-pk"]
    # Named like the site-wide action, so this one replaces it (keeping the CSV mixin's).
    actions = [*getattr(CsvImportExportMixin, "actions", ()), "delete_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DeploymentEvent]:
        return super().get_queryset(request).with_strength_after()

    @admin.display(description="strength after", ordering="strength_after")
    def strength_after_shown(self, obj: DeploymentEvent) -> str:
        strength = getattr(obj, "strength_after", None)
        return "—" if strength is None else f"{strength:,}"

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        # The form has checked the timeline; an editor saving another event of the same
        # mission between that check and this save can still make the write fail. The
        # view's transaction is rolled back by then: say why, and show the form again.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except NegativeStrength as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        if request.method == "POST":
            event = self.get_object(request, unquote(object_id))
            if event is not None and self.has_delete_permission(request, event):
                try:
                    event.validate_deletion()
                except NegativeStrength as error:
                    self.message_user(request, error.message, messages.ERROR)
                    change_url = reverse(
                        "admin:tracker_deploymentevent_change",
                        args=[event.pk],
                        current_app=self.admin_site.name,
                    )
                    return HttpResponseRedirect(change_url)
        return super().delete_view(request, object_id, extra_context)

    @admin.action(permissions=["delete"], description="Delete selected deployment events")
    def delete_selected(
        self, request: HttpRequest, queryset: QuerySet[DeploymentEvent]
    ) -> HttpResponse | None:
        """Django's "delete selected", refused when what is left of a timeline would go negative."""
        if request.POST.get("post"):
            try:
                _check_deletion(queryset)
            except NegativeStrength as error:
                self.message_user(request, error.message, messages.ERROR)
                return None
        return admin_actions.delete_selected(self, request, queryset)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[DeploymentEvent]) -> None:
        DeploymentEvent.objects.filter(pk__in=list(queryset.values_list("pk", flat=True))).delete()


class _RollBack(Exception):
    pass


def _check_deletion(queryset: QuerySet[DeploymentEvent]) -> None:
    """Delete the events in a savepoint and undo it, raising what the delete raised."""
    pks = list(queryset.values_list("pk", flat=True))
    try:
        with transaction.atomic():
            DeploymentEvent.objects.filter(pk__in=pks).delete()
            raise _RollBack
    except _RollBack:
        pass
