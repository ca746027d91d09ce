"""How much work the database does for a request, counted rather than timed.

Seconds depend on the machine and on whatever else runs on it; the database's own work
does not. So the scaling guard (tests/test_scaling.py) and `manage.py bench` compare:

- on SQLite, the virtual-machine steps of every statement (`set_progress_handler`, which
  SQLite calls every `STEP` instructions of its bytecode engine);
- on PostgreSQL, the shared buffer blocks (hit + read) and temporary blocks of every
  statement, from `EXPLAIN (ANALYZE, BUFFERS)` run again on each statement the request
  sent: the pages the executor touched, whether or not they were in memory.

Both count the same reads on every run of the same data, so a ratio of two of them is
the same on a quiet and on a busy machine.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext

STEP = 10  # SQLite instructions between two calls of the progress handler


@dataclass(frozen=True)
class Work:
    units: int  # VM steps (SQLite) or blocks (PostgreSQL)
    queries: int
    unit: str


def work_of(request: Callable[[], object]) -> Work:
    """The database's work while `request()` runs (a page through the test client, an
    export read to its end), on the default connection."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return _sqlite_steps(request)
    return _postgresql_blocks(request)


def _sqlite_steps(request: Callable[[], object]) -> Work:
    calls = 0

    def count() -> int:
        nonlocal calls
        calls += 1
        return 0  # go on

    raw = connection.connection
    with CaptureQueriesContext(connection) as queries:
        raw.set_progress_handler(count, STEP)
        try:
            request()
        finally:
            raw.set_progress_handler(None, STEP)
    return Work(calls * STEP, len(queries), "SQLite VM steps")


def _postgresql_blocks(request: Callable[[], object]) -> Work:
    with CaptureQueriesContext(connection) as queries:
        request()
    blocks = 0
    statements = [query["sql"] for query in queries.captured_queries]
    with connection.cursor() as cursor:
        for sql in statements:
            sql = sql.strip()
            if sql.upper().startswith("COPY (") and sql.upper().endswith(") TO STDOUT"):
                sql = sql[len("COPY (") : -len(") TO STDOUT")]  # an export's rows
            if not sql.upper().startswith(("SELECT", "WITH")):
                continue  # savepoints, SET: no plan to read
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
            plan = _plan_of(cursor.fetchone()[0])
            blocks += sum(
                plan.get(key, 0)
                for key in (
                    "Shared Hit Blocks",
                    "Shared Read Blocks",
                    "Local Hit Blocks",
                    "Local Read Blocks",
                    "Temp Read Blocks",
                    "Temp Written Blocks",
                )
            )
    return Work(blocks, len(statements), "PostgreSQL blocks")


def _plan_of(explained) -> dict:
    """The top plan node (its buffers include its children's)."""
    if isinstance(explained, str):
        explained = json.loads(explained)
    return explained[0]["Plan"]
