"""What changed between two dates (docs/changes-and-citations.md): per country and in
total, the dashboard's figures at both dates and the events recorded in between.

The figures at each date are `figures.country_figures` at that date (the dashboard's own
arithmetic, nothing recomputed here); the total row is `figures.totals_of` of the same
rows. The events are those dated after `date_from` up to and including `date_to`, summed
by kind in the database: personnel arrived, left, carried over and killed, and how many
events there were. Three queries whatever the number of countries or events.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from mss_tracker.tracker import figures
from mss_tracker.tracker.models import Country, DeploymentEvent, EventKind, Mission

DEFAULT_DAYS = 90  # `from` when only `to` is given (or neither): 90 days before it

# The kinds counted in their own column, and the column's name.
COUNTED_KINDS = {
    "arrivals": EventKind.ARRIVAL,
    "departures": EventKind.DEPARTURE,
    "transfers": EventKind.TRANSFER,
    "fatalities": EventKind.FATALITY,
}


@dataclass(frozen=True)
class EventCounts:
    """The events dated in the range: personnel per kind, and how many events."""

    arrivals: int = 0
    departures: int = 0
    transfers: int = 0
    fatalities: int = 0
    events: int = 0


@dataclass(frozen=True)
class Change:
    """One row of the changes table: a country's (or, with `iso3` None, the total's)."""

    iso3: str | None
    name: str
    deployed_from: int
    deployed_to: int
    pledged_from: int | None  # None: no numeric pledge in force
    pledged_to: int | None
    pledged_change: int | None
    deployed_to_disputed: bool
    pledged_to_disputed: bool
    counts: EventCounts
    country: Country | None = None

    @property
    def deployed_change(self) -> int:
        return self.deployed_to - self.deployed_from

    @property
    def is_total(self) -> bool:
        return self.iso3 is None


@dataclass(frozen=True)
class Changes:
    date_from: datetime.date  # as asked
    date_to: datetime.date
    as_of_from: datetime.date  # the dates whose figures are shown (Mission.effective_as_of)
    as_of_to: datetime.date
    rows: list[Change]
    total: Change


def pledged_change(
    before: int | None, after: int | None, *, unknown_before: bool, unknown_after: bool
) -> int | None:
    """The change of a pledged figure. No pledge in force counts as 0; a pledge with no
    number announced (`unknown_…`) leaves the change unknown (None), as does having no
    pledge at either date."""
    if unknown_before or unknown_after or (before is None and after is None):
        return None
    return (after or 0) - (before or 0)


def event_counts(
    mission: Mission,
    date_from: datetime.date,
    date_to: datetime.date,
    personnel_type: str | None = None,
    country: str | None = None,
) -> dict[str, EventCounts]:
    """Per country (ISO alpha-3), the events dated after `date_from` up to and including
    `date_to`: the personnel of each counted kind, and the number of events (one query)."""
    events = (
        DeploymentEvent.objects.in_mission(mission)
        .of_type(personnel_type)
        .filter(date__gt=date_from, date__lte=date_to)
    )
    if country:
        events = events.filter(country_id=country)
    sums = {
        name: Coalesce(Sum("personnel", filter=Q(kind=kind)), 0)
        for name, kind in COUNTED_KINDS.items()
    }
    rows = events.order_by().values("country_id").annotate(**sums, events=Count("pk"))
    return {
        row["country_id"]: EventCounts(**{name: row[name] for name in (*sums, "events")})
        for row in rows
    }


def _summed(counts: Iterable[EventCounts]) -> EventCounts:
    counts = list(counts)
    return EventCounts(
        **{
            name: sum(getattr(count, name) for count in counts)
            for name in (*COUNTED_KINDS, "events")
        }
    )


def changes_between(
    mission: Mission,
    date_from: datetime.date,
    date_to: datetime.date,
    personnel_type: str | None = None,
    country: str | None = None,
) -> Changes:
    """Per country with a pledge or an event dated ≤ the later date, and in total: the
    dashboard's figures at each date (`as_of=date_from`, `as_of=date_to`, the same type
    filter) and the events dated in between. `country` narrows to one (ISO alpha-3)."""
    as_of_from, as_of_to = mission.effective_as_of(date_from), mission.effective_as_of(date_to)

    def figures_at(as_of: datetime.date) -> list[Country]:
        rows = figures.country_figures(mission, as_of, personnel_type)
        return list(rows.filter(pk=country) if country else rows)

    before = {row.iso3: row for row in figures_at(as_of_from)}
    after = figures_at(as_of_to)
    counts = event_counts(mission, date_from, date_to, personnel_type, country)
    rows = []
    for row in after:  # every country listed at the earlier date is listed at the later
        old = before.get(row.iso3)
        rows.append(
            Change(
                iso3=row.iso3,
                name=row.name,
                deployed_from=old.deployed if old else 0,
                deployed_to=row.deployed,
                pledged_from=old.pledged if old else None,
                pledged_to=row.pledged,
                pledged_change=pledged_change(
                    old.pledged if old else None,
                    row.pledged,
                    unknown_before=bool(old and old.has_pledge and old.pledged is None),
                    unknown_after=row.has_pledge and row.pledged is None,
                ),
                deployed_to_disputed=row.deployed_disputed_by is not None,
                pledged_to_disputed=row.pledged_disputed_by is not None,
                counts=counts.get(row.iso3, EventCounts()),
                country=row,
            )
        )
    totals_before, totals_after = figures.totals_of(before.values()), figures.totals_of(after)
    total = Change(
        iso3=None,
        name="",
        deployed_from=totals_before.deployed,
        deployed_to=totals_after.deployed,
        pledged_from=totals_before.pledged,
        pledged_to=totals_after.pledged,
        # Totals are sums of the numeric pledges: one with no number adds nothing.
        pledged_change=pledged_change(
            totals_before.pledged,
            totals_after.pledged,
            unknown_before=False,
            unknown_after=False,
        ),
        deployed_to_disputed=totals_after.deployed_disputed,
        pledged_to_disputed=totals_after.pledged_disputed,
        counts=_summed(counts.values()),
    )
    return Changes(date_from, date_to, as_of_from, as_of_to, rows, total)
