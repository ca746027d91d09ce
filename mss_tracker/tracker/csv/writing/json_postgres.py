"""The JSON rows written by PostgreSQL itself, from the same `spec`: as `json_python`, faster.

Like `csv_postgres` for the CSV: building a dict and encoding it costs Python several
microseconds a row, so on PostgreSQL each row's JSON object is built by the query
(`json_build_object`, which keeps the columns' order, unlike jsonb) and sent with COPY.
PostgreSQL's JSON already has the types `json_python` gives: integers as numbers, NULL as
null, booleans as true/false, dates as ISO strings, UUIDs as strings; text is sent as it
is stored (no formula guard). Python only joins the rows with commas and undoes COPY's
escaping of backslashes (JSON's own escapes; a JSON text holds no raw control character),
a chunk of rows at a time, and hands the response UTF-8 bytes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from itertools import islice

from django.db import connections
from django.db.models import F, Func, JSONField, QuerySet

from mss_tracker.tracker.csv.spec import Cell, Export
from mss_tracker.tracker.csv.writing import json_sqlite
from mss_tracker.tracker.csv.writing.csv_postgres import LINES_PER_CHUNK, copy_out
from mss_tracker.tracker.csv.writing.json_python import envelope, join_rows, json_chunks, json_rows

_TEXT = (Cell.TEXT, Cell.SLUG, Cell.CODE)


class _JsonObject(Func):
    """json_build_object('name', value, …) in the columns' order, as text."""

    output_field = JSONField()

    def __init__(self, export: Export) -> None:
        self.columns = export.columns
        super().__init__(*(F(field) for field in export.fields))

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for column, expression in zip(self.columns, self.source_expressions, strict=True):
            sql, expression_params = compiler.compile(expression)
            if column.cell in _TEXT:
                sql = f"NULLIF({sql}, '')"  # blank text is null, as in json_python
            name = column.name
            parts.append("'" + name.replace("'", "''") + "', " + sql)
            params.extend(expression_params)
        return f"json_build_object({', '.join(parts)})::text", tuple(params)


def row_query(export: Export, queryset: QuerySet) -> QuerySet:
    """`queryset` in `export`'s order, one JSON object (`json_row`) per record."""
    return queryset.order_by(*export.order).annotate(json_row=_JsonObject(export))


def _json_lines(export: Export, queryset: QuerySet) -> Iterator[bytes]:
    """The rows' JSON objects separated by commas, a chunk of rows at a time, as UTF-8 bytes.

    As in `csv_postgres._lines`: a JSON text holds no raw LF, so each LF that COPY sends ends
    a row and becomes the comma between two rows in one pass over the chunk; then COPY's
    doubled backslashes are undone, also in one pass."""
    # Counted and logged like any query (csv_postgres.copy_out says how, and why so).
    rows = iter(copy_out(row_query(export, queryset).values_list("json_row", flat=True)))
    separator = b""
    while chunk := list(islice(rows, LINES_PER_CHUNK)):
        data = separator + b"".join(chunk)[:-1].replace(b"\n", b",")
        yield data.replace(b"\\\\", b"\\") if b"\\" in data else data
        separator = b","


def export_json_chunks(
    export: Export, queryset: QuerySet, as_of: datetime.date, filters: dict
) -> Iterator[str] | Iterator[bytes]:
    """`export`'s JSON document of `queryset`: rows built by PostgreSQL there, by SQLite
    there (`json_sqlite`), by `json_python` elsewhere."""
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return _json_document(export, queryset, as_of, filters)
    head, tail = envelope(export.names, as_of, filters)
    if vendor == "sqlite" and json_sqlite.writes(export):
        return join_rows(head, json_sqlite.json_rows(export, queryset), tail)
    return json_chunks(export.names, json_rows(export, queryset), as_of, filters)


def _json_document(
    export: Export, queryset: QuerySet, as_of: datetime.date, filters: dict
) -> Iterator[bytes]:
    # A generator, so that closing the response closes the COPY under way.
    head, tail = envelope(export.names, as_of, filters)
    yield head.encode()
    yield from _json_lines(export, queryset)
    yield tail.encode()
