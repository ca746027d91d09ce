"""What the dashboard pages share: the mission and country they are about (or a 404), the
period they show, the as_of / type form and the strength chart.

A view (`views.py`) resolves its objects here, filters (`filters.py`), computes through
`tracker.figures` and renders (`rendering.py`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from mss_tracker.dashboards import chart_table, charts, sorting
from mss_tracker.dashboards import funding_chart as charts_of_funding
from mss_tracker.dashboards.filters import TYPE_CHOICES, Filters
from mss_tracker.tracker import explanations, figures, funding_figures
from mss_tracker.tracker.dates import EARLIEST_DATE, LATEST_DATE
from mss_tracker.tracker.models import Country, DeploymentEvent, FundingRecord, Mission, Pledge


def get_mission(slug: str) -> Mission:
    """The mission with this slug (any case), with its predecessor and successor, or 404."""
    return get_object_or_404(
        Mission.objects.select_related(
            "successor", "predecessor", "host_country", "lead_country", "source"
        ),
        slug=slug.lower(),
    )


def get_country(mission: Mission, iso3: str) -> Country:
    """The country (code in any case) if it has a pledge, an event or a funding record (as
    a donor) in the mission, or 404."""
    country = (
        Country.objects.filter(iso3=iso3.upper())
        .filter(
            Exists(Pledge.objects.filter(mission=mission, country=OuterRef("pk")))
            | Exists(DeploymentEvent.objects.filter(mission=mission, country=OuterRef("pk")))
            | Exists(FundingRecord.objects.filter(mission=mission, donor=OuterRef("pk")))
        )
        .first()
    )
    if country is None:
        raise Http404(f"No country {iso3.upper()} in {mission.acronym}.")
    return country


def page_filters(filters: Filters) -> Filters:
    """Only the parameters a dashboard or country page takes (as_of and type)."""
    return Filters(as_of=filters.as_of, personnel_type=filters.personnel_type)


@dataclass(frozen=True)
class Period:
    """What a page shows: the date whose figures it uses and why."""

    requested: datetime.date | None
    as_of: datetime.date  # Mission.effective_as_of(requested)
    ended: bool  # the mission had ended by the requested day (or today)
    # The requested day is after today: the figures are those recorded up to today.
    future: bool = False
    # The requested day is before the mission was authorised: there is nothing to show.
    before_authorisation: bool = False


def period_of(mission: Mission, filters: Filters) -> Period:
    """The period a page shows (docs/rules.md, "Dates must be possible": a future date shows
    today's figures and a date before the authorisation says so)."""
    today = datetime.date.today()
    requested_day = filters.as_of or today
    as_of = mission.effective_as_of(filters.as_of)
    return Period(
        requested=filters.as_of,
        as_of=as_of,
        ended=mission.has_ended_by(requested_day),
        future=requested_day > today,
        before_authorisation=as_of < mission.authorized_on,
    )


@dataclass(frozen=True)
class QuickChoice:
    key: str  # "today" or the ISO date: the link's id, so focus finds it after a swap
    label: str
    query: str
    active: bool


def filter_context(mission: Mission, filters: Filters, sort: str = sorting.DEFAULT_SORT) -> dict:
    """The shared as_of / type form: its values and its quick choices."""
    page = page_filters(filters)
    today = sorting.with_sort(page.query_string(as_of=None), sort)
    quick = [QuickChoice("today", _("Today"), today, not page.as_of)]
    for milestone in mission.milestones():
        quick.append(
            QuickChoice(
                milestone.day.isoformat(),
                milestone.choice_label,
                sorting.with_sort(page.query_string(as_of=milestone.day), sort),
                page.as_of == milestone.day,
            )
        )
    return {
        "type_choices": TYPE_CHOICES,
        "current_type": filters.personnel_type or "all",
        "quick_choices": quick,
        "sort": sort if sort != sorting.DEFAULT_SORT else "",
        "earliest_date": EARLIEST_DATE,
        "latest_date": LATEST_DATE,
    }


def strength_charts(
    mission: Mission,
    as_of: datetime.date,
    personnel_type: str | None,
    country: Country | None = None,
) -> dict:
    """The strength-over-time chart, wide (desktop, print) and narrow (phones), and its
    points as a table (`table`, for the page beside the chart)."""
    deployed = figures.strength_series(mission, as_of, personnel_type, country)
    pledged = figures.pledged_series(mission, as_of, personnel_type, country)
    title = charts.chart_title(mission, as_of, personnel_type, country)
    running = mission.end_date is None or mission.end_date > as_of
    drawing = {
        "title": title,
        "deployed": deployed,
        "pledged": pledged,
        "start": mission.authorized_on,
        "end": as_of,
        "milestones": mission.milestones(),
        # A successor's line starts at the strength carried over on its first day.
        "carried_over": getattr(mission, "predecessor", None) is not None
        and bool(deployed)
        and deployed[0][0] == mission.start_date,
        # After the latest event of a running mission: a faint line over a hatched band.
        "recorded_until": deployed[-1][0] if running and deployed else None,
    }
    # The dates known only to the month or year, among those either size draws.
    drawn = [
        charts.drawn_points(deployed, pledged, mission.authorized_on, as_of, size)
        for size in (charts.WIDE, charts.NARROW)
    ]
    drawing["deployed_precisions"], drawing["pledged_precisions"] = explanations.coarse_dates(
        mission,
        (day for points, _ in drawn for day, _ in points),
        (day for _, points in drawn for day, _ in points),
        personnel_type,
        country,
    )
    # Drawn by the dashboards/chart.svg template: autoescaped, safe to inline.
    wide = charts.chart_geometry(**drawing, size=charts.WIDE)
    return {
        "wide": charts.draw(wide),
        "narrow": charts.strength_chart(**drawing, size=charts.NARROW),
        "title": title,
        "table": wide.table,  # the wide chart's points, as a table beside it
        "table_rows": chart_table.table_rows(wide.table),  # …written as its rows
    }


def funding_context(mission: Mission, as_of: datetime.date) -> dict:
    """The dashboard's funding section (templates/dashboards/_funding.html): the figures as
    of `as_of` (tracker/funding_figures.py), the chart and the links' query (as_of only:
    funding has no personnel type). One query: the mission's records."""
    records = funding_figures.records_of(mission, as_of)
    running = mission.end_date is None or mission.end_date > as_of
    funding = funding_figures.figures_of(records, as_of, running=running)
    trust_fund = funding.trust_fund
    query = Filters(as_of=as_of).query_string()
    return {
        "funding": funding,
        "funding_donors": [row for row in funding.rows if row.donor is not None],
        "funding_disputed": funding.disputed_records,
        "funding_sources": [
            (_("received:"), trust_fund.received),
            (_("pledged:"), trust_fund.pledged),
            (_("requirement:"), trust_fund.requirement),
        ],
        "funding_chart": funding_chart(mission, as_of, records),
        "funding_query": query,
    }


def funding_chart(mission: Mission, as_of: datetime.date, records=None) -> dict:
    """The funding chart, wide and narrow (`records`: the mission's, if already read)."""
    if records is None:
        records = funding_figures.records_of(mission, as_of)
    return charts_of_funding.funding_charts(
        charts_of_funding.funding_chart_title(mission.acronym, as_of),
        funding_figures.funding_series(records, as_of),
        mission.authorized_on,
        as_of,
    )
