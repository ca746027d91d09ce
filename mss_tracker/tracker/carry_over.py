"""Carry personnel over from a predecessor mission (DESIGN.md: `transfer`).

When a mission takes another's place ("re-hatting"), the personnel on the ground do not
arrive again: they are recorded in the successor as one `transfer` per (country, type),
dated the successor's start date, normally with the predecessor's end-date strength.
`proposed_transfers` works those rows out from the predecessor's figures; the admin shows
them, the editor picks the source and confirms, and `carry_over` writes them in one
transaction as ordinary events (audited, editable, exported).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

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
