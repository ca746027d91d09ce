"""The Python CSV writer, driven by `spec`: rows of cells streamed from the database.

`rows(export, queryset)` reads `export`'s fields in its order through a database
iterator (a server-side cursor on PostgreSQL) and writes each value by its column's
cell kind; `csv_chunks` turns rows into text a few hundred lines at a time, so an export
of any size streams in flat memory.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet

from mss_tracker.tracker.csv.spec import EVENTS, EXPORTS, MISSIONS, PLEDGES, SUMMARY, Export
from mss_tracker.tracker.csv.spec.cells import ENCODERS
from mss_tracker.tracker.figures import country_figures, percent_of_pledge
from mss_tracker.tracker.funding_figures import FundingFigures
from mss_tracker.tracker.models import ALL_TYPES, DeploymentEvent, Mission, Pledge

EXPORT_CHUNK_ROWS = 2000  # rows per database fetch


def rows(export: Export, queryset: QuerySet) -> Iterator[list[str]]:
    """The cells of `queryset`'s records in `export`'s columns and order, streamed."""
    values = queryset.order_by(*export.order).values_list(*export.fields)
    return encoded(export, values.iterator(chunk_size=EXPORT_CHUNK_ROWS))


def event_rows(events: QuerySet[DeploymentEvent]) -> Iterator[list[str]]:
    """The cells of `events` in the events.csv columns, oldest first."""
    return rows(EVENTS, events)


def pledge_rows(pledges: QuerySet[Pledge]) -> Iterator[list[str]]:
    """The cells of `pledges` in the pledges.csv columns, oldest first."""
    return rows(PLEDGES, pledges)


def mission_rows(missions: QuerySet[Mission]) -> Iterator[list[str]]:
    """The cells of `missions` in the missions.csv columns."""
    return rows(MISSIONS, missions)


def summary_values(
    mission: Mission,
    as_of: datetime.date,
    personnel_type: str | None = None,
    rows: Iterable[Any] | None = None,
) -> Iterator[list[Any]]:
    """The dashboard table's values in summary.csv's columns: `figures.country_figures`.

    `as_of` is the effective date (already clamped by `Mission.effective_as_of`). The
    numbers are the ones the page shows: no arithmetic here beyond `percent_of_pledge`.
    Values, not cells: `summary_rows` writes them as CSV, `json_python` as JSON. `rows`:
    those figures in another order (the dashboard table's sort); by country name otherwise.
    """
    if rows is None:
        rows = country_figures(mission, as_of, personnel_type)
    for country in rows:
        yield [
            mission.slug,
            country.iso3,
            country.name,
            personnel_type or ALL_TYPES,
            country.pledged,
            country.deployed,
            country.gap,
            percent_of_pledge(country.deployed, country.pledged),
            country.fatalities,
            as_date(country.first_arrival),
            as_date(country.last_event),
            as_of,
            country.pledged_disputed_by is not None,
            country.deployed_disputed_by is not None,
            country.pledged_unconfirmed,
            country.deployed_unconfirmed,
        ]


def funding_summary_values(funding: FundingFigures) -> Iterator[list[Any]]:
    """A mission's funding figures (`funding_figures.mission_funding`) in
    funding_summary.csv's columns: the numbers the page shows, nothing recomputed."""
    for row in funding.rows:
        carries_requirement = row.donor is None and row is funding.trust_fund
        yield [
            funding.as_of,
            row.channel,
            row.donor,
            row.donor_name or None,
            row.pledged.amount,
            row.received.amount,
            row.pledged.disputed,
            row.received.disputed,
            row.requirement.amount,
            row.requirement.disputed if carries_requirement else None,
            row.share,
            row.date,
        ]


def summary_rows(
    mission: Mission, as_of: datetime.date, personnel_type: str | None = None
) -> Iterator[list[str]]:
    """The dashboard table in summary.csv's columns, as CSV cells (by the spec's kinds)."""
    return encoded(SUMMARY, summary_values(mission, as_of, personnel_type))


def encoded(export: Export, values: Iterable[Sequence[Any]]) -> Iterator[list[str]]:
    """Rows of values in `export`'s columns as CSV cells, by each column's cell kind."""
    encoders = [ENCODERS[column.cell] for column in export.columns]
    for row in values:
        yield [encode(value) for encode, value in zip(encoders, row, strict=True)]


def as_date(value: datetime.date | str | None) -> datetime.date | None:
    """A date computed by a subquery, which SQLite may hand back as ISO text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


class _Echo:
    """A file-like object whose write() hands the written text back (for csv.writer)."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(
    columns: list[str], rows: Iterable[list[str]], chunk_rows: int = 500
) -> Iterator[str]:
    """The CSV text (RFC 4180, CRLF line ends) of a header and rows, a few hundred lines
    per chunk: small enough to keep memory flat, large enough not to flood the socket."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    chunk = [writer.writerow(columns)]
    for row in rows:
        chunk.append(writer.writerow(row))
        if len(chunk) >= chunk_rows:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def header_line(columns: list[str]) -> str:
    """The header row alone, as `csv_chunks` writes it."""
    return next(csv_chunks(columns, ()))


def export_text(kind: str, queryset: QuerySet) -> str:
    """A whole missions, pledges or events file as one string (tests, small exports)."""
    export = EXPORTS[kind]
    return "".join(csv_chunks(export.names, rows(export, queryset)))
