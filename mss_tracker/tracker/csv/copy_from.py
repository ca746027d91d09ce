"""PostgreSQL's COPY FROM: rows into a table several times faster than INSERT (the
statement is not built in Python, the server parses no SQL per row). The CSV import and
the synthetic data generator both write through it; the import COPYs into a temporary
table first, from which one statement inserts the rows and their audit history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import attrgetter

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


def copy_records(model, records: list, batches: Iterable[int], batch_size: int) -> str:
    """COPY new rows of `model` given as records (`csv.importer.Record`: values by field
    attname, read as attributes), without building a
    model instance per row (that and Django's per-field conversions were most of a large
    import's time; psycopg adapts dates, numbers, text and UUIDs itself), into a temporary
    table of the same columns; returns its name, for `insert_from` (the table is dropped at
    the end of the transaction). A field missing from a record gets what
    Django's INSERT would give it: its default (called per row, so each `uuid` is fresh)
    or, for auto_now(_add) fields, the time of the import; the primary key comes from the
    table's sequence on insert. `batches` are start indexes (a progress bar may wrap
    them)."""
    now = timezone.now()
    columns = []
    given = []  # attnames the records carry
    filled = []  # for the other fields: a value, or a callable giving one per row
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in records[0]:
            given.append(field.attname)
            columns.insert(len(given) - 1, field.column)
        elif isinstance(field, DateField) and (field.auto_now or field.auto_now_add):
            filled.append(now if field.get_internal_type() == "DateTimeField" else now.date())
            columns.append(field.column)
        else:
            default = field.default if callable(field.default) else field.get_default()
            filled.append(default)
            columns.append(field.column)
    per_row = [i for i, value in enumerate(filled) if callable(value)]

    read = attrgetter(*given) if len(given) > 1 else lambda record: (getattr(record, given[0]),)

    def values():
        for start in batches:
            for record in records[start : start + batch_size]:
                extra = list(filled)
                for i in per_row:
                    extra[i] = filled[i]()
                yield [*read(record), *extra]

    staging = f"{model._meta.db_table}_imported"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {quote(staging)}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {quote(staging)} ON COMMIT DROP AS "
            f"SELECT {', '.join(quote(column) for column in columns)} "
            f"FROM {quote(model._meta.db_table)} WITH NO DATA"
        )
    copy_rows(staging, columns, values())
    return staging


def insert_from(model, staging_table: str, new_uuids: Sequence[str] = ()) -> list[int]:
    """INSERT every row of `staging_table` (`copy_records`) into `model`'s table in one
    statement and drop it; returns the primary keys given to the rows, in order. The UUID
    columns named in `new_uuids` get a new random UUID where they are NULL."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quote(staging_table)} LIMIT 0")
        names = [column.name for column in cursor.description]
        values = ", ".join(
            f"COALESCE({quote(name)}, gen_random_uuid())" if name in new_uuids else quote(name)
            for name in names
        )
        pk = quote(model._meta.pk.column)
        cursor.execute(
            f"WITH inserted AS (INSERT INTO {quote(model._meta.db_table)} "
            f"({', '.join(quote(name) for name in names)}) "
            f"SELECT {values} FROM {quote(staging_table)} RETURNING {pk}) "
            f"SELECT array_agg({pk} ORDER BY {pk}) FROM inserted"
        )
        (ids,) = cursor.fetchone()
        cursor.execute(f"DROP TABLE {quote(staging_table)}")
    return ids or []
