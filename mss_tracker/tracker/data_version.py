"""The data version: a number that changes in the same transaction as any tracker data.

Triggers created by migration 0003 (0019 for funding records) bump it on every insert,
update, delete or truncate of missions, countries, sources, pledges, events and funding
records, whatever the write path. Anything
derived from the data (a cached page, an export) can be keyed on it and is then never
stale: a reader that sees new rows also sees the new version.
"""

from __future__ import annotations

from django.db import connection


def current_data_version() -> int:
    """The version of the data this connection sees now (one indexed single-row read)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM tracker_dataversion WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def bump_data_version() -> None:
    """Bump the version as the triggers do, for a write they do not see: the derived
    timeline tables have no trigger (every event write that changes them bumps it
    already), so a repair of those tables alone (`timeline_check.repair`) calls this."""
    with connection.cursor() as cursor:
        cursor.execute(_POSTGRESQL_BUMP if connection.vendor == "postgresql" else _SQLITE_BUMP)


# The SQLite triggers of migration 0003, which SQLite drops with their table whenever a
# later migration rebuilds it (SQLite's way of adding a NOT NULL column or changing a
# constraint). Recreated after every migrate, so no such migration has to remember them.
_TABLES = [
    "tracker_mission",
    "tracker_country",
    "tracker_source",
    "tracker_pledge",
    "tracker_deploymentevent",
    "tracker_fundingrecord",  # migration 0019 (PostgreSQL's trigger)
]
_SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"
_SQLITE_BUMP = (
    f"INSERT INTO tracker_dataversion (id, version) VALUES (1, {_SQLITE_NOW}) "
    "ON CONFLICT (id) DO UPDATE SET version = max(version + 1, excluded.version);"
)

# What migration 0003's PostgreSQL trigger function runs.
_POSTGRESQL_BUMP = (
    "INSERT INTO tracker_dataversion (id, version) "
    "VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint) "
    "ON CONFLICT (id) DO UPDATE "
    "SET version = GREATEST(tracker_dataversion.version + 1, EXCLUDED.version)"
)


def restore_sqlite_triggers(using: str = "default", **kwargs: object) -> None:
    """post_migrate: make sure every tracker table bumps the data version (SQLite)."""
    from django.db import connections

    database = connections[using]
    if database.vendor != "sqlite":
        return  # PostgreSQL keeps a table's triggers when a migration alters it
    tables = set(database.introspection.table_names())
    if "tracker_dataversion" not in tables:
        return  # migrated back before 0003
    with database.cursor() as cursor:
        for table in sorted(tables.intersection(_TABLES)):
            for operation in ("insert", "update", "delete"):
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_{operation}_bumps_data_version "
                    f"AFTER {operation.upper()} ON {table} BEGIN {_SQLITE_BUMP} END"
                )
