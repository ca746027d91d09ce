"""The CSV written by PostgreSQL itself, generated from `spec`: the same bytes, faster.

`csv_python.rows` + `csv_chunks` turn every value into a cell in Python, about ten
microseconds a row: a million-row export ran at a quarter of the rows per second of
PostgreSQL's `COPY (the same SELECT) TO STDOUT WITH CSV`. Here PostgreSQL builds each
finished line in the query (`csv_sql`: formula guard, RFC 4180 quoting) and sends the
lines with COPY; Python only turns COPY's row ends into CRLF and, in the rare line that
holds a backslash, tab, CR or LF, undoes COPY's escapes. SQLite has its own reader of the
same lines (`csv_sqlite`); `csv_database.export_chunks` picks the writer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import nullcontext
from itertools import islice

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from mss_tracker.tracker.csv.spec import EVENTS, Export
from mss_tracker.tracker.csv.writing.csv_python import header_line
from mss_tracker.tracker.csv.writing.csv_sql import line_query
from mss_tracker.tracker.models import DeploymentEvent

LINES_PER_CHUNK = 2000


_COPY_ESCAPES = {b"\\": b"\\", b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r"}
_COPY_ESCAPES |= {b"t": b"\t", b"v": b"\v"}
_COPY_ESCAPE = re.compile(rb"\\(.)", re.DOTALL)


def _unescape(line: bytes) -> bytes:
    """Undo COPY's text-format escapes (it writes \\n for LF, \\\\ for a backslash…)."""
    return _COPY_ESCAPE.sub(lambda match: _COPY_ESCAPES[match.group(1)], line)


def copy_out(query: QuerySet) -> Iterator[memoryview]:
    """The rows of `query` (one column) as PostgreSQL's COPY … TO STDOUT sends them, each
    row's text ending in LF.

    Counted and logged like any query when Django records them (DEBUG, assertNumQueries),
    with its values in place, so that the statement recorded can be run again as it is.
    No public API does that: Django records only what passes through `cursor.execute()`
    (its execute wrappers too), and psycopg refuses COPY there (it wants `cursor.copy()`).
    So this uses the recording wrapper's `debug_sql()`, the undocumented context manager
    Django's own `execute()` records with; the wrapper, and so the method, exists only
    while queries are recorded, hence the getattr."""
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # `.none()`, `pk__in=[]`: no rows, and no query to run
        return
    connection = connections[query.db]
    statement = f"COPY ({sql}) TO STDOUT"
    with connection.cursor() as cursor:
        debug_sql = getattr(cursor, "debug_sql", None)
        recorded = connection.ops.compose_sql(statement, params) if debug_sql else ""
        recording = debug_sql(recorded) if debug_sql else nullcontext()
        with recording, cursor.cursor.copy(statement, params) as copy:
            yield from copy


def csv_lines(export: Export, queryset: QuerySet) -> Iterator[bytes]:
    """`export`'s CSV of `queryset` (header included) in chunks of lines PostgreSQL wrote,
    as UTF-8 bytes: the response sends them as they are, with nothing decoded and encoded
    again on the way."""
    yield header_line(export.names).encode()
    yield from _lines(copy_out(line_query(export, queryset).values_list("csv_line", flat=True)))


def event_csv_lines(events: QuerySet[DeploymentEvent]) -> Iterator[bytes]:
    """The events CSV, written by PostgreSQL."""
    return csv_lines(EVENTS, events)


def _lines(copy: Iterator[memoryview]) -> Iterator[bytes]:
    """COPY's rows as CSV lines in chunks: CRLF row ends, escapes undone.

    COPY's text format writes a LF or CR inside a row as the escape \\n or \\r, so every
    raw LF it sends ends a row: a whole chunk of rows is joined as it came and its LFs
    become CRLF in one pass, then, in the rare chunk that holds a backslash, the escapes
    are undone (a backslash is always escaped, so none is left next to a row end). Per row,
    Python only keeps the row (docs/performance.md, "The events export over HTTP against
    PostgreSQL's COPY")."""
    rows = iter(copy)
    while chunk := list(islice(rows, LINES_PER_CHUNK)):
        data = b"".join(chunk).replace(b"\n", b"\r\n")
        yield _unescape(data) if b"\\" in data else data
