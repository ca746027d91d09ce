"""JSON beside every CSV (docs/csv.md, "JSON beside every CSV"), written from the same `spec`.

`{"columns": [...], "rows": [{...}, ...], "as_of": "YYYY-MM-DD", "filters": {...}}`:
`columns` is the CSV header and each row an object keyed by it, the same rows in the
same order as the CSV. Where the CSV writes every value as text (`spec.cells.ENCODERS`),
JSON keeps its type by the same cell kinds: numbers are numbers, a blank (no value, or
empty text) is `null`, flags are `true`/`false`, dates ISO strings, and text is never
formula-guarded (no spreadsheet opens JSON). The rows stream a few hundred at a time, like the CSV.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from mss_tracker.tracker.csv.spec import Cell, Export
from mss_tracker.tracker.csv.writing.csv_python import EXPORT_CHUNK_ROWS

ROWS_PER_CHUNK = 500


def _text(value: Any) -> str | None:
    """Blank text is null, as a blank CSV cell reads (`missingValues: [""]`)."""
    return str(value) if value not in (None, "") else None


def _number(value: Any) -> int | float | str | None:
    """An integer stays one; a Decimal (a percent, one decimal) becomes a JSON number; a
    UUID (a record id) its text."""
    if value is None or isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return int(value)


def _date(value: datetime.date | str | None) -> str | None:
    """ISO; a date computed by a subquery may already be ISO text (SQLite)."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _boolean(value: Any) -> bool | None:
    return None if value is None else bool(value)


VALUES: dict[Cell, Callable[[Any], Any]] = {
    Cell.TEXT: _text,
    Cell.SLUG: _text,
    Cell.CODE: _text,
    Cell.NUMBER: _number,
    Cell.DECIMAL: _number,
    Cell.DATE: _date,
    Cell.BOOLEAN: _boolean,
}


def typed(export: Export, values: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    """Rows of raw values in `export`'s columns, as JSON values by each column's cell kind."""
    converters = [VALUES[column.cell] for column in export.columns]
    for row in values:
        yield [convert(value) for convert, value in zip(converters, row, strict=True)]


def json_rows(export: Export, queryset: QuerySet) -> Iterator[list[Any]]:
    """The JSON values of `queryset`'s records in `export`'s columns and order, streamed."""
    values = queryset.order_by(*export.order).values_list(*export.fields)
    return typed(export, values.iterator(chunk_size=EXPORT_CHUNK_ROWS))


_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
encode = _encoder.encode


def envelope(columns: list[str], as_of: datetime.date, filters: dict) -> tuple[str, str]:
    """The text before and after the rows."""
    head = '{"columns":' + encode(columns) + ',"rows":['
    tail = '],"as_of":' + encode(as_of.isoformat()) + ',"filters":' + encode(filters) + "}\n"
    return head, tail


def json_chunks(
    columns: list[str],
    rows: Iterable[list[Any]],
    as_of: datetime.date,
    filters: dict,
) -> Iterator[str]:
    """The JSON document of `rows` (lists of JSON values in `columns` order), in chunks."""
    head, tail = envelope(columns, as_of, filters)
    yield from join_rows(head, (encode(dict(zip(columns, row, strict=True))) for row in rows), tail)


def join_rows(head: str, rows: Iterable[str], tail: str) -> Iterator[str]:
    """`head`, the encoded rows separated by commas, `tail`: a few hundred rows a chunk."""
    chunk = [head]
    separator = ""
    for count, row in enumerate(rows, 1):
        chunk.append(separator + row)
        separator = ","
        if count % ROWS_PER_CHUNK == 0:
            yield "".join(chunk)
            chunk = []
    chunk.append(tail)
    yield "".join(chunk)
