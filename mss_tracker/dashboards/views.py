"""The analyst dashboards: missions, one mission, one country, the event timeline.

Each view reads as one sequence: resolve the mission (and country) and the period
(`page_parts.py`), read the filters (`filters.py`), compute every figure through
`mss_tracker.tracker.figures` (the one code path shared with the CSV exports and the
tests), and render (`rendering.render_page`): a plain request gets the whole page, an
HTMX request only the regions that change (Django 6 template partials), a "show more"
request the next items, and a history-restore request the whole page again.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from mss_tracker.dashboards import caching, sorting
from mss_tracker.dashboards.caching import cache_on_data_version
from mss_tracker.dashboards.citations import citation, cited_parameter
from mss_tracker.dashboards.filters import (
    TYPE_CHOICES,
    Filters,
    filter_parameters,
    page_parameter,
    parse_cursor,
    parse_filters,
    parse_page_number,
    timeline_parameters,
)
from mss_tracker.dashboards.languages import by_local_name
from mss_tracker.dashboards.page_parts import (
    filter_context,
    funding_chart,
    funding_context,
    get_country,
    get_mission,
    page_filters,
    period_of,
    strength_charts,
)
from mss_tracker.dashboards.rendering import ShowMore, page_url, render_page, svg_response
from mss_tracker.lib.methods import read_only
from mss_tracker.tracker import carry_over, explanations, figures, funding_figures
from mss_tracker.tracker.dates import EARLIEST_DATE, LATEST_DATE
from mss_tracker.tracker.models import Country, DeploymentEvent, EventKind, Mission, PersonnelType
from mss_tracker.tracker.revisions import Scope

EVENTS_PER_PAGE = 25
COUNTRY_EVENTS = 50  # the country page's latest events; the rest are on the events timeline
LATEST_EVENTS = 8

QUICK_DATES = "dashboards/_filters.html#quick_dates"


def _newest_first(events: QuerySet) -> QuerySet:
    return events.select_related("source").with_strength_after().order_by("-date", "-pk")


def _events(mission: Mission, as_of: datetime.date, filters: Filters) -> QuerySet:
    events = filters.narrow(DeploymentEvent.objects.filter(mission=mission), as_of=as_of)
    return _newest_first(events.select_related("country"))


@read_only
@cache_on_data_version(filter_parameters)
def index(request: HttpRequest) -> HttpResponse:
    filters = page_filters(parse_filters(request.GET))
    listed = Mission.objects.select_related("successor", "predecessor", "host_country", "source")
    periods = [(mission, period_of(mission, filters)) for mission in listed]
    every_totals = figures.missions_totals(
        [(mission, period.as_of) for mission, period in periods], filters.personnel_type
    )
    missions = [
        {
            "mission": mission,
            "period": period,
            "totals": totals,
            "freshness": explanations.freshness(
                mission, period.as_of, totals.last_event, totals.last_event_precision
            ),
        }
        for (mission, period), totals in zip(periods, every_totals, strict=True)
    ]
    return render(
        request,
        "dashboards/index.html",
        {"missions": missions, "filters": filters, "query": filters.query_string()},
    )


@read_only
@cache_on_data_version(filter_parameters, sorting.sort_parameter, cited_parameter)
def mission(request: HttpRequest, slug: str) -> HttpResponse:
    mission = get_mission(slug)
    filters = page_filters(parse_filters(request.GET))
    sort = sorting.parse_sort(request.GET)
    period = period_of(mission, filters)
    as_of, personnel_type = period.as_of, filters.personnel_type

    rows = list(
        sorting.in_table_order(figures.country_figures(mission, as_of, personnel_type), sort)
    )
    if sort.removeprefix("-") == "country":  # by the name the reader sees (Tchad, Ayiti)
        rows = by_local_name(rows, descending=sort.startswith("-"))
    totals = figures.totals_of(rows)
    _note_carried_over(mission, rows, personnel_type)
    query = filters.query_string()
    context = {
        "mission": mission,
        "filters": filters,
        "period": period,
        "totals": totals,
        "days_deployed": (as_of - totals.first_arrival).days if totals.first_arrival else None,
        "freshness": explanations.freshness(
            mission, as_of, totals.last_event, totals.last_event_precision
        ),
        "rows": rows,
        "columns": sorting.header_links(filters, sort),
        "chart": strength_charts(mission, as_of, personnel_type),
        "latest_events": _events(mission, as_of, filters)[:LATEST_EVENTS],
        "query": query,
        "download_query": sorting.download_query(query, sort),
        "stale_transfers": _stale_transfers_for_staff(request, mission),
        "citation": citation(
            request,
            mission,
            _("dashboard"),
            {"as_of": as_of.isoformat(), "type": personnel_type},
            as_of,
            scope=Scope(mission, as_of, personnel_type),
        ),
        **funding_context(mission, as_of),
        **filter_context(mission, filters, sort),
    }
    return render_page(
        request,
        "dashboards/mission.html",
        context,
        url=page_url(request, sorting.with_sort(query, sort)),
        out_of_band_after_form=(QUICK_DATES,),
    )


def _note_carried_over(mission: Mission, rows: list, personnel_type: str | None) -> None:
    """Mark the rows whose first arrival is the carry-over from the predecessor (a
    transfer on this mission's start date) with `arrived_under_predecessor`: the date and
    precision they first arrived under it, which their first arrival does not show."""
    carried = [row for row in rows if row and row.first_arrival == mission.start_date]
    earlier = (
        explanations.first_arrivals_under_predecessor(mission, personnel_type) if carried else {}
    )
    for row in carried:
        row.arrived_under_predecessor = earlier.get(row.iso3)


def _stale_transfers_for_staff(request: HttpRequest, mission: Mission) -> list:
    """Transfers carried over from the predecessor that differ from its end-date strength
    (carry_over.stale_transfers), for staff only: readers see figures, not to-dos. Staff
    pages are not cached (caching.py)."""
    if not (request.user.is_authenticated and request.user.is_staff):
        return []
    return carry_over.stale_transfers(mission)


@read_only
@cache_on_data_version(filter_parameters)
def mission_chart(request: HttpRequest, slug: str) -> HttpResponse:
    mission = get_mission(slug)
    filters = parse_filters(request.GET)
    as_of = mission.effective_as_of(filters.as_of)
    chart = strength_charts(mission, as_of, filters.personnel_type)
    return svg_response(chart["wide"], f"{mission.slug}-strength-{as_of.isoformat()}.svg")


@read_only
@cache_on_data_version(filter_parameters)
def mission_funding_chart(request: HttpRequest, slug: str) -> HttpResponse:
    """The funding chart alone (funding.svg), to download or embed."""
    mission = get_mission(slug)
    as_of = mission.effective_as_of(parse_filters(request.GET).as_of)
    chart = funding_chart(mission, as_of)
    return svg_response(chart["wide"], f"{mission.slug}-funding-{as_of.isoformat()}.svg")


@read_only
@cache_on_data_version(filter_parameters, cited_parameter)
def country(request: HttpRequest, slug: str, iso3: str) -> HttpResponse:
    mission = get_mission(slug)
    country = get_country(mission, iso3)
    filters = page_filters(parse_filters(request.GET))
    period = period_of(mission, filters)
    as_of, personnel_type = period.as_of, filters.personnel_type

    row, figures_by_type = figures.country_figures_by_type(mission, country, as_of, personnel_type)
    _note_carried_over(mission, [row], personnel_type)
    by_type = [
        {"label": label, "value": value, "figures": figures_by_type[value]}
        for value, label in PersonnelType.choices
        if value in figures_by_type
    ]
    events = DeploymentEvent.objects.in_mission(mission).of_country(country).as_of(as_of)
    events = events.of_type(personnel_type)
    # The latest events only (a country's history can run to tens of thousands): one count
    # (from the timeline) and one page of COUNTRY_EVENTS, newest first; "All N events"
    # opens the timeline.
    count = figures.events_count(mission, as_of, personnel_type, country.iso3)
    latest = _counted_pages(_newest_first(events), COUNTRY_EVENTS, count).get_page(1)
    discrepancies, older_discrepancies = _latest_discrepancies(
        mission, as_of, latest, filters, country
    )
    query = filters.query_string()
    context = {
        "mission": mission,
        "country": country,
        "filters": filters,
        "period": period,
        "row": row,
        "by_type": by_type,
        "pledges": figures.pledge_history(mission, country, as_of, personnel_type),
        "events": latest,
        "discrepancies": discrepancies,
        "older_discrepancies": older_discrepancies,
        "disputed_by": explanations.disputed_records(
            mission, country, as_of, personnel_type, [row, *(t["figures"] for t in by_type)]
        ),
        "freshness": explanations.freshness(
            mission,
            as_of,
            row.last_event if row else None,
            row.last_event_precision if row else None,
        ),
        "chart": strength_charts(mission, as_of, personnel_type, country),
        "query": query,
        "events_query": filters.query_string(country=country.iso3),
        "citation": citation(
            request,
            mission,
            country.local_name,
            {"as_of": as_of.isoformat(), "type": personnel_type},
            as_of,
            scope=Scope(mission, as_of, personnel_type, country.iso3),
        ),
        # The country as a donor: its funding records (docs/funding.md), as_of only.
        "country_funding": funding_figures.records_of(mission, as_of, donor=country),
        "country_funding_query": Filters(as_of=as_of, country=country.iso3).query_string(),
        **filter_context(mission, filters),
    }
    return render_page(
        request,
        "dashboards/country.html",
        context,
        url=page_url(request, query),
        out_of_band_after_form=(QUICK_DATES,),
    )


def _counted_pages(events: QuerySet, per_page: int, count: int) -> Paginator:
    """Pages of `events` whose number is already known (`figures.events_count`, read from
    the timeline), so the paginator does not count them again row by row."""
    pages = Paginator(events, per_page)
    pages.count = count  # a cached property: what it would have counted
    return pages


def _latest_discrepancies(
    mission: Mission, as_of: datetime.date, latest, filters: Filters, country: Country
):
    """The latest COUNTRY_EVENTS reports that do not add up, and whether there are older
    ones (one more is read to know); each links to its event, on this page or the timeline."""
    discrepancies = list(
        DeploymentEvent.objects.strength_discrepancies(
            mission, country, as_of, filters.personnel_type, latest=COUNTRY_EVENTS + 1
        )
    )
    older = len(discrepancies) > COUNTRY_EVENTS
    discrepancies = discrepancies[:COUNTRY_EVENTS]
    shown = {event.pk for event in latest.object_list}
    for report in discrepancies:  # a report older than the latest events: on the timeline
        report.on_page = report.pk in shown
        report.timeline_query = filters.query_string(
            country=country.iso3, personnel_type=report.personnel_type, date_to=report.date
        )
    return discrepancies, older


@read_only
@cache_on_data_version(filter_parameters)
def country_chart(request: HttpRequest, slug: str, iso3: str) -> HttpResponse:
    mission = get_mission(slug)
    country = get_country(mission, iso3)
    filters = parse_filters(request.GET)
    as_of = mission.effective_as_of(filters.as_of)
    chart = strength_charts(mission, as_of, filters.personnel_type, country)
    filename = f"{mission.slug}-{country.iso3.lower()}-strength-{as_of.isoformat()}.svg"
    return svg_response(chart["wide"], filename)


@read_only
@cache_on_data_version(timeline_parameters, page_parameter, cited_parameter)
def events(request: HttpRequest, slug: str) -> HttpResponse:
    mission = get_mission(slug)
    filters = parse_filters(request.GET, timeline=True)
    period = period_of(mission, filters)
    paginator = Paginator(_events(mission, period.as_of, filters), EVENTS_PER_PAGE)
    if not filters.kind:  # the timeline counts events of every kind, not of each
        paginator = _counted_pages(
            paginator.object_list,
            EVENTS_PER_PAGE,
            figures.events_count(
                mission,
                min(period.as_of, filters.date_to or period.as_of),
                filters.personnel_type,
                filters.country,
                since=filters.date_from,
            ),
        )
    page = _timeline_page(paginator, request.GET, mission, period.as_of, filters)
    countries = Country.objects.filter(
        Exists(DeploymentEvent.objects.filter(mission=mission, country=OuterRef("pk")))
        | Q(iso3=filters.country or "")
    )
    query = filters.query_string()
    context = {
        "mission": mission,
        "filters": filters,
        "period": period,
        "page": page,
        "query": query,
        "page_query": page_filters(filters).query_string(),
        "countries": by_local_name(countries),
        "kinds": EventKind.choices,
        "type_choices": TYPE_CHOICES,
        "current_type": filters.personnel_type or "all",
        "earliest_date": EARLIEST_DATE,
        "latest_date": LATEST_DATE,
        "citation": _events_citation(request, mission, period.as_of, filters),
        # The last day the listed events may have: the page's date, or `to` if earlier.
        "last_date": min(period.as_of, filters.date_to) if filters.date_to else period.as_of,
        **_page_links(page, query),
    }
    url = page_url(request, _joined(query, urlencode(page_parameter(request.GET))))
    # "Show more": the next page's items replace the button, the address stays.
    more = ShowMore(items="items", out_of_band=("pagination", "announcement_more"))
    return render_page(request, "dashboards/events.html", context, url=url, show_more=more)


class _SeekPage(Page):
    """A page of the timeline read from a cursor: whether there are older or newer events
    is known from the rows read (one more than the page), not from the page number."""

    def __init__(self, rows: list, number: int, paginator: Paginator, older: bool, newer: bool):
        super().__init__(rows, number, paginator)
        self.older, self.newer = older, newer

    def has_next(self) -> bool:
        return self.older

    def has_previous(self) -> bool:
        return self.newer

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return max(self.number - 1, 1)


def _timeline_page(
    paginator: Paginator,
    params: QueryDict,
    mission: Mission,
    as_of: datetime.date,
    filters: Filters,
) -> Page:
    """The page asked for. With a cursor (the links this page writes), a seek from that
    event by the (mission, date, id) index, however deep the page; a bare `?page=N` (an
    older link) is counted off from the newest, as before. The page number is carried
    along for "Page N of M" and the reader's position."""
    number = parse_page_number(params, paginator.num_pages)
    cursor = parse_cursor(params)
    if cursor is None:
        return paginator.page(number)
    per_page, day, pk = paginator.per_page, cursor.date, cursor.pk
    # One bound on each side of the date, so that the index starts at the cursor's day
    # (with two upper bounds, SQLite may start from the other).
    if cursor.direction == "older":
        last = min(as_of, filters.date_to or as_of, day)
        events = _events(mission, last, replace(filters, date_to=None))
        older = events.filter(Q(date__lt=day) | Q(pk__lt=pk))
        rows = list(older[: per_page + 1])
        return _SeekPage(rows[:per_page], number, paginator, len(rows) > per_page, True)
    first = max(filters.date_from or day, day)
    events = _events(mission, as_of, replace(filters, date_from=None)).filter(date__gte=first)
    newer = events.filter(Q(date__gt=day) | Q(pk__gt=pk)).reverse()
    rows = list(newer[: per_page + 1])
    return _SeekPage(rows[:per_page][::-1], number, paginator, True, len(rows) > per_page)


def _page_links(page: Page, query: str) -> dict[str, str]:
    """The queries of the older and newer pages: each starts from this page's last or first
    event; the newest page has no cursor (one address for it, one cached copy)."""
    rows = list(page.object_list)
    if not rows:
        return {"older_query": "", "newer_query": ""}
    last, first = rows[-1], rows[0]
    older = f"page={page.number + 1}&older={last.date.isoformat()}.{last.pk}"
    newer = "" if page.number <= 2 else f"page={page.number - 1}&newer={first.date}.{first.pk}"
    return {"older_query": _joined(query, older), "newer_query": _joined(query, newer)}


def _joined(*queries: str) -> str:
    return "&".join(query for query in queries if query)


def _events_citation(request: HttpRequest, mission: Mission, as_of, filters: Filters) -> dict:
    """The events list rests on the events it lists: dated ≤ as_of (and ≤ `to`), filtered."""
    last = min(as_of, filters.date_to) if filters.date_to else as_of
    pinned = {
        "as_of": as_of.isoformat(),
        "type": filters.personnel_type,
        "country": filters.country,
        "kind": filters.kind,
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
    }
    scope = Scope(
        mission, last, filters.personnel_type, filters.country, filters.kind, filters.date_from
    )
    return citation(request, mission, _("events"), pinned, as_of, scope=scope)


@read_only
@login_not_required  # load balancers probe it, logged in or not
def healthz(request: HttpRequest) -> HttpResponse:
    """The database answers or not. The page cache is never called (a hung Redis must not
    hold the probe up); this process's last word on it is passed on in a header."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    response = HttpResponse("ok", content_type="text/plain")
    if caching.breaker.unavailable:
        response["X-Page-Cache"] = "unavailable"
    return response


@read_only
@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico where a page names no icon: the admin, a chart.svg."""
    return redirect(static("favicon.svg"))
