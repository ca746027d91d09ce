"""What the database stores, table by table: the row count and a checksum of every
`tracker_*` table on DATABASE_URL (PostgreSQL), so that a change to how the import writes
can be shown to store the same rows (docs/performance.md, "The CSV import, beside
PostgreSQL's COPY").

    createdb -T <migrated template> scratch1; createdb -T <migrated template> scratch2
    (cd <before> && DATABASE_URL=…/scratch1 uv run python \
        <this checkout>/mss_tracker/bench/time_import.py events.csv --commit)
    DATABASE_URL=…/scratch2 uv run python mss_tracker/bench/time_import.py events.csv --commit
    DATABASE_URL=…/scratch1 uv run python mss_tracker/bench/stored_tables.py > before.txt
    DATABASE_URL=…/scratch2 uv run python mss_tracker/bench/stored_tables.py > after.txt
    diff before.txt after.txt

The columns that differ from one run to the next whatever the code does are left out:
random record ids (`uuid`) and the moments of writing (timestamps, the data version).
Keys drawn from sequences are kept: on two copies of one template they come out the same.
Like time_import.py it uses nothing of mss_tracker/bench/, so an older checkout runs it too.
"""

import os
import sys

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mss_tracker.settings")
os.environ.setdefault("SECRET_KEY", "stored-tables")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

import django

django.setup()

from django.db import connection  # noqa: E402

_VOLATILE_TYPES = ("uuid", "timestamp with time zone", "timestamp without time zone")
_VOLATILE_COLUMNS = {"tracker_dataversion": ["version"]}  # the clock when data last changed


def stored_tables() -> list[tuple[str, int, str]]:
    """(table, rows, md5 of its rows in order) of every tracker table."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_name LIKE 'tracker\\_%%' AND table_type = 'BASE TABLE' ORDER BY 1"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND data_type <> ALL(%s) AND column_name <> ALL(%s) ORDER BY ordinal_position",
                [table, list(_VOLATILE_TYPES), _VOLATILE_COLUMNS.get(table, [])],
            )
            columns = ", ".join(connection.ops.quote_name(c) for (c,) in cursor.fetchall())
            cursor.execute(
                "SELECT COUNT(*), "
                "md5(COALESCE(string_agg(row_text, E'\\n' ORDER BY row_text), ''))"
                f" FROM (SELECT ROW({columns})::text AS row_text FROM {table}) AS stored"
            )
            count, checksum = cursor.fetchone()
            found.append((table, count, checksum))
    return found


if __name__ == "__main__":
    for table, count, checksum in stored_tables():
        print(f"{table} {count} {checksum}")
