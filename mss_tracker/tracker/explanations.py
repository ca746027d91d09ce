"""What the pages say about a figure, each computed in one place (docs/rules.md): how
fresh it is, every record that makes it disputed, when a carried-over country first
arrived under the predecessor, and how precisely a chart's dates are known.

The figures themselves are `figures.py`'s; these read the same records to explain them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import IntegerField, Value

from mss_tracker.tracker.dates import DatePrecision
from mss_tracker.tracker.figures import country_figures, determining_disputed_events
from mss_tracker.tracker.models import Country, DeploymentEvent, Mission, PersonnelType, Pledge
from mss_tracker.tracker.timelines import as_date

STALE_AFTER_DAYS = 90  # docs/rules.md, "Freshness"


@dataclass(frozen=True)
class Freshness:
    """How fresh a page's figures are: the latest event dated ≤ its date."""

    last_event: datetime.date | None
    days: int | None  # from the latest event to the page's date
    stale: bool  # more than STALE_AFTER_DAYS, for a mission still running on that date
    precision: str = DatePrecision.DAY  # how precisely the latest event's date is known


def freshness(
    mission: Mission,
    as_of: datetime.date,
    last_event: datetime.date | None,
    precision: str | None = None,
) -> Freshness:
    days = (as_of - last_event).days if last_event else None
    running = mission.end_date is None or mission.end_date > as_of
    stale = running and days is not None and days > STALE_AFTER_DAYS
    return Freshness(last_event, days, stale, precision or DatePrecision.DAY)


def first_arrivals_under_predecessor(
    mission: Mission, personnel_type: str | None = None
) -> dict[str, tuple[datetime.date, str]]:
    """For a successor mission, each country's first arrival under its predecessor (date
    and precision), as of the predecessor's end: what a carried-over country's first
    arrival — the transfer, on this mission's start date — does not show. One query
    (none without a predecessor)."""
    predecessor = getattr(mission, "predecessor", None)
    if predecessor is None:
        return {}
    # Annotated rows (`first_arrival`, `first_arrival_precision`): names the type checker
    # cannot see on Country.
    rows: Any = country_figures(predecessor, predecessor.effective_as_of(), personnel_type)
    return {
        row.iso3: (row.first_arrival, row.first_arrival_precision or DatePrecision.DAY)
        for row in rows.filter(first_arrival__isnull=False)
    }


def disputed_records(
    mission: Mission,
    country: Country,
    as_of: datetime.date,
    personnel_type: str | None,
    rows: list[Any],
) -> dict[str, list[Any]]:
    """Every pledge and event that makes one country's figures disputed (docs/rules.md,
    "Disputed follows the figure"), newest first: the disputed pledges in force named by
    its `rows` of `country_figures` (one per type shown, so none is missed), and every
    disputed event that determines its deployed figure of those types. Two queries at
    most; the events' one reads that country's disputed events only."""
    rows = [row for row in rows if row is not None]
    pledge_ids = {row.pledged_disputed_by for row in rows} - {None}
    doubted = any(row.deployed_disputed_by is not None for row in rows)
    return {
        "pledges": list(
            Pledge.objects.filter(pk__in=pledge_ids)
            .select_related("source")
            .order_by("-date", "personnel_type")
        )
        if pledge_ids
        else [],
        "events": list(
            determining_disputed_events(mission, as_of, personnel_type)
            .filter(country=country)
            .select_related("source")
        )
        if doubted
        else [],
    }


def coarse_dates(
    mission: Mission,
    event_dates: Iterable[datetime.date],
    pledge_dates: Iterable[datetime.date],
    personnel_type: str | None = None,
    country: Country | None = None,
) -> tuple[dict[datetime.date, str], dict[datetime.date, str]]:
    """Of a chart's drawn dates (its deployed points', its pledged points'), those known
    only to the month or year: the coarsest precision of the events, or the pledges, on
    that date (a total that moved by a month-precision change is that month's figure,
    "Apr 2025"). A date known to the day is absent. One query (a UNION) that reads the
    mission's month- and year-precision records alone, through the (mission,
    date_precision, date) indexes: few in any history, and never the day-precision records
    of a busy day. (A bound on the dates, or a GROUP BY date, would lead SQLite's planner to
    the (mission, date) index instead, which reads every record of the mission.)"""
    types = [personnel_type] if personnel_type else list(PersonnelType.values)
    parts = []
    drawn: list[set[datetime.date]] = [set(event_dates), set(pledge_dates)]
    models: list[type[DeploymentEvent] | type[Pledge]] = [DeploymentEvent, Pledge]
    for index, (model, dates) in enumerate(zip(models, drawn, strict=True)):
        records = model.objects.filter(
            mission=mission,
            date_precision__in=[DatePrecision.MONTH, DatePrecision.YEAR],
            personnel_type__in=types,
        )
        if not dates:
            records = records.none()
        if country is not None:
            records = records.filter(country=country)
        parts.append(
            records.order_by()
            .annotate(part=Value(index, output_field=IntegerField()))
            .values_list("part", "date", "date_precision")
        )
    found: tuple[dict[datetime.date, str], dict[datetime.date, str]] = ({}, {})
    for part, day, precision in parts[0].union(parts[1], all=True).order_by():
        known_to = as_date(day)
        if known_to is None or known_to not in drawn[part]:
            continue
        if found[part].get(known_to) != DatePrecision.YEAR:
            found[part][known_to] = precision  # a year's record outweighs a month's
    return found
