"""The CSV written by SQLite itself: each finished line built by the query (`csv_sql`),
read with the database cursor a few thousand lines at a time.

The Python writer spends about ten microseconds a row turning values into cells; here
SQLite builds each line and hands it over as UTF-8 bytes (`CAST(… AS BLOB)`: no Python
str to make and encode again), with its CRLF already on, and Python only joins each
batch into one chunk of bytes. Memory stays flat: one batch at a time
(docs/performance.md, "The events export on SQLite against Datasette").
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BinaryField, Func, QuerySet

from mss_tracker.tracker.csv.spec import Cell, Export
from mss_tracker.tracker.csv.writing.csv_python import header_line
from mss_tracker.tracker.csv.writing.csv_sql import line

LINES_PER_CHUNK = 5000  # lines per fetch, and per chunk of the response


class _LineBytes(Func):
    """The line and its CRLF as UTF-8 bytes."""

    output_field = BinaryField()
    template = "CAST(%(expressions)s || char(13, 10) AS BLOB)"


def line_bytes(export: Export, queryset: QuerySet) -> QuerySet:
    """`queryset` in `export`'s order, one finished CSV line (`csv_line`, bytes) per record."""
    return queryset.order_by(*export.order).annotate(csv_line=_LineBytes(line(export)))


def writes(export: Export) -> bool:
    """Whether SQLite writes `export`'s cells as Python does: all but decimals
    (`csv_sql._DecimalCell`), which no export of stored records has."""
    return all(column.cell is not Cell.DECIMAL for column in export.columns)


def csv_lines(export: Export, queryset: QuerySet) -> Iterator[bytes]:
    """`export`'s CSV of `queryset` (header included) in chunks of lines SQLite wrote.

    Read with Django's cursor, so the query is counted and logged like any other."""
    query = line_bytes(export, queryset).values_list("csv_line", flat=True)
    yield header_line(export.names).encode()
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # `.none()`, `pk__in=[]`: no query to run
        return
    first = itemgetter(0)
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(LINES_PER_CHUNK):
            yield b"".join(map(first, batch))
