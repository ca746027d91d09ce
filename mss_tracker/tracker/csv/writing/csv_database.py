"""Which writer writes a records export: the database itself where it can (the same bytes,
faster: `csv_postgres` on PostgreSQL, `csv_sqlite` on SQLite), the Python writer elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connections
from django.db.models import QuerySet

from mss_tracker.tracker.csv.spec import EVENTS, Export
from mss_tracker.tracker.csv.writing import csv_postgres, csv_sqlite
from mss_tracker.tracker.csv.writing.csv_python import csv_chunks, rows
from mss_tracker.tracker.models import DeploymentEvent


def export_chunks(export: Export, queryset: QuerySet) -> Iterator[str] | Iterator[bytes]:
    """`export`'s CSV of `queryset`, header included, in chunks: text, or on SQLite the
    UTF-8 bytes of that text (no str to make and encode again)."""
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return csv_postgres.csv_lines(export, queryset)
    if vendor == "sqlite" and csv_sqlite.writes(export):
        return csv_sqlite.csv_lines(export, queryset)
    return csv_chunks(export.names, rows(export, queryset))


def events_csv_chunks(events: QuerySet[DeploymentEvent]) -> Iterator[str] | Iterator[bytes]:
    """The events CSV, written by the database where it can."""
    return export_chunks(EVENTS, events)
