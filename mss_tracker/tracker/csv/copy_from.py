"""PostgreSQL's COPY FROM: rows into a table several times faster than INSERT (the
statement is not built in Python, the server parses no SQL per row). The CSV import and
the synthetic data generator both write through it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection


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
        return [pk for (pk,) in cursor.fetchall()]


def copy_objects(model, objects: list, batches: Iterable[int], batch_size: int) -> None:
    """COPY unsaved `objects` of `model`, giving each its primary key first (from the
    sequence), so that the caller knows exactly which rows it wrote whatever other
    sessions insert. `batches` are the start indexes (a progress bar may wrap them)."""
    for obj, pk in zip(objects, reserve_ids(model, len(objects)), strict=True):
        obj.pk = pk
    fields = model._meta.concrete_fields

    def values():
        for start in batches:
            for obj in objects[start : start + batch_size]:
                # pre_save, as Django's INSERT does: it fills the automatic fields
                # (an event's recorded_at and updated_at).
                yield [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]

    copy_rows(model._meta.db_table, [f.column for f in fields], values())
