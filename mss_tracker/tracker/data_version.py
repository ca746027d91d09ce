"""The data version: a number that changes in the same transaction as any tracker data.

Triggers created by migration 0003 bump it on every insert, update, delete or truncate of
missions, countries, sources, pledges and events, whatever the write path. Anything
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
