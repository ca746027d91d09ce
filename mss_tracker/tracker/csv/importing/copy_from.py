"""PostgreSQL's COPY FROM: rows into a table several times faster than INSERT (the
statement is not built in Python, the server parses no SQL per row). The CSV import and
the synthetic data generator both write through it; the import COPYs a file's new rows
straight into their table, under keys drawn beforehand, and copies them to the audit
history from there."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import attrgetter

from django.db import connection
from django.db.models import DateField
from django.utils import timezone

from mss_tracker.tracker.codes import record_id


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


def copy_records(model, records: list, batches: Iterable[int], batch_size: int) -> list[int]:
    """COPY new rows of `model` given as records (`importer.Record`: values by field
    attname, read as attributes) straight into its table, without building a model
    instance per row (that and Django's per-field conversions were most of a large
    import's time; psycopg adapts dates, numbers, text and UUIDs itself); returns the
    primary keys given to the rows, in order.

    The keys are drawn from the table's sequence before the COPY, in one statement, so
    they are known without reading the rows back (and are consecutive unless another
    writer drew keys at the same moment). A field missing from a record gets what
    Django's INSERT would give it: its default (called per row, so each `uuid` is fresh)
    or, for auto_now(_add) fields, the time of the import; a `uuid` of None gets a new one.
    `batches` are start indexes (a progress bar may wrap them). COPY streams: the server
    stores rows while later ones are still being sent."""
    now = timezone.now()
    pk = model._meta.pk
    given = []  # attnames the records carry
    columns = [pk.column]
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
    new_uuid = given.index("uuid") if "uuid" in given else None
    ids = reserve_keys(model, len(records))

    read = attrgetter(*given) if len(given) > 1 else lambda record: (getattr(record, given[0]),)

    def values():
        key = iter(ids)
        for start in batches:
            for record in records[start : start + batch_size]:
                row = [next(key), *read(record), *filled]
                if new_uuid is not None:
                    row[1 + new_uuid] = record_id(row[1 + new_uuid])
                for i in per_row:
                    row[1 + len(given) + i] = filled[i]()
                yield row

    copy_rows(model._meta.db_table, columns, values())
    return ids


def reserve_keys(model, count: int) -> list[int]:
    """`count` new primary keys of `model` from its table's sequence (identity column), as
    INSERT would draw them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column]
        )
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
        )
        return [key for (key,) in cursor.fetchall()]
