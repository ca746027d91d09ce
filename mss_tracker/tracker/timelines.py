"""Maintain `TimelinePoint`, the end-of-day deployed strength of every timeline.

A timeline is one (mission, country, personnel type). Every write path (model save and
delete; queryset update, bulk_create, bulk_update and delete, bulk_writes.py; CSV import)
calls `DeploymentEvent.objects.rebuild_timelines()` inside the transaction of its write,
which checks the events' dates and then calls `write_points()` here, so the derived points
are never stale and no write can leave a timeline negative on any date: the rebuild
looks for the first negative point in SQL and raises `NegativeStrength`, which rolls the
whole write back. This module imports no model: the models call it, handing it the
timelines' keys, and it reads and writes their tables by name in SQL. `manage.py
check_timelines` (timeline_check.py) finds what a write no code path sees (raw SQL)
leaves behind.

The arithmetic of docs/rules.md, in window functions (standard SQL, same on SQLite and
PostgreSQL): per date, a strength report *sets* the end-of-day figure and otherwise the
day's arrivals and transfers minus departures and fatalities are added. Numbering the dates by "how
many reports so far" splits a timeline into runs that each start at a report (or at 0),
so the running sum within a run is exactly "the latest report, plus every change after it".

Beside the points, the same statements keep `MissionTotalPoint` (the mission's strength
changes summed over its countries, per type and date) in step, so the strength chart
reads one row per date.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from mss_tracker.tracker.codes import (
    ADDING_KINDS,
    ALL_TYPES,
    SUBTRACTING_KINDS,
    EventKind,
    PersonnelType,
    sql_in,
)
from mss_tracker.tracker.dates import format_with_precision

TimelineKey = tuple[int, str, str]  # (mission id, country iso3, personnel type)

_TIMELINE = "mission_id, country_id, personnel_type"

_POINTS_BY_TYPE = f"""
days AS (
    SELECT {_TIMELINE}, date,
        SUM(CASE WHEN kind IN {sql_in(ADDING_KINDS)} THEN personnel
                 WHEN kind IN {sql_in(SUBTRACTING_KINDS)} THEN -personnel
                 ELSE 0 END) AS delta,
        MAX(CASE WHEN kind = '{EventKind.STRENGTH_REPORT}' THEN personnel END) AS reported,
        SUM(CASE WHEN kind = '{EventKind.FATALITY}' THEN personnel ELSE 0 END) AS killed,
        COUNT(*) AS events,
        MIN(CASE WHEN kind IN {sql_in(ADDING_KINDS)} THEN date END) AS arrived_on,
        CASE WHEN MAX(CASE WHEN kind = '{EventKind.STRENGTH_REPORT}' THEN 1 END) = 1
             THEN MAX(CASE WHEN kind = '{EventKind.STRENGTH_REPORT}' AND disputed THEN id END)
             ELSE MAX(CASE WHEN disputed THEN id END) END AS doubted_by
    FROM tracker_deploymentevent
    WHERE {{scope}}
    GROUP BY {_TIMELINE}, date
),
runs AS (
    SELECT days.*,
        COUNT(reported) OVER (PARTITION BY {_TIMELINE} ORDER BY date) AS run
    FROM days
),
levels AS (
    SELECT {_TIMELINE}, date, run, reported, delta,
        SUM(COALESCE(reported, delta)) OVER run_so_far AS deployed,
        killed,
        SUM(killed) OVER (PARTITION BY {_TIMELINE} ORDER BY date) AS fatalities_to_date,
        events,
        SUM(events) OVER (PARTITION BY {_TIMELINE} ORDER BY date) AS events_to_date,
        MIN(arrived_on) OVER (PARTITION BY {_TIMELINE} ORDER BY date) AS first_arrival,
        doubted_by,
        COUNT(doubted_by) OVER run_so_far AS doubts_so_far
    FROM runs
    WINDOW run_so_far AS (PARTITION BY {_TIMELINE}, run ORDER BY date)
)
"""

# What makes a deployed figure disputed (docs/rules.md, "Disputed follows the figure"):
# the events that determine it are the run's strength report (a report day's own changes
# are overridden, so that day counts the report alone) and the changes after it. Within
# a run, a point's `disputed_by` is the latest day that had a disputed determining event
# (its newest event by id): the days since the last such day share `doubts_so_far`, so
# the MAX over that group is that day's event, and NULL before the run's first doubt.
_DISPUTED_BY_TYPE = f"""
doubts AS (
    SELECT levels.*,
        MAX(doubted_by) OVER (PARTITION BY {_TIMELINE}, run, doubts_so_far) AS disputed_by
    FROM levels
),
typed AS (
    SELECT {_TIMELINE}, date, deployed,
        deployed - COALESCE(LAG(deployed) OVER timeline, 0) AS deployed_change,
        killed, fatalities_to_date, events, events_to_date, first_arrival, disputed_by,
        CASE WHEN disputed_by IS NULL THEN 0 ELSE deployed END AS unconfirmed,
        CASE WHEN disputed_by IS NULL THEN 0 ELSE deployed END
            - COALESCE(LAG(CASE WHEN disputed_by IS NULL THEN 0 ELSE deployed END)
                OVER timeline, 0) AS unconfirmed_change,
        COALESCE(disputed_by, 0) - COALESCE(LAG(disputed_by) OVER timeline, 0)
            AS disputed_by_change,
        CASE WHEN reported IS NOT NULL THEN NULLIF(
            reported - COALESCE(LAG(deployed) OVER timeline, 0) - delta, 0) END
            AS report_unaccounted
    FROM doubts
    WINDOW timeline AS (PARTITION BY {_TIMELINE} ORDER BY date)
)
"""


def _greatest(values: list[str]) -> str:
    """The greatest of `values` (never NULL) in standard SQL: SQLite's max(a, b) and
    PostgreSQL's GREATEST differ."""
    first, *rest = values
    if not rest:
        return first
    above = " AND ".join(f"{first} >= {other}" for other in rest)
    return f"CASE WHEN {above} THEN {first} ELSE {_greatest(rest)} END"


# A type's current `disputed_by` on any date of its country is the running sum of its
# changes (0 for none), like deployed; the all-types point names the greatest of them.
_TYPES_DISPUTED_BY = ",\n        ".join(
    f"SUM(SUM(CASE WHEN personnel_type = '{value}' THEN disputed_by_change ELSE 0 END))"
    f" OVER country_so_far AS disputed_by_{value}"
    for value in PersonnelType.values
)
_ALL_DISPUTED_BY = _greatest([f"disputed_by_{value}" for value in PersonnelType.values])

POINT_COLUMNS = (
    f"{_TIMELINE}, date, deployed, deployed_change, fatalities_to_date, first_arrival, "
    "deployed_disputed_by, deployed_unconfirmed, report_unaccounted, events_to_date"
)

# Every point of the timelines in scope, by type and for all types (personnel_type
# 'all': the changes of the three types added up date by date), in one statement that
# derives the points by type once. The all-types figure is disputed when a type's is,
# and its unconfirmed amount is the sum of the disputed types' figures.
_POINTS = f"""
SELECT {_TIMELINE}, date, deployed, deployed_change, fatalities_to_date, first_arrival,
    disputed_by, unconfirmed, report_unaccounted, events_to_date
FROM typed
UNION ALL
SELECT mission_id, country_id, '{ALL_TYPES}', date, deployed, deployed_change,
    fatalities_to_date, first_arrival, NULLIF({_ALL_DISPUTED_BY}, 0), unconfirmed, NULL,
    events_to_date
FROM (
    SELECT mission_id, country_id, date,
        SUM(SUM(deployed_change)) OVER country_so_far AS deployed,
        SUM(deployed_change) AS deployed_change,
        SUM(SUM(killed)) OVER country_so_far AS fatalities_to_date,
        MIN(MIN(first_arrival)) OVER country_so_far AS first_arrival,
        SUM(SUM(unconfirmed_change)) OVER country_so_far AS unconfirmed,
        SUM(SUM(events)) OVER country_so_far AS events_to_date,
        {_TYPES_DISPUTED_BY}
    FROM typed
    GROUP BY mission_id, country_id, date
    WINDOW country_so_far AS (PARTITION BY mission_id, country_id ORDER BY date)
) AS all_types
"""
_INSERT_POINTS = f"""
WITH {_POINTS_BY_TYPE}, {_DISPUTED_BY_TYPE}
INSERT INTO tracker_timelinepoint ({POINT_COLUMNS})
{_POINTS}
"""

# The points as the events of {scope} make them, without writing: a WITH clause that
# names them `derived_points` (columns POINT_COLUMNS), for a statement to compare with
# what is stored (timeline_check.py). The same SQL as the rebuild's, so the two agree.
DERIVED_POINTS = f"""
WITH {_POINTS_BY_TYPE}, {_DISPUTED_BY_TYPE},
derived_points ({POINT_COLUMNS}) AS ({_POINTS})
"""

# The mission's totals (`MissionTotalPoint`) follow the points of the countries in scope:
# their sums are taken away before the points are rewritten ({sign} -1) and the new
# points' sums added after ({sign} 1). A date no country has a point on any more goes.
_ADD_TO_MISSION_TOTALS = """
INSERT INTO tracker_missiontotalpoint (mission_id, personnel_type, date, countries,
    deployed_change)
SELECT mission_id, personnel_type, date, {sign} * COUNT(*), {sign} * SUM(deployed_change)
FROM tracker_timelinepoint
WHERE {scope}
GROUP BY mission_id, personnel_type, date
ON CONFLICT (mission_id, personnel_type, date) DO UPDATE SET
    countries = tracker_missiontotalpoint.countries + excluded.countries,
    deployed_change = tracker_missiontotalpoint.deployed_change + excluded.deployed_change
"""
_DROP_EMPTY_MISSION_TOTALS = """
DELETE FROM tracker_missiontotalpoint WHERE mission_id IN ({missions}) AND countries = 0
"""

# A mission's totals from scratch, from its points: the rebuild keeps them by difference,
# which carries any drift over; a repair (timeline_check.py) replaces them instead.
_REPLACE_MISSION_TOTALS = [
    "DELETE FROM tracker_missiontotalpoint WHERE mission_id IN ({missions})",
    """
    INSERT INTO tracker_missiontotalpoint (mission_id, personnel_type, date, countries,
        deployed_change)
    SELECT mission_id, personnel_type, date, COUNT(*), SUM(deployed_change)
    FROM tracker_timelinepoint
    WHERE mission_id IN ({missions})
    GROUP BY mission_id, personnel_type, date
    """,
]

# On PostgreSQL each of those takes the points as they are written instead of reading
# them back: the old points' sums are taken away as they are deleted, and the new ones'
# added as they are inserted (data-modifying WITH, which SQLite lacks).
_TOTALS_OF = """
INSERT INTO tracker_missiontotalpoint (mission_id, personnel_type, date, countries,
    deployed_change)
SELECT mission_id, personnel_type, date, {sign} * COUNT(*), {sign} * SUM(deployed_change)
FROM written
GROUP BY mission_id, personnel_type, date
ON CONFLICT (mission_id, personnel_type, date) DO UPDATE SET
    countries = tracker_missiontotalpoint.countries + excluded.countries,
    deployed_change = tracker_missiontotalpoint.deployed_change + excluded.deployed_change
"""
_WRITTEN = "RETURNING mission_id, personnel_type, date, deployed_change"
_DELETE_POINTS_FROM_TOTALS = f"""
WITH written AS (DELETE FROM tracker_timelinepoint WHERE {{scope}} {_WRITTEN})
{_TOTALS_OF.format(sign=-1)}
"""
_INSERT_POINTS_INTO_TOTALS = f"""
WITH {_POINTS_BY_TYPE}, {_DISPUTED_BY_TYPE},
written AS (
    INSERT INTO tracker_timelinepoint ({POINT_COLUMNS})
    {_POINTS}
    {_WRITTEN}
)
{_TOTALS_OF.format(sign=1)}
"""

# The names go into NegativeStrength's message: read here, so the exception runs no query.
_FIRST_NEGATIVE = f"""
WITH {_POINTS_BY_TYPE}
SELECT levels.mission_id, levels.country_id, levels.personnel_type, levels.date,
    levels.deployed, tracker_mission.acronym, tracker_country.name
FROM levels
JOIN tracker_mission ON tracker_mission.id = levels.mission_id
JOIN tracker_country ON tracker_country.iso3 = levels.country_id
WHERE levels.deployed < 0
ORDER BY levels.date, levels.country_id, levels.personnel_type
LIMIT 1
"""

_SCOPE_CHUNK = 400  # (mission, country) pairs per statement; keeps well under SQLite's limits


class NegativeStrength(ValidationError):
    """A write would make a timeline's deployed strength negative on some date."""

    def __init__(
        self,
        mission_id: int,
        country_iso3: str,
        personnel_type: str,
        day: datetime.date,
        deployed: int,
        mission: str | None = None,
        country: str | None = None,
    ) -> None:
        """`mission` and `country` are the names the message shows (the acronym and the
        country's name); without them it says "this mission" and the ISO code."""
        self.timeline_key: TimelineKey = (mission_id, country_iso3, personnel_type)
        self.day = day
        self.shortfall = -deployed
        message = (
            f"Refused: {country or country_iso3} {personnel_type} strength in "
            f"{mission or 'this mission'} would fall to {deployed:,} on "
            f"{format_with_precision(day, 'day')} ({day.isoformat()}), a shortfall of "
            f"{-deployed:,}. Deployed strength can never be negative: record the arrival or "
            f"strength report that comes before it, or correct the figure."
        )
        super().__init__(message, code="negative_strength")


def timeline_keys(events) -> set[TimelineKey]:
    """The timelines of a queryset of events."""
    keys = events.order_by().values_list("mission_id", "country_id", "personnel_type")
    return set(keys.distinct())


def as_date(value: datetime.date | str | None) -> datetime.date | None:
    """A date read by raw SQL or a subquery: SQLite hands dates back as ISO text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _scope_sql(pairs: list[tuple[int, str]]) -> tuple[str, list]:
    placeholders = " OR ".join(["(mission_id = %s AND country_id = %s)"] * len(pairs))
    params = [value for pair in pairs for value in pair]
    return f"({placeholders})", params


def write_points(keys: Iterable[TimelineKey]) -> None:
    """Recompute the points of every country touched by `keys`, refusing negative strength.

    Callers go through `DeploymentEvent.objects.rebuild_timelines()`, which first refuses
    events dated outside their mission's life ("Dates must be possible": that takes the
    models, which this module never imports; it is handed the keys and writes the tables by
    name). Must run inside the transaction of the write that changed the events. The points
    are computed once: the database's CHECK (`timelinepoint_never_negative`) refuses a
    negative one, and only then is the first negative point looked for, to name it.
    """
    pairs = sorted({(mission_id, country) for mission_id, country, _type in keys})
    if not pairs:
        return
    returning = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(pairs), _SCOPE_CHUNK):
            scope, params = _scope_sql(pairs[start : start + _SCOPE_CHUNK])
            if returning:
                cursor.execute(_DELETE_POINTS_FROM_TOTALS.format(scope=scope), params)
            else:
                cursor.execute(_ADD_TO_MISSION_TOTALS.format(sign=-1, scope=scope), params)
                cursor.execute(f"DELETE FROM tracker_timelinepoint WHERE {scope}", params)
            try:
                with transaction.atomic():
                    insert = _INSERT_POINTS_INTO_TOTALS if returning else _INSERT_POINTS
                    cursor.execute(insert.format(scope=scope), params)
            except IntegrityError:
                _raise_first_negative(cursor, scope, params)
                raise  # not a negative point: some other constraint
            if not returning:
                cursor.execute(_ADD_TO_MISSION_TOTALS.format(sign=1, scope=scope), params)
        missions = sorted({mission_id for mission_id, _country in pairs})
        cursor.execute(
            _DROP_EMPTY_MISSION_TOTALS.format(missions=", ".join(["%s"] * len(missions))),
            missions,
        )


def _raise_first_negative(cursor, scope: str, params: list) -> None:
    """Raise NegativeStrength for the first date a timeline of `scope` falls below zero."""
    cursor.execute(_FIRST_NEGATIVE.format(scope=scope), params)
    negative = cursor.fetchone()
    if negative:
        mission_id, country, personnel_type, day, deployed, acronym, name = negative
        raise NegativeStrength(
            mission_id, country, personnel_type, as_date(day), deployed, acronym, name
        )


def every_timeline() -> set[TimelineKey]:
    """The key of every timeline that has an event."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {_TIMELINE} FROM tracker_deploymentevent")
        return set(cursor.fetchall())


def replace_mission_totals(mission_ids: Iterable[int]) -> None:
    """Recompute the `MissionTotalPoint`s of these missions from their points, from
    scratch. Inside the transaction of the write, under the missions' locks."""
    missions = sorted(set(mission_ids))
    if not missions:
        return
    placeholders = ", ".join(["%s"] * len(missions))
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in _REPLACE_MISSION_TOTALS:
            cursor.execute(statement.format(missions=placeholders), missions)
