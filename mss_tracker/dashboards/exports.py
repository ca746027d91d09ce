"""Exports: the dashboard table, the events, the pledges, the funding records and the
missions, as CSV and JSON.

Each takes exactly the query parameters of the page it mirrors (`filters.parse_filters`,
so a bad value is a 400 naming it). One function per export decides what it holds (the
spec, the rows, the date, the filters); the CSV and the JSON view of it only encode
that, so both formats always carry the same rows in the same order. Rows stream straight
from a database iterator (or PostgreSQL's COPY): memory stays flat and the worker keeps
sending however many rows there are.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from mss_tracker.dashboards import sorting
from mss_tracker.dashboards.caching import ParameterReader, cache_on_data_version
from mss_tracker.dashboards.changes import changes_parameters, parse_changes
from mss_tracker.dashboards.filters import Filters, filter_parameters, parse_filters
from mss_tracker.lib.bad_requests import BadParameter
from mss_tracker.lib.methods import read_only
from mss_tracker.tracker.changes import changes_between
from mss_tracker.tracker.csv.spec import (
    CHANGES,
    EVENTS,
    FUNDING,
    FUNDING_SUMMARY,
    MISSIONS,
    PLEDGES,
    SUMMARY,
    Export,
)
from mss_tracker.tracker.csv.writing.csv_database import export_chunks
from mss_tracker.tracker.csv.writing.csv_python import (
    csv_chunks,
    encoded,
    funding_summary_values,
    summary_values,
)
from mss_tracker.tracker.csv.writing.json_postgres import export_json_chunks
from mss_tracker.tracker.csv.writing.json_python import json_chunks, typed
from mss_tracker.tracker.csv.writing.response import csv_download, json_download
from mss_tracker.tracker.figures import country_figures
from mss_tracker.tracker.funding_figures import mission_funding
from mss_tracker.tracker.models import DeploymentEvent, FundingRecord, Mission, Pledge


@dataclass(frozen=True)
class Download:
    """One export of one request, whatever its format."""

    export: Export
    name: str  # the file name without its extension: what it holds, filters that apply
    as_of: datetime.date
    filters: dict[str, str | None]  # the parameters that narrowed the rows
    records: QuerySet | None = None  # records whose spec fields are the columns, or…
    values: Iterable[list[Any]] = ()  # …computed values in the spec's columns (summary)
    byte_order_mark: bool = False  # the CSV "for Excel / LibreOffice" (`bom=1`)


def _name(*parts: str | None) -> str:
    """`mss-summary-2025-03-01-police`."""
    return "-".join(part for part in parts if part)


def _date(day: datetime.date | None, prefix: str = "") -> str | None:
    return f"{prefix}{day.isoformat()}" if day else None


def _dated(records, mission: Mission, filters: Filters):
    """`records` of `mission` dated ≤ the effective as_of, narrowed by the timeline filters."""
    as_of = mission.effective_as_of(filters.as_of)
    # The events by the mission's slug, not its id. With the id a constant, PostgreSQL has
    # no join clause left for the mission, whose slug the exports write: it joins the
    # mission last, above all else, which rules out a parallel plan, and the events export
    # of 200,000 rows built and sorted its lines on one core (docs/performance.md, "The
    # events export over HTTP against PostgreSQL's COPY"). The pledges, a few per country
    # and date, keep the id: their index on it reads fewer blocks (tests/test_scaling.py).
    if records.model is DeploymentEvent:
        records = records.filter(mission__slug=mission.slug)
    else:
        records = records.filter(mission=mission)
    records = filters.narrow(records, as_of=as_of)
    return records, as_of


def summary(request: HttpRequest, slug: str) -> Download:
    """The dashboard table: by country name, or in the table's order when `sort` is given
    (the page's download links carry its sort)."""
    filters = parse_filters(request.GET)
    sort = sorting.parse_download_sort(request.GET)
    mission = get_object_or_404(Mission, slug=slug.lower())
    as_of = mission.effective_as_of(filters.as_of)
    rows = country_figures(mission, as_of, filters.personnel_type)
    return Download(
        SUMMARY,
        _name(mission.slug, "summary", as_of.isoformat(), filters.personnel_type),
        as_of,
        {"type": filters.personnel_type},
        values=summary_values(
            mission,
            as_of,
            filters.personnel_type,
            sorting.in_table_order(rows, sort) if sort else rows,
        ),
    )


def changes(request: HttpRequest, slug: str) -> Download:
    """What changed between `from` and `to`, one row per country (the page's table
    without its total row, which is the sum of the rows)."""
    mission = get_object_or_404(Mission, slug=slug.lower())
    asked = parse_changes(request.GET, mission)
    filters = asked.filters
    result = changes_between(
        mission, asked.date_from, asked.date_to, filters.personnel_type, filters.country
    )
    return Download(
        CHANGES,
        _name(
            mission.slug,
            "changes",
            asked.date_from.isoformat(),
            asked.date_to.isoformat(),
            filters.personnel_type,
            filters.country,
        ),
        result.as_of_to,
        _timeline_filters(filters),
        values=(
            [
                row.iso3,
                row.name,
                row.deployed_from,
                row.deployed_to,
                row.deployed_change,
                row.pledged_from,
                row.pledged_to,
                row.pledged_change,
                row.counts.arrivals,
                row.counts.departures,
                row.counts.transfers,
                row.counts.fatalities,
                row.counts.events,
                row.deployed_to_disputed,
                row.pledged_to_disputed,
            ]
            for row in result.rows
        ),
    )


def events(request: HttpRequest, slug: str) -> Download:
    return _records(request, slug, EVENTS, DeploymentEvent, "events")


def pledges(request: HttpRequest, slug: str) -> Download:
    """The pledges dated ≤ as_of; `kind` is checked like everywhere but has no pledge to
    narrow, so a link copied from the events page still downloads its pledges."""
    return _records(request, slug, PLEDGES, Pledge, "pledges")


def _records(request: HttpRequest, slug: str, export: Export, model, name: str) -> Download:
    """A mission's events or pledges dated ≤ as_of, narrowed by the timeline filters (the
    event kind only where the records have one), named after every filter that applies."""
    filters = parse_filters(request.GET, timeline=True)
    mission = get_object_or_404(Mission, slug=slug.lower())
    records, as_of = _dated(model.objects.all(), mission, filters)
    by_kind = hasattr(model, "kind")
    return Download(
        export,
        _name(
            mission.slug,
            name,
            as_of.isoformat(),
            filters.personnel_type,
            filters.country,
            filters.kind if by_kind else None,
            _date(filters.date_from, "from-"),
            _date(filters.date_to, "to-"),
        ),
        as_of,
        _timeline_filters(filters) | ({"kind": filters.kind} if by_kind else {}),
        records,
    )


def funding(request: HttpRequest, slug: str) -> Download:
    """A mission's funding records dated ≤ as_of (docs/funding.md), narrowed by `country`
    (the donor) and `from`/`to`. The timeline's other parameters are checked like
    everywhere, so a link copied from the events page works, but none applies: funding
    has no personnel type, and its kind is not an event's."""
    filters = parse_filters(request.GET, timeline=True)
    mission = get_object_or_404(Mission, slug=slug.lower())
    as_of = mission.effective_as_of(filters.as_of)
    records = FundingRecord.objects.in_mission(mission).as_of(as_of)
    if filters.country:
        records = records.filter(donor_id=filters.country)
    if filters.date_from:
        records = records.filter(date__gte=filters.date_from)
    if filters.date_to:
        records = records.filter(date__lte=filters.date_to)
    return Download(
        FUNDING,
        _name(
            mission.slug,
            "funding",
            as_of.isoformat(),
            filters.country,
            _date(filters.date_from, "from-"),
            _date(filters.date_to, "to-"),
        ),
        as_of,
        {
            "country": filters.country,
            "from": _date(filters.date_from),
            "to": _date(filters.date_to),
        },
        records,
    )


def funding_summary(request: HttpRequest, slug: str) -> Download:
    """The mission's money as of as_of (docs/funding.md): the funding section's figures."""
    filters = parse_filters(request.GET)
    mission = get_object_or_404(Mission, slug=slug.lower())
    as_of = mission.effective_as_of(filters.as_of)
    return Download(
        FUNDING_SUMMARY,
        _name(mission.slug, "funding-summary", as_of.isoformat()),
        as_of,
        {},
        values=list(funding_summary_values(mission_funding(mission, as_of))),
    )


def missions(request: HttpRequest) -> Download:
    """Every mission (the index page lists them all; its as_of and type are checked)."""
    filters = parse_filters(request.GET)
    as_of = filters.as_of or datetime.date.today()
    return Download(MISSIONS, "missions", as_of, {}, Mission.objects.all())


def byte_order_mark_wanted(params: QueryDict) -> bool:
    """`bom=1`: the CSV for spreadsheets, its bytes after a UTF-8 byte-order mark
    (tracker/csv/writing/response.py). Absent, empty or `0`: the plain file. JSON has no mark:
    the parameter is checked there too, so a link works with either extension."""
    raw = params.get("bom", "").strip()
    if raw not in ("", "0", "1"):
        raise BadParameter(
            "bom", raw, _("expected 1 (the file for Excel / LibreOffice) or nothing")
        )
    return raw == "1"


def bom_parameter(params: QueryDict) -> dict[str, str]:
    """`bom` in its normal form, for the page cache (caching.py)."""
    return {"bom": "1"} if byte_order_mark_wanted(params) else {}


def summary_parameters(params: QueryDict) -> dict[str, str]:
    """What the dashboard table's download reads: the page's filters and its `sort`."""
    return filter_parameters(params) | sorting.download_sort_parameter(params)


def _timeline_filters(filters: Filters) -> dict[str, str | None]:
    return {
        "type": filters.personnel_type,
        "country": filters.country,
        "from": _date(filters.date_from),
        "to": _date(filters.date_to),
    }


# The two encoders ------------------------------------------------------------------------


def as_csv(download: Download) -> StreamingHttpResponse:
    """The database writes the records' lines where it can (`csv.writing.csv_database`)."""
    if download.records is not None:
        chunks = export_chunks(download.export, download.records)
    else:
        chunks = csv_chunks(download.export.names, encoded(download.export, download.values))
    return csv_download(f"{download.name}.csv", chunks, byte_order_mark=download.byte_order_mark)


def as_json(download: Download) -> StreamingHttpResponse:
    """On PostgreSQL the database writes the records' objects (`csv.writing.json_postgres`)."""
    export, as_of, filters = download.export, download.as_of, download.filters
    if download.records is not None:
        chunks = export_json_chunks(export, download.records, as_of, filters)
    else:
        chunks = json_chunks(export.names, typed(export, download.values), as_of, filters)
    return json_download(chunks)


# Views -------------------------------------------------------------------------------------


def export_view(
    contents: Callable[..., Download],
    encode: Callable[[Download], StreamingHttpResponse],
    *,
    cached_by: ParameterReader | None = None,
) -> Callable[..., StreamingHttpResponse]:
    """The view that answers with `contents` (one of the exports above) encoded by `encode`
    (`as_csv` or `as_json`). `cached_by`: kept in the data-versioned page cache, keyed on
    the parameters it reads (and `bom`), for exports small enough to hold (the dashboard
    table); the events and pledges stream uncached."""

    def view(request: HttpRequest, **kwargs: str) -> StreamingHttpResponse:
        wanted = byte_order_mark_wanted(request.GET)
        return encode(replace(contents(request, **kwargs), byte_order_mark=wanted))

    view.__name__ = view.__qualname__ = f"{contents.__name__}_{encode.__name__.removeprefix('as_')}"
    if cached_by is not None:
        view = cache_on_data_version(cached_by, bom_parameter)(view)
    return read_only(view)


summary_csv = export_view(summary, as_csv, cached_by=summary_parameters)
summary_json = export_view(summary, as_json, cached_by=summary_parameters)
changes_csv = export_view(changes, as_csv, cached_by=changes_parameters)
changes_json = export_view(changes, as_json, cached_by=changes_parameters)
events_csv = export_view(events, as_csv)
events_json = export_view(events, as_json)
pledges_csv = export_view(pledges, as_csv)
pledges_json = export_view(pledges, as_json)
funding_csv = export_view(funding, as_csv)
funding_json = export_view(funding, as_json)
funding_summary_csv = export_view(funding_summary, as_csv, cached_by=filter_parameters)
funding_summary_json = export_view(funding_summary, as_json, cached_by=filter_parameters)
missions_csv = export_view(missions, as_csv)
missions_json = export_view(missions, as_json)
