"""The JSON rows written by SQLite itself, from the same `spec`: as `json_python`, faster.

Like `json_postgres` on PostgreSQL: each row's object is built by the query
(`json_object`, which keeps the columns' order and writes the compact form and the string
escapes of Python's `json` with `ensure_ascii=False`), typed as `json_python.VALUES`
types them: integers as numbers, NULL and blank text as null, booleans as true/false
(`json('true')`), dates as their stored ISO text, UUIDs as text with their dashes; text
is not formula-guarded. Python only joins the rows (docs/csv.md, "JSON beside every CSV").
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Func, QuerySet, TextField, UUIDField

from mss_tracker.tracker.csv.spec import Cell, Export
from mss_tracker.tracker.csv.writing.csv_sql import sqlite_uuid_text

ROWS_PER_FETCH = 5000
_TEXT = (Cell.TEXT, Cell.SLUG, Cell.CODE)
_VALUES = (Cell.NUMBER, Cell.DATE)


def writes(export: Export) -> bool:
    """Whether SQLite types `export`'s values as Python does: all but decimals (a REAL
    is not a Decimal), which no export of stored records has."""
    return all(column.cell in (*_TEXT, *_VALUES, Cell.BOOLEAN) for column in export.columns)


class _JsonObject(Func):
    """json_object('name', value, …) in the columns' order."""

    output_field = TextField()

    def __init__(self, export: Export) -> None:
        self.columns = export.columns
        super().__init__(*(F(field) for field in export.fields))

    def as_sqlite(self, compiler, connection, **extra_context):
        parts, params = [], []
        for column, expression in zip(self.columns, self.source_expressions, strict=True):
            sql, expression_params = compiler.compile(expression)
            uses = 1
            if column.cell in _TEXT:
                sql = f"NULLIF({sql}, '')"  # blank text is null, as in json_python
            elif column.cell is Cell.BOOLEAN:
                sql = f"CASE WHEN {sql} THEN json('true') WHEN NOT {sql} THEN json('false') END"
                uses = 2
            elif isinstance(expression.output_field, UUIDField):
                sql, uses = sqlite_uuid_text(sql), 5
            parts.append("'" + column.name.replace("'", "''") + "', " + sql)
            params.extend(list(expression_params) * uses)
        return f"json_object({', '.join(parts)})", tuple(params)


def json_rows(export: Export, queryset: QuerySet) -> Iterator[str]:
    """Each record of `queryset`, in `export`'s order, as its JSON object's text."""
    rows = queryset.order_by(*export.order).annotate(json_row=_JsonObject(export))
    query = rows.values_list("json_row", flat=True)
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # `.none()`, `pk__in=[]`: no query to run
        return
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(ROWS_PER_FETCH):
            for (row,) in batch:
                yield row
