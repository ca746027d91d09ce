"""The CSV written by SQLite itself: each finished line built by the query (`csv_sql`),
read with the database cursor a few thousand lines at a time.

The Python writer spends about ten microseconds a row turning values into cells; here
SQLite builds each line and hands it over as UTF-8 bytes (`CAST(… AS BLOB)`: no Python
str to make and encode again), with its CRLF already on, and Python only joins each
batch into one chunk of bytes. Memory stays flat: one batch at a time.

The text cells of a related record (an event's source, its country) are the same on
every row that names that record, and their formula guard and quoting were about a
fifth of the query's time. So each run of such cells is written once per related record, in
a materialized common table expression over the related table, and each row looks its
run up by key (docs/performance.md, "The events export on SQLite against Datasette").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from operator import itemgetter

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BinaryField, F, ForeignKey, Func, Model, QuerySet, TextField

from mss_tracker.tracker.csv.spec import Cell, Column, Export
from mss_tracker.tracker.csv.writing.csv_python import header_line
from mss_tracker.tracker.csv.writing.csv_sql import cell_expression, line, line_of

LINES_PER_CHUNK = 5000  # lines per fetch, and per chunk of the response


class _LineBytes(Func):
    """The line and its CRLF as UTF-8 bytes."""

    output_field = BinaryField()
    template = "CAST(%(expressions)s || char(13, 10) AS BLOB)"


@dataclasses.dataclass(frozen=True)
class _Run:
    """Adjacent columns read through one foreign key (`source__title`, `source__url`…)."""

    name: str  # of its common table expression
    key: ForeignKey
    columns: tuple[Column, ...]

    def cells_query(self) -> QuerySet:
        """The related table's key and the run's cells, once per related record."""
        related: type[Model] = self.key.related_model  # type: ignore[assignment]
        columns = [
            dataclasses.replace(column, field=column.field.split("__", 1)[1])  # type: ignore[union-attr]
            for column in self.columns
        ]
        cells = line_of(cell_expression(column) for column in columns)
        target = self.key.target_field.attname
        return related._base_manager.order_by().annotate(cells=cells).values_list(target, "cells")


class _RunCells(Func):
    """A run's cells, looked up in its table expression; blank cells without a record."""

    output_field = TextField()

    def __init__(self, run: _Run) -> None:
        self.run = run
        super().__init__(F(run.key.attname))

    def as_sqlite(self, compiler, connection, **extra_context):
        key, params = compiler.compile(self.source_expressions[0])
        name = connection.ops.quote_name(self.run.name)
        blank = "," * (len(self.run.columns) - 1)
        return f"COALESCE((SELECT cells FROM {name} WHERE key = {key}), '{blank}')", params


def _runs(export: Export, model: type[Model]) -> list[_Run]:
    """The runs of related text cells: adjacent columns read through one foreign key
    (one step, `relation__field`) among which is a text cell."""
    runs: list[_Run] = []
    start = 0
    columns = export.columns
    while start < len(columns):
        relation = _relation(columns[start])
        end = start + 1
        while relation and end < len(columns) and _relation(columns[end]) == relation:
            end += 1
        field = model._meta.get_field(relation) if relation else None
        run = columns[start:end]
        if isinstance(field, ForeignKey) and any(column.cell is Cell.TEXT for column in run):
            runs.append(_Run(f"csv_cells_{len(runs)}_{relation}", field, run))
        start = end
    return runs


def _relation(column: Column) -> str | None:
    parts = (column.field or "").split("__")
    return parts[0] if len(parts) == 2 else None


def _line_query(export: Export, queryset: QuerySet) -> tuple[str, tuple]:
    """The SQL and parameters of `queryset`'s lines in `export`'s order, with the runs
    of related cells in their table expressions."""
    runs = _runs(export, queryset.model)
    by_first = {run.columns[0]: run for run in runs}
    in_runs = {column for run in runs for column in run.columns}
    cells = [
        _RunCells(by_first[column]) if column in by_first else cell_expression(column)
        for column in export.columns
        if column in by_first or column not in in_runs
    ]
    lines = queryset.order_by(*export.order).annotate(csv_line=_LineBytes(line_of(cells)))
    sql, params = lines.values_list("csv_line", flat=True).query.sql_with_params()
    connection = connections[queryset.db]
    # Before SQLite 3.35 there is no MATERIALIZED (the same lines, each run on every row).
    materialized = "MATERIALIZED " if connection.Database.sqlite_version_info >= (3, 35) else ""
    expressions, expression_params = [], []
    for run in runs:
        run_sql, run_params = run.cells_query().query.sql_with_params()
        name = connection.ops.quote_name(run.name)
        expressions.append(f"{name}(key, cells) AS {materialized}({run_sql})")
        expression_params.extend(run_params)
    if expressions:
        sql = f"WITH {', '.join(expressions)} {sql}"
    return sql, (*expression_params, *params)


def line_bytes(export: Export, queryset: QuerySet) -> QuerySet:
    """`queryset` in `export`'s order, one finished CSV line (`csv_line`, bytes) per
    record, every cell in the row's own query (tests: the lines' columns)."""
    return queryset.order_by(*export.order).annotate(csv_line=_LineBytes(line(export)))


def writes(export: Export) -> bool:
    """Whether SQLite writes `export`'s cells as Python does: all but decimals
    (`csv_sql._DecimalCell`), which no export of stored records has."""
    return all(column.cell is not Cell.DECIMAL for column in export.columns)


def csv_lines(export: Export, queryset: QuerySet) -> Iterator[bytes]:
    """`export`'s CSV of `queryset` (header included) in chunks of lines SQLite wrote.

    Read with Django's cursor, so the query is counted and logged like any other."""
    yield header_line(export.names).encode()
    try:
        sql, params = _line_query(export, queryset)
    except EmptyResultSet:  # `.none()`, `pk__in=[]`: no query to run
        return
    first = itemgetter(0)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(LINES_PER_CHUNK):
            yield b"".join(map(first, batch))
