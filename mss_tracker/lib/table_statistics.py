"""Fresh planner statistics after a bulk write.

A database plans each query from what it knows of its tables. Tables that were never
analysed, or that a bulk write has just made ten times larger, lead the planner astray:
on PostgreSQL, an uncached dashboard at 200,000 events took 786 ms before `ANALYZE` and
276 ms after. Its autovacuum analyses a grown table eventually, but not before the next
requests, and SQLite never does on its own. So the writes that add many rows at once
(`generate_data`, a large import) analyse the tables they wrote before they return.

On PostgreSQL a table whose rows the write changed by more than autovacuum's threshold
(a tenth of the table, by default) is analysed from a smaller sample (9,000 rows instead
of 30,000): once the write commits, autovacuum counts those changes and analyses it again
from the full sample a minute or so later, so the quick statistics only bridge that
minute. A table the write changed less keeps the full ANALYZE, since none would follow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import connection

BULK_ROWS = 10_000  # a write of at least this many rows analyses the tables it wrote
SQLITE_ANALYSIS_LIMIT = 1000  # rows SQLite samples per index: approximate and quick
QUICK_STATISTICS_TARGET = 30  # PostgreSQL samples 300 rows per unit of the target (100)

# The changes this transaction made to each table (the counts autovacuum adds to the
# table's at the commit), and the rows the table will then hold, as autovacuum reckons.
_CHANGES = """
SELECT relname,
    pg_stat_get_xact_tuples_inserted(oid) + pg_stat_get_xact_tuples_updated(oid)
        + pg_stat_get_xact_tuples_deleted(oid),
    GREATEST(reltuples, 0) + pg_stat_get_xact_tuples_inserted(oid)
        - pg_stat_get_xact_tuples_deleted(oid)
FROM pg_class
WHERE oid = ANY(%s::regclass[]) AND reloptions IS NULL
"""
_AUTOVACUUM = """
SELECT current_setting('autovacuum') = 'on' AND current_setting('track_counts') = 'on',
    current_setting('autovacuum_analyze_threshold')::float,
    current_setting('autovacuum_analyze_scale_factor')::float
"""


def autovacuum_settings() -> tuple[bool, float, float]:
    """Whether autovacuum runs, and the rows (a number, a fraction of the table) that a
    table's changes must exceed for it to analyse the table again."""
    with connection.cursor() as cursor:
        cursor.execute(_AUTOVACUUM)
        enabled, threshold, scale = cursor.fetchone()
        return bool(enabled), float(threshold), float(scale)


def followed_by_autovacuum(tables: Sequence[str]) -> set[str]:
    """The tables among `tables` (PostgreSQL) that autovacuum will analyse once this
    transaction commits: it changed more of their rows than autovacuum's threshold. Not
    a table with settings of its own (reloptions), nor any when autovacuum is off. Ask
    before analysing them: it reckons their rows from the statistics of before the write."""
    if not connection.in_atomic_block:  # each write committed already: counted
        return set()
    enabled, threshold, scale = autovacuum_settings()
    if not enabled:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(_CHANGES, [list(tables)])
        return {
            name for name, changed, rows in cursor.fetchall() if changed > threshold + scale * rows
        }


def analyze(*tables: str, columns: Mapping[str, Sequence[str]] | None = None) -> None:
    """Update the planner's statistics of `tables` (names from `Model._meta.db_table`).

    `columns` restricts a table's statistics to the columns queries filter, join, group or
    sort it by (PostgreSQL; SQLite analyses indexes, not columns): the row count is
    updated all the same, and a free text or random id column, which no plan depends
    on, is not sorted and counted over the whole sample.
    """
    if not tables:
        return
    if connection.vendor == "postgresql":
        quick = followed_by_autovacuum(tables)
        full = [table for table in tables if table not in quick]
        with connection.cursor() as cursor:
            if quick:
                cursor.execute("SELECT current_setting('default_statistics_target')")
                (usual,) = cursor.fetchone()
                set_target = "SELECT set_config('default_statistics_target', %s, true)"
                cursor.execute(set_target, [str(QUICK_STATISTICS_TARGET)])
                cursor.execute(_analyze([t for t in tables if t in quick], columns))
                cursor.execute(set_target, [usual])  # for the rest of the transaction
            if full:
                cursor.execute(_analyze(full, columns))
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _analyze(tables: Sequence[str], columns: Mapping[str, Sequence[str]] | None) -> str:
    quote = connection.ops.quote_name
    named = []
    for table in tables:
        listed = (columns or {}).get(table)
        named.append(
            f"{quote(table)} ({', '.join(map(quote, listed))})" if listed else quote(table)
        )
    return f"ANALYZE {', '.join(named)}"
