"""The analyst dashboards: missions, one mission, one country, the event timeline.

Every figure comes from `mss_tracker.tracker.figures` (the one code path shared with the
CSV exports and the tests); views only choose the date, the type and the order, and
format. Each page is one view and one template: a plain request renders the whole page,
an HTMX request renders only the regions that change (Django 6 template partials), and
a history-restore request gets the whole page again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Exists,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast, NullIf
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from mss_tracker.dashboards import charts, sorting
from mss_tracker.dashboards.caching import cache_on_data_version
from mss_tracker.dashboards.filters import (
    TYPE_CHOICES,
    Filters,
    parse_filters,
    parse_page_number,
)
from mss_tracker.dashboards.languages import by_local_name
from mss_tracker.dashboards.rendering import (
    page_url,
    render_out_of_band,
    render_page,
    svg_response,
)
from mss_tracker.lib.methods import read_only
from mss_tracker.tracker import figures
from mss_tracker.tracker.dates import EARLIEST_DATE, LATEST_DATE
from mss_tracker.tracker.models import (
    Country,
    DeploymentEvent,
    EventKind,
    Mission,
    PersonnelType,
    Pledge,
)

EVENTS_PER_PAGE = 25
COUNTRY_EVENTS = 50  # the country page's latest events; the rest are on the events timeline
LATEST_EVENTS = 8

QUICK_DATES = "dashboards/_filters.html#quick_dates"


# Helpers ------------------------------------------------------------------------------


def _get_mission(slug: str) -> Mission:
    """The mission with this slug (any case), with its predecessor and successor, or 404."""
    return get_object_or_404(
        Mission.objects.select_related("successor", "predecessor", "host_country", "lead_country"),
        slug=slug.lower(),
    )


def _get_country(mission: Mission, iso3: str) -> Country:
    """The country (code in any case) if it has a pledge or an event in the mission, or 404."""
    country = (
        Country.objects.filter(iso3=iso3.upper())
        .filter(
            Exists(Pledge.objects.filter(mission=mission, country=OuterRef("pk")))
            | Exists(DeploymentEvent.objects.filter(mission=mission, country=OuterRef("pk")))
        )
        .first()
    )
    if country is None:
        raise Http404(f"No country {iso3.upper()} in {mission.acronym}.")
    return country


def _page_filters(filters: Filters) -> Filters:
    """Only the parameters a dashboard or country page takes (as_of and type)."""
    return Filters(as_of=filters.as_of, personnel_type=filters.personnel_type)


@dataclass(frozen=True)
class QuickChoice:
    key: str  # "today" or the ISO date: the link's id, so focus finds it after a swap
    label: str
    query: str
    active: bool


@dataclass(frozen=True)
class Period:
    """What a page shows: the date whose figures it uses and why."""

    requested: datetime.date | None
    as_of: datetime.date  # Mission.effective_as_of(requested)
    ended: bool  # the mission had ended by the requested day (or today)


def _period(mission: Mission, filters: Filters) -> Period:
    requested_day = filters.as_of or datetime.date.today()
    return Period(
        requested=filters.as_of,
        as_of=mission.effective_as_of(filters.as_of),
        ended=mission.has_ended_by(requested_day),
    )


def _filter_context(mission: Mission, filters: Filters, sort: str = sorting.DEFAULT_SORT) -> dict:
    """The shared as_of / type form: its values and its quick choices."""
    page = _page_filters(filters)
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


def _charts(
    mission: Mission,
    as_of: datetime.date,
    personnel_type: str | None,
    country: Country | None = None,
) -> dict[str, SafeString]:
    """The strength-over-time chart, wide (desktop, print) and narrow (phones)."""
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
    # Drawn by the dashboards/chart.svg template: autoescaped, safe to inline.
    return {
        "wide": charts.strength_chart(**drawing, size=charts.WIDE),
        "narrow": charts.strength_chart(**drawing, size=charts.NARROW),
        "title": title,
    }


def _events(mission: Mission, as_of: datetime.date, filters: Filters) -> QuerySet:
    events = filters.narrow(DeploymentEvent.objects.filter(mission=mission), as_of=as_of)
    return events.select_related("country", "source").with_strength_after().order_by("-date", "-pk")


# Pages --------------------------------------------------------------------------------


@read_only
@cache_on_data_version
def index(request: HttpRequest) -> HttpResponse:
    filters = _page_filters(parse_filters(request.GET))
    missions = []
    for mission in Mission.objects.select_related("successor", "predecessor", "host_country"):
        period = _period(mission, filters)
        missions.append(
            {
                "mission": mission,
                "period": period,
                "totals": figures.mission_totals(mission, period.as_of, filters.personnel_type),
            }
        )
    return render(
        request,
        "dashboards/index.html",
        {"missions": missions, "filters": filters, "query": filters.query_string()},
    )


@read_only
@cache_on_data_version
def mission(request: HttpRequest, slug: str) -> HttpResponse:
    mission = _get_mission(slug)
    filters = _page_filters(parse_filters(request.GET))
    sort = sorting.parse_sort(request)
    period = _period(mission, filters)
    as_of, personnel_type = period.as_of, filters.personnel_type

    order = sorting.order_of(sort)
    rows = list(
        figures.country_figures(mission, as_of, personnel_type)
        .annotate(percent_for_sorting=Cast("deployed", FloatField()) / NullIf("pledged", 0))
        .order_by(order, "name")
    )
    if sort.removeprefix("-") == "country":  # by the name the reader sees (Tchad, Ayiti)
        rows = by_local_name(rows, descending=sort.startswith("-"))
    totals = figures.mission_totals(mission, as_of, personnel_type)
    query = filters.query_string()
    context = {
        "mission": mission,
        "filters": filters,
        "period": period,
        "totals": totals,
        "days_deployed": (as_of - totals.first_arrival).days if totals.first_arrival else None,
        "freshness": figures.freshness(mission, as_of, totals.last_event),
        "rows": rows,
        "columns": sorting.header_links(filters, sort),
        "chart": _charts(mission, as_of, personnel_type),
        "latest_events": _events(mission, as_of, filters)[:LATEST_EVENTS],
        "query": query,
        **_filter_context(mission, filters, sort),
    }
    return render_page(
        request,
        "dashboards/mission.html",
        context,
        url=page_url(request, sorting.with_sort(query, sort)),
        out_of_band_after_form=(QUICK_DATES,),
    )


@read_only
@cache_on_data_version
def mission_chart(request: HttpRequest, slug: str) -> HttpResponse:
    mission = _get_mission(slug)
    filters = parse_filters(request.GET)
    as_of = mission.effective_as_of(filters.as_of)
    chart = _charts(mission, as_of, filters.personnel_type)
    return svg_response(chart["wide"], f"{mission.slug}-strength-{as_of.isoformat()}.svg")


@read_only
@cache_on_data_version
def country(request: HttpRequest, slug: str, iso3: str) -> HttpResponse:
    mission = _get_mission(slug)
    country = _get_country(mission, iso3)
    filters = _page_filters(parse_filters(request.GET))
    period = _period(mission, filters)
    as_of, personnel_type = period.as_of, filters.personnel_type

    def figures_of(personnel_type: str | None):
        return figures.country_figures(mission, as_of, personnel_type).filter(pk=country.pk).first()

    row = figures_of(personnel_type)
    by_type = []
    for value, label in PersonnelType.choices:
        if personnel_type and value != personnel_type:
            continue
        typed = figures_of(value)
        if typed is not None:
            by_type.append({"label": label, "value": value, "figures": typed})

    disputed_by = _disputed_by([row, *(typed["figures"] for typed in by_type)])
    pledges = (
        Pledge.objects.in_mission(mission)
        .of_country(country)
        .as_of(as_of)
        .of_type(personnel_type)
        .with_superseded()
        .select_related("source")
        .order_by("personnel_type", "-date")
    )
    events = DeploymentEvent.objects.in_mission(mission).of_country(country).as_of(as_of)
    events = events.of_type(personnel_type)
    events_shown = events.select_related("source").with_strength_after().order_by("-date", "-pk")
    # The latest events only (a country's history can run to tens of thousands): one count
    # and one page of COUNTRY_EVENTS, newest first; "All N events" opens the timeline.
    latest = Paginator(events_shown, COUNTRY_EVENTS).get_page(1)
    # Likewise the latest reports that do not add up (one more, to know there are older ones).
    discrepancies = list(events.strength_discrepancies()[: COUNTRY_EVENTS + 1])
    older_discrepancies = len(discrepancies) > COUNTRY_EVENTS
    discrepancies = discrepancies[:COUNTRY_EVENTS]
    shown = {event.pk for event in latest.object_list}
    for report in discrepancies:  # a report older than the latest events: on the timeline
        report.on_page = report.pk in shown
        report.timeline_query = filters.query_string(
            country=country.iso3, personnel_type=report.personnel_type, date_to=report.date
        )

    query = filters.query_string()
    context = {
        "mission": mission,
        "country": country,
        "filters": filters,
        "period": period,
        "row": row,
        "by_type": by_type,
        "pledges": pledges,
        "events": latest,
        "discrepancies": discrepancies,
        "older_discrepancies": older_discrepancies,
        "disputed_by": disputed_by,
        "freshness": figures.freshness(mission, as_of, row.last_event if row else None),
        "chart": _charts(mission, as_of, personnel_type, country),
        "query": query,
        "events_query": filters.query_string(country=country.iso3),
        **_filter_context(mission, filters),
    }
    return render_page(
        request,
        "dashboards/country.html",
        context,
        url=page_url(request, query),
        out_of_band_after_form=(QUICK_DATES,),
    )


def _disputed_by(rows: list) -> dict[str, list]:
    """The pledges and events that make these figures disputed (DESIGN.md "Disputed
    follows the figure"), each once, newest first: two queries at most."""
    rows = [row for row in rows if row is not None]
    pledge_ids = {row.pledged_disputed_by for row in rows} - {None}
    event_ids = {row.deployed_disputed_by for row in rows} - {None}
    return {
        "pledges": list(
            Pledge.objects.filter(pk__in=pledge_ids).select_related("source").order_by("-date")
        )
        if pledge_ids
        else [],
        "events": list(
            DeploymentEvent.objects.filter(pk__in=event_ids)
            .select_related("source")
            .order_by("-date", "-pk")
        )
        if event_ids
        else [],
    }


@read_only
@cache_on_data_version
def country_chart(request: HttpRequest, slug: str, iso3: str) -> HttpResponse:
    mission = _get_mission(slug)
    country = _get_country(mission, iso3)
    filters = parse_filters(request.GET)
    as_of = mission.effective_as_of(filters.as_of)
    chart = _charts(mission, as_of, filters.personnel_type, country)
    filename = f"{mission.slug}-{country.iso3.lower()}-strength-{as_of.isoformat()}.svg"
    return svg_response(chart["wide"], filename)


@read_only
@cache_on_data_version
def events(request: HttpRequest, slug: str) -> HttpResponse:
    mission = _get_mission(slug)
    filters = parse_filters(request.GET, timeline=True)
    period = _period(mission, filters)
    paginator = Paginator(_events(mission, period.as_of, filters), EVENTS_PER_PAGE)
    page = paginator.get_page(parse_page_number(request.GET, paginator.num_pages))
    query = filters.query_string()
    countries = Country.objects.filter(
        Exists(DeploymentEvent.objects.filter(mission=mission, country=OuterRef("pk")))
        | Q(iso3=filters.country or "")
    )
    context = {
        "mission": mission,
        "filters": filters,
        "period": period,
        "page": page,
        "query": query,
        "page_query": _page_filters(filters).query_string(),
        "countries": by_local_name(countries),
        "kinds": EventKind.choices,
        "type_choices": TYPE_CHOICES,
        "current_type": filters.personnel_type or "all",
        "earliest_date": EARLIEST_DATE,
        "latest_date": LATEST_DATE,
    }
    if request.htmx and request.htmx.target == "show-more":
        # "Show more": the next page's items replace the button, the address stays.
        response = HttpResponse(
            render_to_string("dashboards/events.html#items", context, request)
            + "".join(
                render_out_of_band(request, "dashboards/events.html", name, context)
                for name in ("pagination", "announcement_more")
            )
        )
        patch_vary_headers(response, ("HX-Request",))
        return response
    page_part = f"page={page.number}" if page.number > 1 else ""
    url = page_url(request, "&".join(part for part in (query, page_part) if part))
    return render_page(request, "dashboards/events.html", context, url=url)


@read_only
@login_not_required  # load balancers probe it, logged in or not
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@read_only
@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico where a page names no icon: the admin, a chart.svg."""
    return redirect(static("favicon.svg"))
