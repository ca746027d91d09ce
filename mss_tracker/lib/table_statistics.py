"""Fresh planner statistics after a bulk write.

A database plans each query from what it knows of its tables. Tables that were never
analysed, or that a bulk write has just made ten times larger, lead the planner astray:
on PostgreSQL, an uncached dashboard at 200,000 events took 786 ms before `ANALYZE` and
276 ms after. Its autovacuum analyses a grown table eventually, but not before the next
requests, and SQLite never does on its own. So the writes that add many rows at once
(`generate_data`, a large import) analyse the tables they wrote before they return.
"""

from __future__ import annotations

from django.db import connection

BULK_ROWS = 10_000  # a write of at least this many rows analyses the tables it wrote
SQLITE_ANALYSIS_LIMIT = 1000  # rows SQLite samples per index: approximate and quick


def analyze(*tables: str) -> None:
    """Update the planner's statistics of `tables` (names from `Model._meta.db_table`)."""
    if not tables:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")
            return
        cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
