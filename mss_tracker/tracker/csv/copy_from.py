"""PostgreSQL's COPY FROM: rows into a table several times faster than INSERT (the
statement is not built in Python, the server parses no SQL per row). The CSV import and
the synthetic data generator both write through it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import DateField
from django.utils import timezone


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY `rows` (values in `columns` order, already in database form) into `table`.
    Constraints are checked as for INSERT; database errors come out as Django's."""
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    statement = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(statement) as copy,
    ):
        for row in rows:
            copy.write_row(row)


def reserve_ids(model, count: int) -> list[int]:
    """`count` primary keys drawn from `model`'s sequence (COPY returns no ids)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, count],
        )
        ids = []
        while batch := cursor.fetchmany(10_000):  # not every row's tuple at once
            ids += [pk for (pk,) in batch]
        return ids


def copy_records(model, records: list[dict], batches: Iterable[int], batch_size: int) -> list[int]:
    """COPY new rows of `model` given as {field attname: Python value}, without building a
    model instance per row (that and Django's per-field conversions were most of a large
    import's time; psycopg adapts dates, numbers, text and UUIDs itself). A field missing
    from a record gets what Django's INSERT would give it: its default (called per row, so
    each `uuid` is fresh) or, for auto_now(_add) fields, the time of the import. Returns
    the primary keys given to the rows, in order, drawn from the sequence first so that
    the caller knows exactly which rows it wrote. `batches` are start indexes (a progress
    bar may wrap them)."""
    ids = reserve_ids(model, len(records))
    now = timezone.now()
    columns = [model._meta.pk.column]
    given = []  # attnames the records carry
    filled = []  # for the other fields: a value, or a callable giving one per row
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in records[0]:
            given.append(field.attname)
            columns.insert(len(given), field.column)
        elif isinstance(field, DateField) and (field.auto_now or field.auto_now_add):
            filled.append(now if field.get_internal_type() == "DateTimeField" else now.date())
            columns.append(field.column)
        else:
            default = field.default if callable(field.default) else field.get_default()
            filled.append(default)
            columns.append(field.column)
    per_row = [i for i, value in enumerate(filled) if callable(value)]

    def values():
        for start in batches:
            stop = start + batch_size
            for pk, record in zip(ids[start:stop], records[start:stop], strict=True):
                extra = list(filled)
                for i in per_row:
                    extra[i] = filled[i]()
                yield [pk, *[record[name] for name in given], *extra]

    copy_rows(model._meta.db_table, columns, values())
    return ids
