"""Fresh planner statistics after a bulk write.

A database plans each query from what it knows of its tables. Tables that were never
analysed, or that a bulk write has just made ten times larger, lead the planner astray:
on PostgreSQL, an uncached dashboard at 200,000 events took 786 ms before `ANALYZE` and
276 ms after. Its autovacuum analyses a grown table eventually, but not before the next
requests, and SQLite never does on its own. So the writes that add many rows at once
(`generate_data`, a large import) analyse the tables they wrote before they return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import connection

BULK_ROWS = 10_000  # a write of at least this many rows analyses the tables it wrote
SQLITE_ANALYSIS_LIMIT = 1000  # rows SQLite samples per index: approximate and quick


def analyze(*tables: str, columns: Mapping[str, Sequence[str]] | None = None) -> None:
    """Update the planner's statistics of `tables` (names from `Model._meta.db_table`).

    `columns` restricts a table's statistics to the columns queries filter, join, group or
    sort it by (PostgreSQL; SQLite analyses indexes, not columns): the row count is
    updated all the same, and a free text or random id column, which no plan depends
    on, is not sorted and counted over the whole sample.
    """
    if not tables:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            named = []
            for table in tables:
                listed = (columns or {}).get(table)
                named.append(
                    f"{quote(table)} ({', '.join(quote(c) for c in listed)})"
                    if listed
                    else quote(table)
                )
            cursor.execute(f"ANALYZE {', '.join(named)}")
            return
        cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
