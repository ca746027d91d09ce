"""Synthetic missions for benchmarks and load tests (`manage.py generate_data`).

Each (mission, country, personnel type) timeline is generated as a walk that can never
go negative: it opens with an arrival (a transfer in every mission after the first, on
its start date), departures, rotations (a departure and an arrival of the same size on
one day) and fatalities never take more than the strength of that
moment, and strength reports set a figure close to it (a few personnel unaccounted for,
as real reports are). Every event has a date of its own within its timeline, except the
two halves of a rotation, so no strength report overrides a same-day change the walk
relied on. Pledges open each timeline and are revised a few times (some with no number
announced, some disputed).

Rows are written in bulk (COPY on PostgreSQL, `executemany` on SQLite), then one
`rebuild_timelines()` derives every `TimelinePoint` and checks the result is never
negative: the same check every other write path passes. Last, the tables written are
analysed (`lib/table_statistics.py`), so the first pages measured are planned from
statistics of the data they read.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pycountry
from django.db import connection, transaction

from mss_tracker.lib.table_statistics import analyze
from mss_tracker.tracker.csv.importing.copy_from import copy_rows
from mss_tracker.tracker.models import (
    Country,
    DeploymentEvent,
    EventKind,
    Mission,
    MissionTotalPoint,
    PersonnelType,
    Pledge,
    Source,
    TimelinePoint,
)

SLUG_PREFIX = "synthetic-"
SOURCES = 40  # synthetic sources shared by all synthetic missions
HOST = "HTI"
MIN_SPAN_DAYS = 3 * 365  # a mission's history covers at least three years

# Strength at first arrival and size of later arrivals, per personnel type.
_SCALE = {PersonnelType.POLICE: 200, PersonnelType.MILITARY: 120, PersonnelType.CIVILIAN: 15}

# The columns every record has, in the order each row starts with them.
_RECORD_COLUMNS = (
    "mission_id",
    "country_id",
    "personnel_type",
    "date",
    "date_precision",
    "disputed",
    "notes",
    "source_id",
)
_PLEDGE_COLUMNS = (*_RECORD_COLUMNS, "personnel", "uuid")
_EVENT_COLUMNS = (*_RECORD_COLUMNS, "kind", "personnel", "uuid")
_NOTES = (
    "Rotation of the contingent",
    "Figure from a press briefing, rounded",
    'Ministry statement: "about this many"',
    "=approximate, per the mission's spokesperson",
    "Reported by the host government; not confirmed",
)


@dataclass(frozen=True)
class GeneratedData:
    missions: int
    countries: int
    events: int
    pledges: int
    timeline_points: int


def synthetic_missions():
    return Mission.objects.filter(slug__startswith=SLUG_PREFIX)


def _country_codes(count: int) -> list[str]:
    """`count` ISO alpha-3 codes in a fixed order (the host country excluded)."""
    codes = sorted(c.alpha_3 for c in pycountry.countries if c.alpha_3 != HOST)
    if count > len(codes):
        raise ValueError(f"At most {len(codes)} countries (the ISO list, less the host).")
    # Spread over the alphabet rather than taking the first `count`.
    step = len(codes) / count
    return [codes[int(i * step)] for i in range(count)]


def _timeline_events(
    rng: random.Random,
    size: int,
    start: datetime.date,
    span: int,
    scale: int,
    carried_over: bool = False,
) -> Iterator[tuple[datetime.date, str, str, int, bool, str]]:
    """(date, precision, kind, personnel, disputed, notes) of one timeline, `size` events;
    `carried_over`: it opens with a transfer from the previous mission on its start date."""
    # One date per event, a rotation takes two events on one date.
    days = sorted(rng.sample(range(span), min(size, span)))
    if carried_over and days:
        days[0] = 0
    strength = 0
    emitted = 0
    for index, offset in enumerate(days):
        if emitted >= size:
            return
        day = start + datetime.timedelta(days=offset)
        precision = "month" if day.day == 1 and rng.random() < 0.2 else "day"
        disputed = rng.random() < 0.02
        notes = rng.choice(_NOTES) if rng.random() < 0.05 else ""
        roll = rng.random()
        if index == 0 or strength == 0 or roll < 0.22:
            kind, personnel = EventKind.ARRIVAL, rng.randint(max(1, scale // 10), scale * 2)
            if index == 0 and carried_over:
                kind, notes = EventKind.TRANSFER, "Carried over from the previous mission"
            strength += personnel
        elif roll < 0.30 and emitted + 2 <= size:
            rotated = rng.randint(1, strength)
            yield day, precision, EventKind.DEPARTURE, rotated, disputed, "Rotation out"
            emitted += 1
            kind, personnel, notes = EventKind.ARRIVAL, rotated, "Rotation in"
        elif roll < 0.40:
            kind, personnel = EventKind.DEPARTURE, rng.randint(1, max(1, strength // 4))
            strength -= personnel
        elif roll < 0.43:
            kind, personnel = EventKind.FATALITY, min(strength, rng.randint(1, 3))
            strength -= personnel
        else:
            kind = EventKind.STRENGTH_REPORT
            personnel = max(0, strength + rng.randint(-3, 3))
            strength = personnel
        yield day, precision, kind, personnel, disputed, notes
        emitted += 1


def _timeline_pledges(
    rng: random.Random, events: int, start: datetime.date, span: int, scale: int
) -> Iterator[tuple[datetime.date, str, int | None, bool, str]]:
    """A first pledge before the mission starts, then a revision every ~50 events (≤ 10)."""
    revisions = min(10, events // 50)
    offsets = sorted(rng.sample(range(1, span), min(revisions, span - 1)))
    figure = rng.randint(scale, scale * 4)
    yield start - datetime.timedelta(days=rng.randint(1, 60)), "day", figure, False, ""
    for offset in offsets:
        day = start + datetime.timedelta(days=offset)
        if rng.random() < 0.05:
            yield day, "day", None, False, "Number not announced"
            continue
        figure = max(0, figure + rng.randint(-scale // 2, scale))
        yield day, "day", figure, rng.random() < 0.03, ""


def _record_id(rng: random.Random) -> str:
    """A UUID for the `uuid` column, drawn from the timeline's generator (the same seed gives
    the same ids), as both databases take it from raw SQL: 32 hex digits."""
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


def _copy_rows(table: str, columns: tuple[str, ...], rows) -> None:
    if connection.vendor == "postgresql":
        copy_rows(table, columns, rows)
        return
    with connection.cursor() as cursor:
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 20_000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)


def delete_synthetic_data() -> int:
    """Remove every `synthetic-*` mission with its events, pledges and points (raw deletes:
    the model's delete would rebuild timelines that are about to vanish)."""
    ids = list(synthetic_missions().values_list("pk", flat=True))
    if ids:
        TimelinePoint.objects.filter(mission_id__in=ids)._raw_delete(connection.alias)
        MissionTotalPoint.objects.filter(mission_id__in=ids)._raw_delete(connection.alias)
        DeploymentEvent.objects.filter(mission_id__in=ids)._raw_delete(connection.alias)
        Pledge.objects.filter(mission_id__in=ids)._raw_delete(connection.alias)
        Mission.objects.filter(successor_id__in=ids).update(successor=None)
        Mission.objects.filter(pk__in=ids).delete()
    return len(ids)


def generate(
    missions: int,
    countries: int,
    events: int,
    seed: int = 0,
    today: datetime.date | None = None,
) -> GeneratedData:
    """Replace the synthetic missions by `missions` new ones, each with `countries`
    contributors, `events` deployment events in all (spread evenly over every timeline)."""
    if missions < 1 or countries < 1 or events < 0:
        raise ValueError("Expected at least one mission and one country, and events ≥ 0.")
    today = today or datetime.date.today()
    types = list(PersonnelType.values)
    timelines = missions * countries * len(types)
    per_timeline, extra = divmod(events, timelines)
    span = max(MIN_SPAN_DAYS, per_timeline + 1 + (1 if extra else 0))

    with transaction.atomic():
        delete_synthetic_data()
        host = Country.objects.get_or_create_from_iso3(HOST)
        codes = _country_codes(countries)
        for code in codes:
            Country.objects.get_or_create_from_iso3(code)
        sources = [
            Source.objects.get_or_create(
                publisher=f"Synthetic wire {number}",
                title="Generated for benchmarks",
                url="",
                defaults={"published_on": today},
            )[0].pk
            for number in range(1, SOURCES + 1)
        ]
        # Missions start one after the other, the last ending its history today.
        created = []
        for number in range(1, missions + 1):
            start = today - datetime.timedelta(days=span + (missions - number) * 30)
            created.append(
                Mission.objects.create(
                    slug=f"{SLUG_PREFIX}{number}",
                    acronym=f"SYN{number}",
                    name=f"Synthetic mission {number}",
                    host_country=host,
                    lead_country_id=codes[0],
                    authorized_by=f"Synthetic resolution {number}",
                    authorized_on=start - datetime.timedelta(days=90),
                    start_date=start,
                )
            )

        timelines_ = [
            (number, mission, code, personnel_type)
            for number, mission in enumerate(created, start=1)
            for code in codes
            for personnel_type in types
        ]

        def sizes():
            for index, timeline in enumerate(timelines_):
                yield timeline, per_timeline + (1 if index < extra else 0)

        def timeline_rng(number: int, code: str, personnel_type: str, what: str):
            # One generator per timeline: the same seed gives the same data, streamed.
            return random.Random(f"{seed}:{number}:{code}:{personnel_type}:{what}")

        def rows(what: str, timeline_records):
            """Every timeline's records as rows of (_RECORD_COLUMNS, then the record's own
            values, then its id): `timeline_records(rng, size, mission, scale, number)`
            yields (date, precision, own values…, disputed, notes)."""
            for (number, mission, code, personnel_type), size in sizes():
                rng = timeline_rng(number, code, personnel_type, f"{what}s")
                ids = timeline_rng(number, code, personnel_type, f"{what} ids")
                scale = _SCALE[personnel_type]
                for day, precision, *own, disputed, notes in timeline_records(
                    rng, size, mission, scale, number
                ):
                    source = rng.choice(sources)
                    common = (mission.pk, code, personnel_type, day, precision, disputed)
                    yield (*common, notes, source, *own, _record_id(ids))

        def pledges(rng, size, mission, scale, number):
            return _timeline_pledges(rng, size, mission.start_date, span, scale)

        def events(rng, size, mission, scale, number):
            for day, precision, kind, personnel, disputed, notes in _timeline_events(
                rng, size, mission.start_date, span, scale, carried_over=number > 1
            ):
                yield day, precision, str(kind.value), personnel, disputed, notes

        _copy_rows("tracker_pledge", _PLEDGE_COLUMNS, rows("pledge", pledges))
        _copy_rows("tracker_deploymentevent", _EVENT_COLUMNS, rows("event", events))
        keys = {(mission.pk, code, t) for mission in created for code in codes for t in types}
        DeploymentEvent.objects.rebuild_timelines(keys)
        analyze(
            *(
                model._meta.db_table
                for model in (Pledge, DeploymentEvent, TimelinePoint, MissionTotalPoint)
            )
        )
        ids = [mission.pk for mission in created]
        return GeneratedData(
            missions=missions,
            countries=countries,
            events=DeploymentEvent.objects.filter(mission_id__in=ids).count(),
            pledges=Pledge.objects.filter(mission_id__in=ids).count(),
            timeline_points=TimelinePoint.objects.filter(mission_id__in=ids).count(),
        )
