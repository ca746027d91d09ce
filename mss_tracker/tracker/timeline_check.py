"""Is the derived data still what the events make it? (`manage.py check_timelines`)

Every write path rebuilds the timelines in the transaction of its write (timelines.py),
and the bulk queryset methods that would skip it rebuild too (bulk_writes.py). What is
left is what no code path sees: a fix in psql, a partial restore, a bug. This module
derives every point afresh from the events, with the rebuild's own SQL
(`timelines.DERIVED_POINTS`), and compares it with what is stored, column by column:
`TimelinePoint` (deployed, its change, fatalities, first arrival, the disputed and
unconfirmed figures, the unexplained part of a strength report, the events to date) and
`MissionTotalPoint` (each date's countries and change, summed from the derived points).
It also asks `carry_over.stale_transfers` for every mission with a predecessor.

`find_differences` compares without writing, in one statement: the points are derived
once, and both tables are read in one snapshot while editors write. `repair` rebuilds,
mission by mission under the mission's lock, the countries whose points differ and the
mission's totals from scratch, then bumps the data version (the timeline tables have no
trigger), so cached pages follow. A stale transfer is reported, never repaired here:
updating it is an editor's decision, with a reason, on the successor's carry-over page.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from mss_tracker.tracker.carry_over import StaleTransfer, stale_transfers
from mss_tracker.tracker.codes import ALL_TYPES
from mss_tracker.tracker.data_version import bump_data_version
from mss_tracker.tracker.models import Country, DeploymentEvent, Mission
from mss_tracker.tracker.timelines import (
    DERIVED_POINTS,
    POINT_COLUMNS,
    as_date,
    replace_mission_totals,
)

_POINT_KEY = ("mission_id", "country_id", "personnel_type", "date")
_POINT_VALUES = tuple(name.strip() for name in POINT_COLUMNS.split(","))[len(_POINT_KEY) :]
_TOTAL_KEY = ("mission_id", "personnel_type", "date")
_TOTAL_VALUES = ("countries", "deployed_change")
_DATE_VALUES = {"first_arrival"}
_ID_VALUES = {"deployed_disputed_by"}  # an event's id: "6127", not "6,127"

_TOTAL_COLUMNS = ", ".join(_TOTAL_KEY + _TOTAL_VALUES)
_PADDING = ", NULL" * (len(_POINT_VALUES) - len(_TOTAL_VALUES))  # a total's row as wide

# One statement, so that the points are derived once (a CTE read more than once is
# computed once, on both databases) and both tables are compared in one snapshot. Each
# row found says its table (0 points, 1 totals) and its side: stored but not derived (0),
# or derived but not stored (1). EXCEPT compares every column, NULLs as equal, the same on
# SQLite and PostgreSQL; the totals are the sums of the derived points.
_COMPARED = (
    DERIVED_POINTS.format(scope="1 = 1")
    + f"""
, derived_totals ({_TOTAL_COLUMNS}) AS (
    SELECT mission_id, personnel_type, date, COUNT(*), SUM(deployed_change)
    FROM derived_points
    GROUP BY mission_id, personnel_type, date
),
stored_points ({POINT_COLUMNS}) AS (SELECT {POINT_COLUMNS} FROM tracker_timelinepoint),
stored_totals ({_TOTAL_COLUMNS}) AS (SELECT {_TOTAL_COLUMNS} FROM tracker_missiontotalpoint)
SELECT 0, 0, found.* FROM (
    SELECT * FROM stored_points EXCEPT SELECT * FROM derived_points) AS found
UNION ALL
SELECT 0, 1, found.* FROM (
    SELECT * FROM derived_points EXCEPT SELECT * FROM stored_points) AS found
UNION ALL
SELECT 1, 0, mission_id, NULL, personnel_type, date, countries, deployed_change{_PADDING}
FROM (SELECT * FROM stored_totals EXCEPT SELECT * FROM derived_totals) AS found
UNION ALL
SELECT 1, 1, mission_id, NULL, personnel_type, date, countries, deployed_change{_PADDING}
FROM (SELECT * FROM derived_totals EXCEPT SELECT * FROM stored_totals) AS found
"""
)

Values = dict[str, int | datetime.date | None]


@dataclass(frozen=True)
class Difference:
    """A stored point or mission total that is not what the events make it. `stored` is
    None for one the events make and nothing stores, `derived` for one stored that no
    event accounts for. `country_id` is None for a mission total."""

    mission_id: int
    country_id: str | None
    personnel_type: str
    date: datetime.date
    stored: Values | None
    derived: Values | None

    @property
    def what(self) -> str:
        return "mission total" if self.country_id is None else "timeline point"

    def changes(self) -> str:
        """ "deployed 120 stored, 100 from the events; …" (the columns that differ)."""
        if self.stored is None:
            return "not stored; the events make it " + _values(self.derived)
        if self.derived is None:
            return "stored, but no event accounts for it: " + _values(self.stored)
        return "; ".join(
            f"{name} {_shown(name, self.stored[name])} stored, "
            f"{_shown(name, self.derived[name])} "
            "from the events"
            for name in self.stored
            if self.stored[name] != self.derived[name]
        )


def _shown(name: str, value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int) and name not in _ID_VALUES:
        return f"{value:,}"
    return str(value)


def _values(values: Values | None) -> str:
    return ", ".join(f"{name} {_shown(name, value)}" for name, value in (values or {}).items())


def _read(value: object, date: bool) -> int | datetime.date | None:
    """A value as the database hands it back: SQLite's dates are text, PostgreSQL's
    sums of integers are numeric."""
    if date:
        return as_date(value)  # type: ignore[arg-type]  # text or a date, never a number
    if isinstance(value, Decimal):
        return int(value)
    return value  # type: ignore[return-value]  # an integer or NULL


def find_differences() -> list[Difference]:
    """Every timeline point and mission total that differs from what the events make it,
    by mission, country (points first, then the mission's totals), type and date. One
    statement."""
    sides: dict[tuple[int, str | None, str, datetime.date], list[Values | None]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_COMPARED)
        for table, side, mission_id, country_id, personnel_type, day, *values in cursor:
            names = _TOTAL_VALUES if table else _POINT_VALUES
            read = {
                name: _read(value, name in _DATE_VALUES)
                for name, value in zip(names, values[: len(names)], strict=True)
            }
            key = (mission_id, country_id, personnel_type, datetime.date.fromisoformat(str(day)))
            sides.setdefault(key, [None, None])[side] = read
    found = [
        Difference(mission_id, country_id, personnel_type, day, stored, derived)
        for (mission_id, country_id, personnel_type, day), (stored, derived) in sides.items()
    ]
    return sorted(
        found,
        key=lambda d: (
            d.mission_id,
            d.country_id is None,
            d.country_id or "",
            d.personnel_type,
            d.date,
        ),
    )


def stale_carry_overs() -> list[tuple[Mission, StaleTransfer]]:
    """The stale carried-over transfers of every mission with a predecessor."""
    return [
        (mission, stale)
        for mission in Mission.objects.filter(predecessor__isnull=False).order_by("slug")
        for stale in stale_transfers(mission)
    ]


@dataclass(frozen=True)
class Refusal:
    """A mission whose timelines cannot be rebuilt: its events break a rule (a negative
    strength, an impossible date), which only correcting the events can mend."""

    mission_id: int
    message: str


def repair(differences: list[Difference]) -> list[Refusal]:
    """Rebuild the countries and totals that differ, one mission at a time (each in its
    own transaction, under the mission's lock), and bump the data version."""
    countries: dict[int, set[str]] = {}
    for difference in differences:
        named = countries.setdefault(difference.mission_id, set())
        if difference.country_id is not None:
            named.add(difference.country_id)
    refused = []
    for mission_id, codes in sorted(countries.items()):
        try:
            with transaction.atomic():
                Mission.objects.lock(mission_id)
                DeploymentEvent.objects.rebuild_timelines(
                    {(mission_id, code, "") for code in codes}
                )
                replace_mission_totals([mission_id])
                bump_data_version()
        except ValidationError as exc:  # NegativeStrength, ImpossibleDate
            refused.append(Refusal(mission_id, exc.messages[0]))
    return refused


def stale_line(mission: Mission, stale: StaleTransfer) -> str:
    """ "GSF, Kenya (KEN), police, 2025-10-03, carried-over transfer: …"."""
    event = stale.event
    return (
        f"{mission.acronym}, {event.country.name} ({event.country_id}), {event.personnel_type}, "
        f"{event.date.isoformat()}, carried-over transfer: {stale}; an editor updates it "
        f"on {mission.acronym}'s carry-over page in the admin, with a reason"
    )


class Names:
    """Missions and countries as the report names them: "GSF", "Kenya (KEN)"."""

    def __init__(self, mission_ids: set[int], country_ids: set[str]) -> None:
        missions = Mission.objects.filter(pk__in=mission_ids).values_list("pk", "acronym")
        self.missions: dict[int, str] = dict(missions)
        countries = Country.objects.filter(pk__in=country_ids).values_list("pk", "name")
        self.countries: dict[str, str] = dict(countries)

    def mission(self, mission_id: int) -> str:
        return self.missions.get(mission_id, f"mission #{mission_id} (deleted)")

    def country(self, iso3: str | None) -> str:
        if iso3 is None:
            return "all countries"
        return f"{self.countries.get(iso3, '(deleted)')} ({iso3})"

    def line(self, difference: Difference) -> str:
        """ "GSF, Kenya (KEN), police, 2025-01-03, timeline point: deployed 120 stored, …"."""
        kind = "all types" if difference.personnel_type == ALL_TYPES else difference.personnel_type
        return (
            f"{self.mission(difference.mission_id)}, {self.country(difference.country_id)}, "
            f"{kind}, {difference.date.isoformat()}, {difference.what}: {difference.changes()}"
        )


def names_for(differences: list[Difference], refusals: Sequence[Refusal] = ()) -> Names:
    return Names(
        {d.mission_id for d in differences} | {r.mission_id for r in refusals},
        {d.country_id for d in differences if d.country_id is not None},
    )
