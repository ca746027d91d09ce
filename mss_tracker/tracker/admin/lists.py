"""The registered model admins: countries, sources, missions, pledges, events and funding.

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

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from mss_tracker.lib.admin_filters import OfferedFiltersOnly
from mss_tracker.lib.transactions import rolled_back
from mss_tracker.tracker.admin.audit import AuditedAdmin
from mss_tracker.tracker.admin.carry_over import CarryOverMixin
from mss_tracker.tracker.admin.csv_files import CsvImportExportMixin
from mss_tracker.tracker.admin.error_reports import HandlesErrorReports
from mss_tracker.tracker.admin.forms import DeploymentEventForm, FundingRecordForm, PledgeForm
from mss_tracker.tracker.admin.layout import WithoutNavSidebar
from mss_tracker.tracker.codes import iso3_country, iso_name
from mss_tracker.tracker.models import (
    Country,
    DeploymentEvent,
    FundingRecord,
    Mission,
    Pledge,
    Source,
)
from mss_tracker.tracker.timelines import NegativeStrength


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
        record = iso3_country(iso3) if iso3 else None
        if record is not None:
            if "iso2" in self.fields and not cleaned.get("iso2"):
                cleaned["iso2"] = record.alpha_2
            if not cleaned.get("name"):
                cleaned["name"] = iso_name(record)
        return cleaned


@admin.register(Country)
class CountryAdmin(OfferedFiltersOnly, admin.ModelAdmin):
    form = CountryForm
    list_display = ["name", "iso3", "iso2", "flag"]
    search_fields = ["name", "iso3", "iso2"]
    ordering = ["name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Country | None = None) -> list[str]:
        # The alpha-3 code is the primary key: changing it would make a second country.
        return ["iso3"] if obj is not None else []


@admin.register(Source)
class SourceAdmin(AuditedAdmin):
    list_display = ["publisher", "title", "published_on", "url"]
    search_fields = ["publisher", "title", "url"]
    date_hierarchy = "published_on"
    ordering = ["-published_on", "publisher"]


@admin.register(Mission)
class MissionAdmin(WithoutNavSidebar, CarryOverMixin, AuditedAdmin):
    actions = [*CarryOverMixin.actions, "delete_selected"]
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
    list_filter = [("host_country", admin.RelatedOnlyFieldListFilter)]  # hosts only
    date_hierarchy = "start_date"
    ordering = ["start_date", "slug"]
    prepopulated_fields = {"slug": ["acronym"]}
    autocomplete_fields = ["host_country", "lead_country", "source"]


class DatedRecordAdmin(WithoutNavSidebar, AuditedAdmin):
    """What the pledge and event lists share: filters, search, dates, sources.

    The lists fit a 1280 px screen: the mission's short code, the source's publisher only,
    the figures near the start.
    """

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
    readonly_fields = ["record_id"]  # the id in CSV and JSON: given once, never edited
    list_per_page = 100
    show_full_result_count = False  # one COUNT(*) per page view is enough
    # "Save and add another" starts the next record with these values of the last one.
    kept_for_the_next = ["mission", "country", "source", "date", "date_precision"]

    @admin.display(description="id")
    def record_id(self, obj: Pledge | DeploymentEvent) -> str:
        return str(obj.uuid) if obj and obj.uuid else "—"

    @admin.display(description="date", ordering="date")
    def date_shown(self, obj: Pledge | DeploymentEvent) -> str:
        return obj.date_display

    @admin.display(description="mission", ordering="mission__acronym")
    def mission_code(self, obj: Pledge | DeploymentEvent) -> str:
        return obj.mission.acronym

    @admin.display(description="source", ordering="source__publisher")
    def source_publisher(self, obj: Pledge | DeploymentEvent) -> str:
        return obj.source.publisher

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if form.moved_date is not None:
            typed, stored = form.moved_date
            where = "1 January" if obj.date_precision == "year" else "the 1st of the month"
            self.message_user(
                request,
                f"The date is stored as {stored.isoformat()} (you typed {typed.isoformat()}): "
                f"a {obj.date_precision}-precision date is recorded on {where}.",
                messages.INFO,
            )

    def response_add(self, request: HttpRequest, obj, post_url_continue=None) -> HttpResponse:
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST and isinstance(response, HttpResponseRedirect):
            kept = {}
            for name in self.kept_for_the_next:
                value = getattr(obj, obj._meta.get_field(name).attname)
                kept[name] = value.isoformat() if hasattr(value, "isoformat") else value
            separator = "&" if "?" in response["Location"] else "?"
            response["Location"] += separator + urlencode(kept)
        return response


@admin.register(Pledge)
class PledgeAdmin(HandlesErrorReports, CsvImportExportMixin, DatedRecordAdmin):
    form = PledgeForm
    list_display = [
        "date_shown",
        "country",
        "personnel_type",
        "personnel_shown",
        "mission_code",
        "disputed",
        "source_publisher",
    ]
    list_filter = ["mission", ("country", admin.RelatedOnlyFieldListFilter), "personnel_type"]
    list_filter += ["disputed", "date_precision"]
    ordering = ["-date", "country__name", "personnel_type"]
    actions = [*CsvImportExportMixin.actions, "delete_selected"]

    @admin.display(description="personnel", ordering="personnel")
    def personnel_shown(self, obj: Pledge) -> str:
        return "—" if obj.personnel is None else f"{obj.personnel:,}"


@admin.register(DeploymentEvent)
class DeploymentEventAdmin(HandlesErrorReports, CsvImportExportMixin, DatedRecordAdmin):
    form = DeploymentEventForm
    list_display = [
        "date_shown",
        "country",
        "kind",
        "personnel_type",
        "personnel",
        "strength_after_shown",
        "mission_code",
        "disputed",
        "source_publisher",
    ]
    list_filter = ["mission", ("country", admin.RelatedOnlyFieldListFilter), "kind"]
    list_filter += ["personnel_type", "disputed", "date_precision"]
    ordering = ["-date", "country__name", "personnel_type", "-pk"]
    actions = [*CsvImportExportMixin.actions, "delete_selected"]

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
        """Delete selected, refused when what is left of a timeline would go negative."""
        if request.POST.get("post") and request.POST.get("change_reason", "").strip():
            try:
                _check_deletion(queryset)
            except NegativeStrength as error:
                self.message_user(request, error.message, messages.ERROR)
                return None
        return super().delete_selected(request, queryset)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[DeploymentEvent]) -> None:
        # Without the list's annotation, which a DELETE cannot carry.
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, DeploymentEvent.objects.filter(pk__in=pks))


def _check_deletion(queryset: QuerySet[DeploymentEvent]) -> None:
    """Delete the events in a savepoint and undo it, raising what the delete raised."""
    pks = list(queryset.values_list("pk", flat=True))
    with rolled_back():
        DeploymentEvent.objects.filter(pk__in=pks).delete()


@admin.register(FundingRecord)
class FundingRecordAdmin(CsvImportExportMixin, DatedRecordAdmin):
    """Funding records, as pledges and events: filters, the id, reasons, CSV."""

    form = FundingRecordForm
    list_display = [
        "date_shown",
        "donor_shown",
        "kind",
        "measure",
        "channel",
        "amount_shown",
        "mission_code",
        "disputed",
        "source_publisher",
    ]
    list_select_related = ["mission", "donor", "source"]
    list_filter = ["mission", ("donor", admin.RelatedOnlyFieldListFilter), "kind", "measure"]
    list_filter += ["channel", "disputed", "date_precision"]
    search_fields = ["donor__name", "=donor__iso3", "notes", "source__publisher", "source__title"]
    autocomplete_fields = ["donor", "source"]
    ordering = ["-date", "kind", "-pk"]
    actions = [*CsvImportExportMixin.actions, "delete_selected"]
    kept_for_the_next = ["mission", "donor", "source", "date", "date_precision", "channel"]

    @admin.display(description="donor", ordering="donor__name")
    def donor_shown(self, obj: FundingRecord) -> str:
        return obj.donor.name if obj.donor_id else "all donors"

    @admin.display(description="amount (US$)", ordering="amount_usd")
    def amount_shown(self, obj: FundingRecord) -> str:
        return f"{obj.amount_usd:,}"
