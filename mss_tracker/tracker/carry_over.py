"""Carry personnel over from a predecessor mission (docs/rules.md, "Succession").

When a mission takes another's place ("re-hatting"), the personnel on the ground do not
arrive again: they are recorded in the successor as one `transfer` per (country, type),
dated the successor's start date, normally with the predecessor's end-date strength.
`proposed_transfers` works those rows out from the predecessor's figures; the admin shows
them, the editor picks the source and confirms, and `carry_over` writes them in one
transaction as ordinary events (audited, editable, exported).

Those rows copy a figure, so they can go stale: when an editor corrects the predecessor
after the carry-over (an event at its end date, its end date itself), the transfers still
carry the old strength. `stale_transfers` finds them — the one place that rule lives: the
successor's admin page, its dashboard (for staff) and `check_timelines` all ask it — and
`update_transfers` brings them to the predecessor's figure, with a reason in the history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from mss_tracker.tracker.figures import country_figures
from mss_tracker.tracker.models import (
    Country,
    DeploymentEvent,
    EventKind,
    Mission,
    PersonnelType,
    Source,
)


@dataclass(frozen=True)
class ProposedTransfer:
    country: Country
    personnel_type: str
    personnel: int  # the predecessor's deployed strength on its end date
    already_recorded: int | None  # a transfer of this (country, type) already in the successor

    @property
    def key(self) -> str:
        """The form field value that selects this row."""
        return f"{self.country.iso3}-{self.personnel_type}"

    @property
    def personnel_shown(self) -> str:
        return f"{self.personnel:,}"  # "1,010", as every figure of the admin

    @property
    def already_recorded_shown(self) -> str:
        return "" if self.already_recorded is None else f"{self.already_recorded:,}"


def predecessor_of(mission: Mission) -> Mission | None:
    return Mission.objects.filter(successor=mission).first()


def carry_over_date(predecessor: Mission) -> datetime.date | None:
    """The predecessor's figures are taken on its end date (today while it runs)."""
    return predecessor.effective_as_of()


def proposed_transfers(mission: Mission) -> list[ProposedTransfer]:
    """One row per (country, type) with personnel deployed in the predecessor on its end
    date, in country then type order; empty when the mission has no predecessor."""
    predecessor = predecessor_of(mission)
    if predecessor is None:
        return []
    recorded = {
        (country, personnel_type): personnel
        for country, personnel_type, personnel in DeploymentEvent.objects.filter(
            mission=mission, kind=EventKind.TRANSFER
        ).values_list("country_id", "personnel_type", "personnel")
    }
    day = carry_over_date(predecessor)
    rows = []
    for personnel_type in PersonnelType.values:
        for country in country_figures(predecessor, day, personnel_type).filter(deployed__gt=0):
            rows.append(
                ProposedTransfer(
                    country=country,
                    personnel_type=personnel_type,
                    personnel=country.deployed,
                    already_recorded=recorded.get((country.iso3, personnel_type)),
                )
            )
    return sorted(rows, key=lambda row: (row.country.name, row.personnel_type))


def carry_over(
    mission: Mission,
    rows: list[ProposedTransfer],
    source: Source,
    *,
    disputed: bool = False,
    notes: str = "",
    user: AbstractBaseUser | None = None,
) -> list[DeploymentEvent]:
    """Record `rows` as transfers into `mission` on its start date, all or nothing. Each is
    saved through the model (dates, constraints, timeline and audit history)."""
    predecessor = predecessor_of(mission)
    reason = f"Carried over from {predecessor.acronym}" if predecessor else "Carried over"
    created = []
    with transaction.atomic():
        for row in rows:
            event = DeploymentEvent(
                mission=mission,
                country=row.country,
                personnel_type=row.personnel_type,
                date=mission.start_date,
                kind=EventKind.TRANSFER,
                personnel=row.personnel,
                disputed=disputed,
                notes=notes,
                source=source,
            )
            event._change_reason = reason  # simple-history's reason for this version
            event.save()
            created.append(event)
    return created


@dataclass(frozen=True)
class StaleTransfer:
    """A transfer whose figure differs from its predecessor's end-date strength, which
    changed after the transfer was last saved."""

    event: DeploymentEvent
    personnel_now: int  # the predecessor's deployed strength on its end date, today (0: none)
    predecessor: Mission

    @property
    def recorded_shown(self) -> str:
        return f"{self.event.personnel:,}"

    @property
    def personnel_now_shown(self) -> str:
        return f"{self.personnel_now:,}"

    @property
    def can_update(self) -> bool:
        """A transfer carries at least one person: with none left, it is deleted instead."""
        return self.personnel_now >= 1

    def __str__(self) -> str:
        event = self.event
        return (
            f"{event.country.name} {event.personnel_type}: a transfer of {event.personnel:,}, "
            f"while {self.predecessor.acronym} now has {self.personnel_now:,} on its end date"
        )


def _end_date_strengths(predecessor: Mission, day: datetime.date) -> dict[tuple[str, str], int]:
    """(country, type) → the predecessor's deployed strength on `day`, where it is above 0."""
    return {
        (country.iso3, personnel_type): country.deployed
        for personnel_type in PersonnelType.values
        for country in country_figures(predecessor, day, personnel_type).filter(deployed__gt=0)
    }


def stale_transfers(mission: Mission) -> list[StaleTransfer]:
    """The transfers into `mission` that differ from the predecessor's end-date strength
    when the predecessor's figures for that country and type (its events, or its own
    dates) were changed after the transfer was last saved. A transfer the editor set on
    purpose to another figure (not everyone stayed on) is not stale until the predecessor
    changes again. Country then type order; none without a predecessor or transfers."""
    predecessor = predecessor_of(mission)
    if predecessor is None:
        return []
    transfers = list(
        DeploymentEvent.objects.filter(mission=mission, kind=EventKind.TRANSFER)
        .select_related("country")
        .order_by("country__name", "personnel_type", "pk")
    )
    if not transfers:
        return []
    strengths = _end_date_strengths(predecessor, carry_over_date(predecessor))
    differing = [
        event
        for event in transfers
        if strengths.get((event.country_id, event.personnel_type), 0) != event.personnel
    ]
    if not differing:
        return []
    # When each (country, type) of the predecessor last changed: its events' history holds
    # additions, changes and deletions (imports included); the mission's, its dates.
    changed = {
        (row["country_id"], row["personnel_type"]): row["last"]
        for row in DeploymentEvent.history.filter(mission_id=predecessor.pk)
        .values("country_id", "personnel_type")
        .annotate(last=Max("history_date"))
        .order_by()
    }
    dates_changed = predecessor.history.aggregate(last=Max("history_date"))["last"]
    stale = []
    for event in differing:
        key = (event.country_id, event.personnel_type)
        last = max(filter(None, [changed.get(key), dates_changed]), default=None)
        if last is not None and last > event.updated_at:
            stale.append(StaleTransfer(event, strengths.get(key, 0), predecessor))
    return stale


def update_transfers(
    stale: list[StaleTransfer], reason: str, user: AbstractBaseUser | None = None
) -> list[DeploymentEvent]:
    """Set each transfer to the predecessor's end-date strength, all or nothing, through
    the model (timeline checked, history with `reason`)."""
    updated = []
    with transaction.atomic():
        for row in stale:
            if not row.can_update:
                continue
            event = DeploymentEvent.objects.select_for_update().get(pk=row.event.pk)
            event.personnel = row.personnel_now
            event._change_reason = reason
            event._history_user = user
            event.save()
            updated.append(event)
    return updated
