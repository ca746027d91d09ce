"""The arithmetic of DESIGN.md, in one place: pages, CSV exports and tests all use it.

Every function takes a mission, a date (`as_of`, already clamped by
`Mission.effective_as_of`) and an optional personnel type (None = all types), and
returns figures computed in the database:

- pledged: per timeline, the latest pledge dated ≤ as_of (a later pledge supersedes);
  summed over types and countries; NULL when no number was announced.
- deployed, fatalities, first arrival, last event: read from the timeline's latest
  `TimelinePoint` dated ≤ as_of, kept exact on every write by `timelines.py`.

Cost follows the number of countries, not the length of history: each figure is an
index seek for the latest point or pledge of a country.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from mss_tracker.tracker.models import (
    ALL_TYPES,
    Country,
    Mission,
    PersonnelType,
    Pledge,
    TimelinePoint,
)


def percent_of_pledge(deployed: int, pledged: int | None) -> Decimal | None:
    """100 × deployed ÷ pledged to one decimal (half up); None when pledged is 0 or unknown."""
    if not pledged:
        return None
    return (Decimal(100 * deployed) / Decimal(pledged)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def gap(deployed: int, pledged: int | None) -> int | None:
    return None if pledged is None else pledged - deployed


def _types(personnel_type: str | None) -> list[str]:
    return [personnel_type] if personnel_type else list(PersonnelType.values)


def latest_pledges(mission: Mission, as_of: datetime.date, personnel_type: str | None = None):
    """The pledges in force on `as_of`: per (country, type), the latest dated ≤ as_of."""
    superseding = Pledge.objects.filter(
        mission=mission,
        country=OuterRef("country"),
        personnel_type=OuterRef("personnel_type"),
        date__gt=OuterRef("date"),
        date__lte=as_of,
    )
    return Pledge.objects.filter(
        mission=mission, date__lte=as_of, personnel_type__in=_types(personnel_type)
    ).exclude(Exists(superseding))


def _latest_point(mission: Mission, as_of: datetime.date, personnel_type: str | None):
    return TimelinePoint.objects.filter(
        mission=mission,
        country=OuterRef("pk"),
        personnel_type=personnel_type or ALL_TYPES,
        date__lte=as_of,
    ).order_by("-date")


def country_figures(
    mission: Mission, as_of: datetime.date, personnel_type: str | None = None
) -> QuerySet[Country]:
    """One Country per contributor with a pledge or an event dated ≤ as_of, annotated with
    `pledged` (None = no number announced), `has_pledge`, `deployed`, `gap`, `fatalities`,
    `first_arrival` and `last_event`. Ordered by name; one query."""
    pledged = (
        latest_pledges(mission, as_of, personnel_type)
        .filter(country=OuterRef("pk"))
        .order_by()
        .values("country")
        .annotate(total=Sum("personnel"))
        .values("total")
    )
    any_pledge = Pledge.objects.filter(
        mission=mission,
        country=OuterRef("pk"),
        date__lte=as_of,
        personnel_type__in=_types(personnel_type),
    )
    point = _latest_point(mission, as_of, personnel_type)
    return (
        Country.objects.annotate(
            has_pledge=Exists(any_pledge),
            has_point=Exists(point),
        )
        .filter(Q(has_pledge=True) | Q(has_point=True))
        .annotate(
            pledged=Subquery(pledged, output_field=IntegerField()),
            deployed=Coalesce(Subquery(point.values("deployed")[:1]), 0),
            fatalities=Coalesce(Subquery(point.values("fatalities_to_date")[:1]), 0),
            first_arrival=Subquery(point.values("first_arrival")[:1]),
            last_event=Subquery(point.values("date")[:1]),
        )
        .annotate(gap=F("pledged") - F("deployed"))
        .order_by("name")
    )


@dataclass(frozen=True)
class MissionTotals:
    pledged: int | None
    deployed: int
    fatalities: int
    first_arrival: datetime.date | None
    last_event: datetime.date | None
    countries: int
    countries_pledged: int
    countries_deployed: int

    @property
    def gap(self) -> int | None:
        return gap(self.deployed, self.pledged)

    @property
    def percent_of_pledge(self) -> Decimal | None:
        return percent_of_pledge(self.deployed, self.pledged)


def mission_totals(
    mission: Mission, as_of: datetime.date, personnel_type: str | None = None
) -> MissionTotals:
    """The country figures summed over countries (one query)."""
    sums = (
        country_figures(mission, as_of, personnel_type)
        .order_by()
        .aggregate(
            sum_pledged=Sum("pledged"),
            sum_deployed=Coalesce(Sum("deployed"), 0),
            sum_fatalities=Coalesce(Sum("fatalities"), 0),
            min_first_arrival=Min("first_arrival"),
            max_last_event=Max("last_event"),
            n_countries=Count("pk"),
            n_pledged=Count("pk", filter=Q(has_pledge=True)),
            n_deployed=Count("pk", filter=Q(deployed__gt=0)),
        )
    )
    totals = {
        "pledged": sums["sum_pledged"],
        "deployed": sums["sum_deployed"],
        "fatalities": sums["sum_fatalities"],
        "first_arrival": _as_date(sums["min_first_arrival"]),
        "last_event": _as_date(sums["max_last_event"]),
        "countries": sums["n_countries"],
        "countries_pledged": sums["n_pledged"],
        "countries_deployed": sums["n_deployed"],
    }
    return MissionTotals(**totals)


def strength_series(
    mission: Mission,
    as_of: datetime.date,
    personnel_type: str | None = None,
    country: Country | None = None,
) -> list[tuple[datetime.date, int]]:
    """(date, deployed total) on every date the total may change, up to as_of."""
    sql = """
        SELECT date, SUM(SUM(deployed_change)) OVER (ORDER BY date)
        FROM tracker_timelinepoint
        WHERE mission_id = %s AND personnel_type = %s AND date <= %s {country}
        GROUP BY date
        ORDER BY date
    """
    params: list = [mission.pk, personnel_type or ALL_TYPES, as_of]
    if country is not None:
        params.append(country.pk)
    return _fetch_series(sql.format(country="AND country_id = %s" if country else ""), params)


def pledged_series(
    mission: Mission,
    as_of: datetime.date,
    personnel_type: str | None = None,
    country: Country | None = None,
) -> list[tuple[datetime.date, int]]:
    """(date, pledged total) on every date a pledge in force changes, up to as_of."""
    sql = """
        WITH changes AS (
            SELECT date, COALESCE(personnel, 0) - COALESCE(LAG(personnel) OVER (
                PARTITION BY country_id, personnel_type ORDER BY date), 0) AS change
            FROM tracker_pledge
            WHERE mission_id = %s AND date <= %s AND personnel_type IN ({types}) {country}
        )
        SELECT date, SUM(SUM(change)) OVER (ORDER BY date)
        FROM changes
        GROUP BY date
        ORDER BY date
    """
    types = _types(personnel_type)
    params: list = [mission.pk, as_of, *types]
    if country is not None:
        params.append(country.pk)
    return _fetch_series(
        sql.format(
            types=", ".join(["%s"] * len(types)),
            country="AND country_id = %s" if country else "",
        ),
        params,
    )


def _as_date(value: datetime.date | str | None) -> datetime.date | None:
    """SQLite hands back dates computed by aggregates and window functions as text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _fetch_series(sql: str, params: list) -> list[tuple[datetime.date, int]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(_as_date(day), int(total)) for day, total in cursor.fetchall()]
