"""The CSV written by PostgreSQL itself, generated from `spec`: the same bytes, faster.

`csv_python.rows` + `csv_chunks` turn every value into a cell in Python, about ten
microseconds a row: a million-row export ran at a quarter of the rows per second of
PostgreSQL's `COPY (the same SELECT) TO STDOUT WITH CSV`. Here PostgreSQL builds each
finished line in the query (formula guard, RFC 4180 quoting) and sends the lines with
COPY; Python only turns COPY's row ends into CRLF and, in the rare line that holds a
backslash, tab, CR or LF, undoes COPY's escapes.

The columns, their cell kinds and the row order come from the `spec.Export` that the
Python writer reads too, and the guard's characters from `spec.cells`, so the two writers
cannot drift; tests/test_csv_sql.py compares their bytes on awkward text. Other
databases keep the Python path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import nullcontext
from itertools import islice

from django.db import connections
from django.db.models import F, Func, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce

from mss_tracker.tracker.csv.spec import EVENTS, Cell, Column, Export
from mss_tracker.tracker.csv.spec.cells import (
    CONTROL_STARTS,
    FORMULA_TRIGGERS,
    GUARD,
    LEADING_BLANKS,
)
from mss_tracker.tracker.csv.writing.csv_python import csv_chunks, header_line, rows
from mss_tracker.tracker.models import DeploymentEvent

LINES_PER_CHUNK = 2000


def _sql_string(text: str) -> str:
    """A one-character SQL literal; control characters as chr(n)."""
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return f"chr({ord(text)})"


_TRIGGERS_SQL = ", ".join(_sql_string(character) for character in FORMULA_TRIGGERS)
_CONTROL_SQL = ", ".join(_sql_string(character) for character in CONTROL_STARTS)
_GUARD_SQL = _sql_string(GUARD)
# ltrim(text, characters) strips any run of them, as Python's str.lstrip(characters).
_GUARD_AND_BLANKS_SQL = " || ".join(_sql_string(character) for character in GUARD + LEADING_BLANKS)
# Every first character that the guard looks at, and what csv.writer quotes a cell for.
_STARTS = (GUARD, *LEADING_BLANKS, *CONTROL_STARTS, *FORMULA_TRIGGERS)
_STARTS_SQL = ", ".join(_sql_string(character) for character in dict.fromkeys(_STARTS))
_QUOTED_IF = (",", '"', "\r", "\n")


class _TextCell(Func):
    """spec.cells.formula_safe, then csv.writer's minimal quoting; NULL is an empty cell.

    A leading ' goes in front when the text, less any leading 's, starts with tab, CR or
    LF, or less any leading 's and blanks, with a formula trigger; the cell is quoted
    (inner quotes doubled) when it holds a comma, a quote, CR or LF.

    Most text needs neither: a first character that none of those rules looks at, and no
    character that needs quotes. That test is cheap (a first character and four
    `strpos`), the guard and the quoting are not (two `ltrim` and a regex, about a
    microsecond a cell), so only the text that fails it goes through them
    (docs/performance.md, "The events export over HTTP against PostgreSQL's COPY")."""

    output_field = TextField()
    plain = (
        f"(left({{v}}, 1) NOT IN ({_STARTS_SQL}) AND "
        + " AND ".join(f"strpos({{v}}, {_sql_string(c)}) = 0" for c in _QUOTED_IF)
        + ")"
    )
    guard = (
        f"(CASE WHEN left(ltrim({{v}}, {_GUARD_SQL}), 1) IN ({_CONTROL_SQL}) "
        f"OR left(ltrim({{v}}, {_GUARD_AND_BLANKS_SQL}), 1) IN ({_TRIGGERS_SQL}) "
        f"THEN {_GUARD_SQL} || {{v}} ELSE {{v}} END)"
    )
    quote = (
        "COALESCE(CASE WHEN {p} THEN {v} WHEN {v} ~ '[\",\\r\\n]' "
        "THEN '\"' || replace({g}, '\"', '\"\"') || '\"' ELSE {g} END, '')"
    )

    sql = quote.format(v="{v}", p=plain, g=guard)

    def as_sql(self, compiler, connection, **extra_context):
        value, params = compiler.compile(self.source_expressions[0])
        # The guard's ' never needs quoting, so the raw value decides the quotes. The value
        # appears many times: its parameters (a plain column has none) as many times over.
        return self.sql.format(v=value), tuple(params) * self.sql.count("{v}")


class _SlugCell(Func):
    """A slug is [a-z0-9-]+: it needs the guard when it starts with -, never quotes."""

    output_field = TextField()
    template = (
        f"COALESCE(CASE WHEN left(%(expressions)s, 1) IN ({_TRIGGERS_SQL}) THEN {_GUARD_SQL} "
        "ELSE '' END || %(expressions)s, '')"
    )


class _DateCell(Func):
    output_field = TextField()
    template = "COALESCE(to_char(%(expressions)s, 'YYYY-MM-DD'), '')"


class _BooleanCell(Func):
    output_field = TextField()
    template = (
        "CASE WHEN %(expressions)s THEN 'true' WHEN NOT %(expressions)s THEN 'false' ELSE '' END"
    )


def _plain(field: str) -> Func:
    return Coalesce(Cast(F(field), TextField()), Value(""))


_CELLS = {
    Cell.TEXT: lambda field: _TextCell(Cast(F(field), TextField())),
    Cell.SLUG: lambda field: _SlugCell(F(field)),
    Cell.CODE: _plain,
    Cell.NUMBER: _plain,
    Cell.DECIMAL: _plain,
    Cell.DATE: lambda field: _DateCell(F(field)),
    Cell.BOOLEAN: lambda field: _BooleanCell(F(field)),
}


def cell_expression(column: Column) -> Func:
    """The SQL that writes `column`'s cell as `spec.cells.ENCODERS` would."""
    return _CELLS[column.cell](column.field)


class _Line(Func):
    output_field = TextField()
    template = "concat_ws(',', %(expressions)s)"


def line_query(export: Export, queryset: QuerySet) -> QuerySet:
    """`queryset` in `export`'s order, as one finished CSV line (`csv_line`) per record."""
    line = _Line(*(cell_expression(column) for column in export.columns))
    return queryset.order_by(*export.order).annotate(csv_line=line)


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
    sql, params = query.query.sql_with_params()
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


def export_chunks(export: Export, queryset: QuerySet) -> Iterator[str] | Iterator[bytes]:
    """`export`'s CSV: written by PostgreSQL there, by the Python writer elsewhere."""
    if connections[queryset.db].vendor == "postgresql":
        return csv_lines(export, queryset)
    return csv_chunks(export.names, rows(export, queryset))


def events_csv_chunks(events: QuerySet[DeploymentEvent]) -> Iterator[str] | Iterator[bytes]:
    """The events CSV: written by PostgreSQL there, by the Python writer elsewhere."""
    return export_chunks(EVENTS, events)
