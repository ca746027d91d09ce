"""The arithmetic of docs/rules.md, in one place: pages, CSV exports and tests all use it.

Every function takes a mission, a date (`as_of`, already clamped by
`Mission.effective_as_of`) and an optional personnel type (None = all types), and
returns figures computed in the database:

- pledged: per timeline, the latest pledge dated ≤ as_of (a later pledge supersedes);
  summed over types and countries; NULL when no number was announced.
- deployed, fatalities, first arrival, last event: read from the timeline's latest
  `TimelinePoint` dated ≤ as_of, kept exact on every write by `timelines.py`.
- disputed ("Disputed follows the figure"): a pledged figure is disputed when a pledge in
  force is; a deployed figure when an event that determines it is (the latest strength
  report dated ≤ as_of and the changes after it); a total when any of its parts is. The
  deployed side is derived when the timeline is written (`TimelinePoint.deployed_disputed_by`
  and `deployed_unconfirmed`), so it is read from the same point as the figure. Each
  country row carries the record that makes a figure disputed, so a page can link to it,
  and the unconfirmed share: `pledged_unconfirmed` (the disputed pledges in force) and
  `deployed_unconfirmed` (the disputed figures per type).
- the mission's headline (`mission_totals`, `totals_of` the country rows): deployed split
  into deployed against a numeric pledge in force and deployed without one, and the
  percent of pledge computed like for like (deployed against a pledge ÷ pledged); every
  mission's at once with `missions_totals` (the missions list).

Cost follows the number of countries, not the length of history: each figure is an
index seek for the latest point or pledge of a country; no page walks the events.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from mss_tracker.lib.country_names import country_name
from mss_tracker.tracker.dates import DatePrecision
from mss_tracker.tracker.models import (
    ADDING_KINDS,
    ALL_TYPES,
    Country,
    DeploymentEvent,
    EventKind,
    Mission,
    PersonnelType,
    Pledge,
    TimelinePoint,
)
from mss_tracker.tracker.timelines import as_date


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
    return Pledge.objects.in_mission(mission).of_type(personnel_type).in_force(as_of)


def determining_disputed_events(
    mission: Mission, as_of: datetime.date, personnel_type: str | None = None
) -> QuerySet[DeploymentEvent]:
    """Every disputed event that determines a deployed figure on `as_of` (the pages read
    the one that makes a figure disputed from its timeline point instead: this walks the
    history, so narrow it to one country before use). Per timeline, the
    latest strength report dated ≤ as_of if disputed, and the disputed arrivals,
    transfers, departures and fatalities dated after it (a report on the same day
    overrides that day's changes, so they no longer count). Newest first."""
    superseding_report = DeploymentEvent.objects.filter(
        mission=mission,
        country=OuterRef("country"),
        personnel_type=OuterRef("personnel_type"),
        kind=EventKind.STRENGTH_REPORT,
        date__lte=as_of,
    ).filter(Q(date__gt=OuterRef("date")) | (Q(date=OuterRef("date")) & ~Q(pk=OuterRef("pk"))))
    return (
        DeploymentEvent.objects.filter(
            mission=mission,
            date__lte=as_of,
            disputed=True,
            personnel_type__in=_types(personnel_type),
        )
        .exclude(Exists(superseding_report))
        .order_by("-date", "-pk")
    )


# The finest precision first: a day-precision event on a date says that date exactly.
_FINEST_FIRST = Case(
    When(date_precision=DatePrecision.DAY, then=Value(0)),
    When(date_precision=DatePrecision.MONTH, then=Value(1)),
    default=Value(2),
)


def _precision_on(mission: Mission, personnel_type: str | None, date_field: str, **kinds):
    """The precision a row's `date_field` is known to (docs/rules.md, "Date precision"):
    that of the country's event on that date (the finest, when several); an index seek."""
    events = DeploymentEvent.objects.filter(
        mission=mission,
        country=OuterRef("pk"),
        personnel_type__in=_types(personnel_type),
        date=OuterRef(date_field),
        **kinds,
    ).order_by(_FINEST_FIRST)
    return Subquery(events.values("date_precision")[:1])


def _latest_point(mission: Mission, as_of: datetime.date, personnel_type: str | None):
    return TimelinePoint.objects.filter(
        mission=mission,
        country=OuterRef("pk"),
        personnel_type=personnel_type or ALL_TYPES,
        date__lte=as_of,
    ).order_by("-date")


def events_count(
    mission: Mission,
    up_to: datetime.date,
    personnel_type: str | None = None,
    country: str | None = None,
    since: datetime.date | None = None,
) -> int:
    """How many events of the mission (of one type, of one country) are dated from `since`
    (inclusive; None: from the start) to `up_to`: per country, its latest point ≤ up_to's
    `events_to_date` less its latest point's before `since`. One query, two index seeks
    per country, however many events there are."""
    points = TimelinePoint.objects.filter(
        mission=mission, country=OuterRef("pk"), personnel_type=personnel_type or ALL_TYPES
    ).order_by("-date")

    def counted(day_filter: Q) -> Coalesce:
        latest = points.filter(day_filter).values("events_to_date")[:1]
        return Coalesce(Subquery(latest, output_field=IntegerField()), 0)

    countries = Country.objects.filter(Exists(points), *([Q(pk=country)] if country else []))
    before = counted(Q(date__lt=since)) if since else Value(0, output_field=IntegerField())
    total = countries.aggregate(events=Sum(counted(Q(date__lte=up_to)) - before))["events"]
    return total or 0


def _pledges_in_force(
    mission: Mission, as_of: datetime.date, personnel_type: str | None
) -> dict[str, Subquery]:
    """Per type, the pledge in force's personnel and, when it is disputed, its id: each an
    index seek for the latest pledge dated ≤ as_of, however many pledges came before it
    (checking each pledge against later ones, as `in_force` does, grows with them)."""
    annotations = {}
    for typed in PersonnelType.values:
        if typed not in _types(personnel_type):  # the same columns whatever the filter, so
            nothing = Value(None, output_field=IntegerField())  # rows of several unite
            annotations |= {f"pledged_{typed}": nothing, f"pledged_{typed}_disputed_by": nothing}
            continue
        latest = Pledge.objects.filter(
            mission=mission, country=OuterRef("pk"), personnel_type=typed, date__lte=as_of
        ).order_by("-date")
        annotations[f"pledged_{typed}"] = Subquery(latest.values("personnel")[:1])
        annotations[f"pledged_{typed}_disputed_by"] = Subquery(
            latest.values(id_if_disputed=Case(When(disputed=True, then="pk")))[:1]
        )
    return annotations


def _pledged_figures(personnel_type: str | None) -> dict:
    """`pledged` (None when no pledge in force has a number), `pledged_disputed_by` (the
    first type's disputed pledge in force) and `pledged_unconfirmed` from the types'."""
    types = _types(personnel_type)
    numbers = [Coalesce(F(f"pledged_{typed}"), 0) for typed in types]
    unconfirmed = [
        Case(
            When(**{f"pledged_{typed}_disputed_by__isnull": False}, then=numbers[index]),
            default=0,
        )
        for index, typed in enumerate(types)
    ]
    disputed_by = [F(f"pledged_{typed}_disputed_by") for typed in types]
    return {
        "pledged": Case(
            When(Q(*(Q(**{f"pledged_{typed}__isnull": True}) for typed in types)), then=None),
            default=sum(numbers[1:], numbers[0]),
            output_field=IntegerField(),
        ),
        "pledged_disputed_by": Coalesce(*disputed_by) if len(types) > 1 else disputed_by[0],
        "pledged_unconfirmed": sum(unconfirmed[1:], unconfirmed[0]),
    }


def country_figures(
    mission: Mission, as_of: datetime.date, personnel_type: str | None = None
) -> QuerySet[Country]:
    """One Country per contributor with a pledge or an event dated ≤ as_of, annotated with
    `pledged` (None = no number announced), `has_pledge`, `deployed`, `gap`, `fatalities`,
    `first_arrival`, `last_event`, `pledged_disputed_by` / `deployed_disputed_by`: the
    id of a pledge or event that makes that figure disputed (for one type, the latest),
    None when it is not, and `pledged_unconfirmed` / `deployed_unconfirmed`: how much of
    the figure is disputed (0 when none). A row's percent of pledge is
    `percent_of_pledge(row.deployed, row.pledged)` (the pages' `percent_of_pledge` filter).
    Ordered by name; one query, whose cost does not grow with the number of events."""
    any_pledge = (
        Pledge.objects.in_mission(mission)
        .of_country(OuterRef("pk"))
        .as_of(as_of)
        .of_type(personnel_type)
    )
    point = _latest_point(mission, as_of, personnel_type)
    rows = (
        Country.objects.annotate(
            has_pledge=Exists(any_pledge),
            has_point=Exists(point),
        )
        .filter(Q(has_pledge=True) | Q(has_point=True))
        .annotate(**_pledges_in_force(mission, as_of, personnel_type))
        .annotate(**_pledged_figures(personnel_type))
        .annotate(
            deployed=Coalesce(Subquery(point.values("deployed")[:1]), 0),
            fatalities=Coalesce(Subquery(point.values("fatalities_to_date")[:1]), 0),
            first_arrival=Subquery(point.values("first_arrival")[:1]),
            last_event=Subquery(point.values("date")[:1]),
            deployed_disputed_by=Subquery(point.values("deployed_disputed_by")[:1]),
            deployed_unconfirmed=Coalesce(Subquery(point.values("deployed_unconfirmed")[:1]), 0),
        )
        .annotate(
            first_arrival_precision=_precision_on(
                mission, personnel_type, "first_arrival", kind__in=ADDING_KINDS
            ),
            last_event_precision=_precision_on(mission, personnel_type, "last_event"),
        )
        .annotate(gap=F("pledged") - F("deployed"))
        .order_by("name")
    )
    return rows


def country_figures_by_type(
    mission: Mission, country: Country, as_of: datetime.date, personnel_type: str | None = None
) -> tuple[Country | None, dict[str, Country]]:
    """A country's row of `country_figures` for `personnel_type`, and its row for each
    type shown (every type when None, else that one), keyed by type: one query (a UNION
    of the filtered rows), not one per type. A type with nothing dated ≤ as_of is absent."""
    asked = [personnel_type] if personnel_type else [None, *PersonnelType.values]
    parts = [
        country_figures(mission, as_of, typed)
        .filter(pk=country.pk)
        .annotate(figures_index=Value(index))
        .order_by()
        for index, typed in enumerate(asked)
    ]
    found = {
        row.figures_index: row
        for row in (parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0])
    }
    by_type = {typed: found[index] for index, typed in enumerate(asked) if typed and index in found}
    return found.get(0), by_type


@dataclass(frozen=True)
class MissionTotals:
    """The mission's headline (docs/rules.md) as of one date, for one type filter."""

    pledged: int | None  # the numeric pledges in force, summed; None when there is none
    deployed: int  # every country
    deployed_against_pledge: int  # countries with a numeric pledge in force
    fatalities: int
    first_arrival: datetime.date | None
    last_event: datetime.date | None
    countries: int  # with a pledge or an event
    countries_pledged: int  # with a numeric pledge in force
    countries_pledged_deployed: int  # of those, with personnel deployed
    deployed_without_pledge_countries: tuple[str, ...]  # names, alphabetical
    pledged_without_number_countries: tuple[str, ...]  # a pledge in force, no number
    pledged_disputed: bool
    deployed_disputed: bool
    pledged_unconfirmed: int  # the disputed pledges in force, summed (0 when none)
    deployed_unconfirmed: int  # the disputed deployed figures, per country and type, summed
    first_arrival_precision: str = DatePrecision.DAY  # how precisely each date is known
    last_event_precision: str = DatePrecision.DAY

    @property
    def deployed_without_pledge(self) -> int:
        return self.deployed - self.deployed_against_pledge

    @property
    def countries_deployed_without_pledge(self) -> int:
        return len(self.deployed_without_pledge_countries)

    @property
    def countries_deployed(self) -> int:
        return self.countries_pledged_deployed + self.countries_deployed_without_pledge

    @property
    def gap(self) -> int | None:
        return gap(self.deployed_against_pledge, self.pledged)

    @property
    def percent_of_pledge(self) -> Decimal | None:
        """Like for like: the deployed of the countries that pledged, over their pledges."""
        return percent_of_pledge(self.deployed_against_pledge, self.pledged)


def _names(rows: Iterable[Country]) -> tuple[str, ...]:
    """The countries' names in the active language, alphabetical."""
    return tuple(sorted(country_name(row.iso3, row.name) for row in rows))


def _finest_precision(rows: list, field: str, day: datetime.date | None) -> str:
    """The finest precision among the rows whose `field` is `day`."""
    found = {getattr(row, f"{field}_precision", None) for row in rows if getattr(row, field) == day}
    for precision in DatePrecision.values:
        if precision in found:
            return precision
    return DatePrecision.DAY


def totals_of(rows: Iterable[Country]) -> MissionTotals:
    """The headline: the rows of `country_figures` summed over countries (no query)."""
    rows = list(rows)
    first_arrival = min((row.first_arrival for row in rows if row.first_arrival), default=None)
    last_event = max((row.last_event for row in rows if row.last_event), default=None)
    numeric = [row for row in rows if row.pledged is not None]
    no_number = [row for row in rows if row.pledged is None]
    return MissionTotals(
        pledged=sum(row.pledged for row in numeric) if numeric else None,
        deployed=sum(row.deployed for row in rows),
        deployed_against_pledge=sum(row.deployed for row in numeric),
        fatalities=sum(row.fatalities for row in rows),
        first_arrival=first_arrival,
        last_event=last_event,
        countries=len(rows),
        countries_pledged=len(numeric),
        countries_pledged_deployed=sum(1 for row in numeric if row.deployed > 0),
        deployed_without_pledge_countries=_names(row for row in no_number if row.deployed > 0),
        pledged_without_number_countries=_names(row for row in no_number if row.has_pledge),
        pledged_disputed=any(row.pledged_disputed_by is not None for row in rows),
        deployed_disputed=any(row.deployed_disputed_by is not None for row in rows),
        pledged_unconfirmed=sum(row.pledged_unconfirmed for row in rows),
        deployed_unconfirmed=sum(row.deployed_unconfirmed for row in rows),
        first_arrival_precision=_finest_precision(rows, "first_arrival", first_arrival),
        last_event_precision=_finest_precision(rows, "last_event", last_event),
    )


def mission_totals(
    mission: Mission, as_of: datetime.date, personnel_type: str | None = None
) -> MissionTotals:
    """The headline: the country figures summed over countries (one query)."""
    return totals_of(country_figures(mission, as_of, personnel_type))


# SQLite joins at most 500 SELECTs in one UNION; far fewer keep the statement readable.
MISSIONS_PER_QUERY = 100


def missions_totals(
    missions: Sequence[tuple[Mission, datetime.date]], personnel_type: str | None = None
) -> list[MissionTotals]:
    """Each (mission, as_of)'s headline, in order: one query for up to MISSIONS_PER_QUERY
    missions (their country figures joined by UNION ALL), not one per mission."""
    rows: dict[int, list[Country]] = defaultdict(list)
    for first in range(0, len(missions), MISSIONS_PER_QUERY):
        parts = [
            country_figures(mission, as_of, personnel_type)
            .annotate(mission_index=Value(index))
            .order_by()  # SQLite takes no ORDER BY inside a UNION
            for index, (mission, as_of) in enumerate(
                missions[first : first + MISSIONS_PER_QUERY], start=first
            )
        ]
        for row in parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]:
            rows[row.mission_index].append(row)
    return [totals_of(rows[index]) for index in range(len(missions))]


def pledge_history(
    mission: Mission, country: Country, as_of: datetime.date, personnel_type: str | None = None
) -> QuerySet[Pledge]:
    """A country's pledges dated ≤ as_of, each with the pledge that superseded it, by type
    and newest first."""
    return (
        Pledge.objects.in_mission(mission)
        .of_country(country)
        .as_of(as_of)
        .of_type(personnel_type)
        .with_superseded()
        .select_related("source")
        .order_by("personnel_type", "-date")
    )


def strength_series(
    mission: Mission,
    as_of: datetime.date,
    personnel_type: str | None = None,
    country: Country | None = None,
) -> list[tuple[datetime.date, int]]:
    """(date, deployed total) on every date the total may change, up to as_of: for the
    mission, one row per date from its totals (`MissionTotalPoint`), not one per country
    and date; for a country, its own points."""
    sql = """
        SELECT date, SUM(deployed_change) OVER (ORDER BY date)
        FROM {table}
        WHERE mission_id = %s AND personnel_type = %s AND date <= %s {country}
        ORDER BY date
    """
    params: list = [mission.pk, personnel_type or ALL_TYPES, as_of]
    if country is None:
        return _fetch_series(sql.format(table="tracker_missiontotalpoint", country=""), params)
    params.append(country.pk)
    return _fetch_series(
        sql.format(table="tracker_timelinepoint", country="AND country_id = %s"), params
    )


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


def _fetch_series(sql: str, params: list) -> list[tuple[datetime.date, int]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(as_date(day), int(total)) for day, total in cursor.fetchall()]
