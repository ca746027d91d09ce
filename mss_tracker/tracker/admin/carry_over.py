"""The admin's "Carry over personnel from <predecessor>" on a successor mission.

A page proposes one `transfer` per (country, type) from the predecessor's end-date
figures (`carry_over.proposed_transfers`); the editor unticks what did not stay on, picks
the source, and confirms; `carry_over.carry_over` writes the rows in one transaction.
Reached from the mission's change page (object tools) or the missions list's action.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse

from mss_tracker.tracker.admin.forms import REASON_REQUIRED
from mss_tracker.tracker.carry_over import (
    carry_over,
    carry_over_date,
    predecessor_of,
    proposed_transfers,
    stale_transfers,
    update_transfers,
)
from mss_tracker.tracker.models import DeploymentEvent, Mission, Source
from mss_tracker.tracker.text import refuse_control_characters
from mss_tracker.tracker.timelines import NegativeStrength


class CarryOverForm(forms.Form):
    source = forms.ModelChoiceField(
        Source.objects.order_by("publisher", "title"),
        help_text="Where the carry-over is documented (e.g. the resolution that converted "
        "the mission).",
    )
    disputed = forms.BooleanField(
        required=False,
        help_text="Tick when no source confirms who stayed on (the figures are inferred).",
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        validators=[refuse_control_characters],
    )


class CarryOverMixin:
    """For MissionAdmin: the carry-over page, its URL and the list action."""

    actions = ["carry_over_personnel"]

    def get_urls(self):
        view = self.admin_site.admin_view(self.carry_over_view)
        return [
            path("<path:object_id>/carry-over/", view, name="tracker_mission_carry_over"),
            *super().get_urls(),
        ]

    @admin.action(permissions=["change"], description="Carry over personnel from the predecessor")
    def carry_over_personnel(self, request: HttpRequest, queryset: QuerySet[Mission]):
        if queryset.count() != 1:
            self.message_user(request, "Select one successor mission.", messages.WARNING)
            return None
        url = reverse("admin:tracker_mission_carry_over", args=[queryset.get().pk])
        return HttpResponseRedirect(url)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ):
        """The mission's page says which of its transfers went stale (carry_over.py)."""
        mission = self.get_object(request, unquote(object_id))
        stale = stale_transfers(mission) if mission is not None else []
        extra_context = {**(extra_context or {}), "stale_transfers": stale}
        return super().change_view(request, object_id, form_url, extra_context)

    def carry_over_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        # get_object reads the id as the key field does (None for "abc", "²" or too big):
        # str.isdigit() takes "²" for a digit that int() then refuses.
        mission = self.get_object(request, unquote(object_id))
        if mission is None:
            raise Http404("No such mission.")
        if not self.has_change_permission(request, mission):
            raise PermissionDenied
        predecessor = predecessor_of(mission)
        stale = stale_transfers(mission)
        if request.method == "POST" and request.POST.get("action") == "update_stale":
            return self._update_stale(request, mission, stale)
        proposals = proposed_transfers(mission)
        form = CarryOverForm(request.POST or None, initial=_initial(mission, predecessor))
        if request.method == "POST" and form.is_valid():
            chosen = set(request.POST.getlist("rows"))
            rows = [row for row in proposals if row.key in chosen and row.already_recorded is None]
            if not rows:
                form.add_error(None, "Select at least one row to carry over.")
            else:
                try:
                    created = carry_over(
                        mission,
                        rows,
                        form.cleaned_data["source"],
                        disputed=form.cleaned_data["disputed"],
                        notes=form.cleaned_data["notes"],
                        user=request.user,
                    )
                except (ValidationError, IntegrityError) as error:
                    form.add_error(None, getattr(error, "messages", [str(error)])[0])
                else:
                    total = sum(event.personnel for event in created)
                    self.message_user(
                        request,
                        f"Recorded {len(created)} transfers ({total:,} personnel) from "
                        f"{predecessor.acronym} into {mission.acronym} on "
                        f"{mission.start_date:%-d %b %Y}.",
                        messages.SUCCESS,
                    )
                    changelist = reverse("admin:tracker_deploymentevent_changelist")
                    return HttpResponseRedirect(
                        f"{changelist}?mission__id__exact={mission.pk}&kind__exact=transfer"
                    )
        # "+" beside the source: add one without leaving the page (a popup, as on the
        # record forms; without JavaScript the link opens the add form).
        form.fields["source"].widget = RelatedFieldWidgetWrapper(
            form.fields["source"].widget,
            DeploymentEvent._meta.get_field("source").remote_field,
            self.admin_site,
            can_add_related=request.user.has_perm("tracker.add_source"),
            can_change_related=False,
            can_delete_related=False,
            can_view_related=False,
        )
        # The rows ticked: as posted when the form comes back with an error (an unticked
        # row stays unticked), else every row not carried over yet.
        if request.method == "POST":
            ticked = set(request.POST.getlist("rows"))
        else:
            ticked = {row.key for row in proposals if row.already_recorded is None}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Carry over personnel into {mission.acronym}",
            "ticked": ticked,
            "mission": mission,
            "predecessor": predecessor,
            "carry_over_date": carry_over_date(predecessor) if predecessor else None,
            "proposals": proposals,
            "form": form,
            "stale": stale,
        }
        return render(request, "admin/tracker/mission/carry_over.html", context)

    def _update_stale(self, request: HttpRequest, mission: Mission, stale: list) -> HttpResponse:
        """Bring the ticked stale transfers to the predecessor's end-date strength."""
        here = HttpResponseRedirect(request.path)
        reason = request.POST.get("change_reason", "").strip()
        chosen = set(request.POST.getlist("stale"))
        rows = [row for row in stale if str(row.event.pk) in chosen and row.can_update]
        if not reason:
            self.message_user(request, REASON_REQUIRED, messages.ERROR)
            return here
        if not rows:
            self.message_user(request, "Select at least one transfer to update.", messages.ERROR)
            return here
        try:
            updated = update_transfers(rows, reason[:500], request.user)
        except (ValidationError, NegativeStrength, IntegrityError) as error:
            self.message_user(request, getattr(error, "messages", [str(error)])[0], messages.ERROR)
            return here
        self.message_user(
            request,
            f"Updated {len(updated)} transfer{'s' if len(updated) != 1 else ''} into "
            f"{mission.acronym} to {rows[0].predecessor.acronym}'s end-date strength.",
            messages.SUCCESS,
        )
        return here


def _initial(mission: Mission, predecessor: Mission | None) -> dict:
    if predecessor is None:
        return {}
    day = carry_over_date(predecessor)
    return {
        "source": mission.source_id,
        "notes": f"Carried over from {predecessor.acronym}: its deployed strength on its end "
        f"date ({day:%-d %b %Y}), recorded when {mission.acronym} took its place.",
    }
