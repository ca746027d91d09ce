"""The events CSV written by PostgreSQL itself: the same bytes as `csv_io`, faster.

`csv_io.event_rows` + `csv_chunks` turn every value into a cell in Python, about ten
microseconds a row: a million-row export ran at a quarter of the rows per second of
PostgreSQL's `COPY (the same SELECT) TO STDOUT WITH CSV`. Here PostgreSQL builds each
finished line in the query (formula guard, RFC 4180 quoting) and sends the lines with
COPY; Python only turns COPY's row ends into CRLF and, in the rare line that holds a
backslash, tab, CR or LF, undoes COPY's escapes. The output is byte for byte that of
`csv_io` (tests/test_csv_sql.py compares them on awkward text); other databases keep
the Python path.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import nullcontext

from django.db import connections
from django.db.models import CharField, F, Func, QuerySet, TextField
from django.db.models.functions import Cast

from mss_tracker.tracker.csv_io import EVENT_COLUMNS, csv_chunks, event_rows
from mss_tracker.tracker.models import DeploymentEvent

LINES_PER_CHUNK = 2000

# csv_io.event_rows's order.
_ORDER = (
    "date",
    "country_id",
    "personnel_type",
    "kind",
    "personnel",
    "source__publisher",
    "source__title",
    "source__url",
    "pk",
)


class _TextCell(Func):
    """csv_io.formula_safe, then csv.writer's minimal quoting; NULL is an empty cell.

    A leading ' goes in front when the text, less any leading 's, starts with = + - @,
    tab, CR or LF; the cell is quoted (inner quotes doubled) when it holds a comma, a
    quote, CR or LF."""

    output_field = TextField()
    guard = (
        "(CASE WHEN left(ltrim({v}, ''''), 1) IN ('=', '+', '-', '@', chr(9), chr(13), "
        "chr(10)) THEN '''' || {v} ELSE {v} END)"
    )
    quote = (
        "COALESCE(CASE WHEN {v} ~ '[\",\\r\\n]' "
        "THEN '\"' || replace({g}, '\"', '\"\"') || '\"' ELSE {g} END, '')"
    )

    def as_sql(self, compiler, connection, **extra_context):
        value, params = compiler.compile(self.source_expressions[0])
        # The guard's ' never needs quoting, so the raw value decides the quotes. The value
        # appears seven times: its parameters (a plain column has none) seven times over.
        sql = self.quote.format(v=value, g=self.guard.format(v=value))
        return sql, tuple(params) * 7


class _DateCell(Func):
    output_field = TextField()
    template = "COALESCE(to_char(%(expressions)s, 'YYYY-MM-DD'), '')"


class _BooleanCell(Func):
    output_field = TextField()
    template = "CASE WHEN %(expressions)s THEN 'true' ELSE 'false' END"


class _SlugCell(Func):
    """A slug is [a-z0-9-]+: it needs the guard when it starts with -, never quotes."""

    output_field = TextField()
    template = "CASE WHEN left(%(expressions)s, 1) = '-' THEN '''' ELSE '' END || %(expressions)s"


def _text(field: str) -> Func:
    return _TextCell(Cast(F(field), TextField()))


# EVENT_COLUMNS, in order. Codes and choices (checked by the database's constraints) are
# written as they are: none can start with a formula character or hold one to quote.
_CELLS = [
    lambda: _DateCell(F("date")),
    lambda: F("date_precision"),
    lambda: _SlugCell(F("mission__slug")),
    lambda: F("country_id"),
    lambda: _text("country__name"),
    lambda: F("kind"),
    lambda: F("personnel_type"),
    lambda: Cast(F("personnel"), CharField()),
    lambda: _BooleanCell(F("disputed")),
    lambda: _text("source__publisher"),
    lambda: _text("source__title"),
    lambda: _text("source__url"),
    lambda: _DateCell(F("source__published_on")),
    lambda: _text("notes"),
]


class _Line(Func):
    output_field = TextField()
    template = "concat_ws(',', %(expressions)s)"


_COPY_ESCAPES = {b"\\": b"\\", b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r"}
_COPY_ESCAPES |= {b"t": b"\t", b"v": b"\v"}
_COPY_ESCAPE = re.compile(rb"\\(.)", re.DOTALL)


def _unescape(line: bytes) -> bytes:
    """Undo COPY's text-format escapes (it writes \\n for LF, \\\\ for a backslash…)."""
    return _COPY_ESCAPE.sub(lambda match: _COPY_ESCAPES[match.group(1)], line)


def _header() -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(EVENT_COLUMNS)
    return buffer.getvalue()


def event_csv_lines(events: QuerySet[DeploymentEvent]) -> Iterator[str]:
    """The events CSV (header included) in chunks of lines that PostgreSQL wrote."""
    query = (
        events.order_by(*_ORDER)
        .annotate(csv_line=_Line(*(cell() for cell in _CELLS)))
        .values_list("csv_line", flat=True)
    )
    sql, params = query.query.sql_with_params()
    connection = connections[events.db]
    yield _header()
    statement = f"COPY ({sql}) TO STDOUT"
    with connection.cursor() as cursor:
        # Counted and logged like any query when Django records them (debug, tests).
        debug_sql = getattr(cursor, "debug_sql", None)
        recording = debug_sql(statement, params) if debug_sql else nullcontext()
        with recording, cursor.cursor.copy(statement, params) as copy:
            yield from _lines(copy)


def _lines(copy) -> Iterator[str]:
    """COPY's rows as CSV lines in chunks: CRLF row ends, escapes undone."""
    chunk: list[bytes] = []
    for row in copy:
        line = bytes(row)[:-1]  # COPY ends each row with LF
        chunk.append(_unescape(line) if b"\\" in line else line)
        if len(chunk) >= LINES_PER_CHUNK:
            yield (b"\r\n".join(chunk) + b"\r\n").decode()
            chunk = []
    if chunk:
        yield (b"\r\n".join(chunk) + b"\r\n").decode()


def events_csv_chunks(events: QuerySet[DeploymentEvent]) -> Iterator[str]:
    """The events CSV: written by PostgreSQL there, by `csv_io` on other databases."""
    if connections[events.db].vendor == "postgresql":
        return event_csv_lines(events)
    return csv_chunks(EVENT_COLUMNS, event_rows(events))
