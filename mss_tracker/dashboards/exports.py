"""CSV exports: the dashboard table, the events, the pledges and the missions.

Each takes exactly the query parameters of the page it mirrors (`filters.parse_filters`,
so a bad value is a 400 naming it) and streams its rows straight from a database
iterator: memory stays flat and the worker keeps sending however many rows there are.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404

from mss_tracker.dashboards.caching import cache_on_data_version
from mss_tracker.dashboards.filters import Filters, parse_filters
from mss_tracker.lib.methods import read_only
from mss_tracker.tracker.csv.response import csv_download, csv_response
from mss_tracker.tracker.csv.spec import MISSION_COLUMNS, PLEDGE_COLUMNS, SUMMARY_COLUMNS
from mss_tracker.tracker.csv.sql_writer import events_csv_chunks
from mss_tracker.tracker.csv.writer import mission_rows, pledge_rows, summary_rows
from mss_tracker.tracker.models import DeploymentEvent, Mission, Pledge


def _filename(*parts: str | None) -> str:
    """`mss-summary-2025-03-01-police.csv`: what the file holds, filters that apply."""
    return "-".join(part for part in parts if part) + ".csv"


def _date(day: datetime.date | None, prefix: str) -> str | None:
    return f"{prefix}{day.isoformat()}" if day else None


def _dated(records, mission: Mission, filters: Filters):
    """`records` of `mission` dated ≤ the effective as_of, narrowed by the timeline filters."""
    as_of = mission.effective_as_of(filters.as_of)
    records = filters.narrow(records.filter(mission=mission), as_of=as_of)
    return records, as_of


@read_only
@cache_on_data_version
def summary_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    filters = parse_filters(request.GET)
    mission = get_object_or_404(Mission, slug=slug.lower())
    as_of = mission.effective_as_of(filters.as_of)
    filename = _filename(mission.slug, "summary", as_of.isoformat(), filters.personnel_type)
    return csv_response(
        filename, SUMMARY_COLUMNS, summary_rows(mission, as_of, filters.personnel_type)
    )


@read_only
def events_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    filters = parse_filters(request.GET, timeline=True)
    mission = get_object_or_404(Mission, slug=slug.lower())
    events, as_of = _dated(DeploymentEvent.objects.all(), mission, filters)
    filename = _filename(
        mission.slug,
        "events",
        as_of.isoformat(),
        filters.personnel_type,
        filters.country,
        filters.kind,
        _date(filters.date_from, "from-"),
        _date(filters.date_to, "to-"),
    )
    # On PostgreSQL the database writes the lines (tracker/csv/sql_writer.py): same bytes, faster.
    return csv_download(filename, events_csv_chunks(events))


@read_only
def pledges_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """The pledges dated ≤ as_of; `kind` is checked like everywhere but has no pledge to
    narrow, so a link copied from the events page still downloads its pledges."""
    filters = parse_filters(request.GET, timeline=True)
    mission = get_object_or_404(Mission, slug=slug.lower())
    pledges, as_of = _dated(Pledge.objects.all(), mission, filters)
    filename = _filename(
        mission.slug,
        "pledges",
        as_of.isoformat(),
        filters.personnel_type,
        filters.country,
        _date(filters.date_from, "from-"),
        _date(filters.date_to, "to-"),
    )
    return csv_response(filename, PLEDGE_COLUMNS, pledge_rows(pledges))


@read_only
def missions_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every mission (the index page lists them all; its as_of and type are checked)."""
    parse_filters(request.GET)
    return csv_response("missions.csv", MISSION_COLUMNS, mission_rows(Mission.objects.all()))
