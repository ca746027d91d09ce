"""What a running preview or import says while it runs (rows checked, rows written, that
its worker is alive) and what its editor says to it (cancel), kept where the import's own
transaction cannot block either.

- On PostgreSQL, the job's own row, written through a connection of the store's own
  (autocommit): the import's transaction holds no lock on that row, and a report made on
  the import's connection would only be seen when it commits.
- SQLite has one writer at a time, and an import holds that lock from its first write to
  its commit (a minute for a big file). There the reports go to a small SQLite file beside
  the database (`<database>-jobs`; a temporary one for an in-memory database), which the
  worker writes and the pages read without waiting for the import, and which records a
  cancellation until the job's row can take it.

The job's row stays the record: the worker copies the final counts into it when the step
ends, and the pages overlay what is live (`overlay`) while it runs. Every report is also
a heartbeat: a job whose worker has not reported for LEASE_SECONDS is interrupted
(import_watch.py). docs/reliability.md says why.
"""

from __future__ import annotations

import datetime
import logging
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper


class ReportedJob(Protocol):
    """What this module reads of a job (import_jobs.ImportJob, which imports this module)."""

    pk: int
    rows_checked: int
    rows_written: int
    heartbeat_at: datetime.datetime | None
    status: str


logger = logging.getLogger(__name__)

# The job's row, which a worker reports into on PostgreSQL: import_jobs.ImportJob's table and
# its cancelled status, named here so that this module need not import the model that
# imports it (tests/test_interrupted_imports.py holds them equal).
JOB_TABLE = "tracker_importjob"
CANCELLED = "cancelled"

BEAT_SECONDS = 5.0  # a running step's worker reports at least this often
LEASE_SECONDS = 30.0  # ...and is taken for dead after this long without a report

_SCHEMA = """
CREATE TABLE IF NOT EXISTS job_progress (
    job_id INTEGER PRIMARY KEY,
    rows_checked INTEGER,
    rows_written INTEGER,
    beat REAL,
    cancelled INTEGER NOT NULL DEFAULT 0
)
"""


@dataclass(frozen=True)
class Live:
    """A job's state as its worker last reported it (None: nothing reported)."""

    rows_checked: int | None = None
    rows_written: int | None = None
    beat: float | None = None  # time.time() of the last report
    cancelled: bool = False


def uses_side_file() -> bool:
    return connection.vendor == "sqlite"


def side_file() -> Path:
    """`<database>-jobs` beside a SQLite file; a per-process temporary file for an
    in-memory database (the test suite's), which no other process can reach anyway."""
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        return Path(tempfile.gettempdir()) / f"mss-tracker-jobs-{os.getpid()}.sqlite3"
    return Path(f"{name}-jobs")


_prepared: set[Path] = set()
_prepared_lock = threading.Lock()


@contextmanager
def _side() -> Iterator[sqlite3.Connection]:
    """A connection to the side file: opened for each use (a fraction of a millisecond),
    so any thread may use it. Its writes are single rows that wait for one another only."""
    path = side_file()
    with closing(sqlite3.connect(path, timeout=10, isolation_level=None)) as side:
        if path not in _prepared:
            with _prepared_lock:
                side.execute("PRAGMA journal_mode=WAL")
                side.execute(_SCHEMA)
                _prepared.add(path)
        yield side


class _PostgresReports:
    """Reports into the job's row through a connection of its own (one per thread)."""

    def __init__(self) -> None:
        self._connection: BaseDatabaseWrapper | None = None

    def execute(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        if self._connection is None:
            self._connection = connections.create_connection("default")
        with self._connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class Reporter:
    """What a worker uses while a step runs: reports, heartbeats, and the question
    "was I cancelled?". One per thread (PostgreSQL connections are per thread)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.side_file = uses_side_file()
        self._postgres = None if self.side_file else _PostgresReports()

    def report(self, **counts: int) -> None:
        """Rows checked or written so far; a heartbeat too."""
        if self.side_file:
            names = ["job_id", "beat", *counts]
            with _side() as side:
                side.execute(
                    f"INSERT INTO job_progress ({', '.join(names)}) "
                    f"VALUES ({', '.join('?' for _ in names)}) ON CONFLICT (job_id) DO UPDATE SET "
                    + ", ".join(f"{name} = excluded.{name}" for name in names[1:]),
                    [self.job_id, time.time(), *counts.values()],
                )
        else:
            assert self._postgres is not None
            sets = "".join(f", {name} = %s" for name in counts)
            self._postgres.execute(
                f"UPDATE {JOB_TABLE} SET heartbeat_at = now(){sets} WHERE id = %s",
                [*counts.values(), self.job_id],
            )

    def beat(self) -> None:
        self.report()

    def cancelled(self) -> bool:
        if self.side_file:
            return self.job_id in cancelled_ids([self.job_id])
        assert self._postgres is not None
        rows = self._postgres.execute(
            f"SELECT status FROM {JOB_TABLE} WHERE id = %s", [self.job_id]
        )
        return bool(rows) and rows[0][0] == CANCELLED

    def close(self) -> None:
        if self._postgres is not None:
            self._postgres.close()


def start(job_id: int) -> None:
    """A step begins: forget the counts an earlier step reported (a cancellation stands),
    and count it alive from now."""
    if uses_side_file():
        with _side() as side:
            side.execute(
                "INSERT INTO job_progress (job_id, beat) VALUES (?, ?) ON CONFLICT (job_id) "
                "DO UPDATE SET beat = excluded.beat, rows_checked = NULL, rows_written = NULL",
                [job_id, time.time()],
            )


def forget(job_id: int) -> None:
    """A new job: nothing is known of it (an earlier job of the same id, in a test
    database rolled back, may have left a report)."""
    if uses_side_file():
        with _side() as side:
            side.execute("DELETE FROM job_progress WHERE job_id = ?", [job_id])


def cancel(job_id: int) -> None:
    """Record a cancellation that the job's row may not be able to take yet (SQLite,
    while an import holds the write lock). On PostgreSQL the row takes it at once."""
    if uses_side_file():
        with _side() as side:
            side.execute(
                "INSERT INTO job_progress (job_id, cancelled) VALUES (?, 1) "
                "ON CONFLICT (job_id) DO UPDATE SET cancelled = 1",
                [job_id],
            )


def cancelled_ids(job_ids: Iterable[int]) -> set[int]:
    """The jobs among `job_ids` cancelled in the side file (none on PostgreSQL)."""
    ids = list(job_ids)
    if not ids or not uses_side_file():
        return set()
    return {row[0] for row in _side_rows(ids) if row[4]}


def live(jobs: Iterable[ReportedJob]) -> dict[int, Live]:
    """What each job's worker last reported."""
    jobs = list(jobs)
    if not jobs:
        return {}
    if not uses_side_file():
        return {
            job.pk: Live(
                job.rows_checked,
                job.rows_written,
                job.heartbeat_at.timestamp() if job.heartbeat_at else None,
                job.status == CANCELLED,
            )
            for job in jobs
        }
    rows = _side_rows([job.pk for job in jobs])
    return {row[0]: Live(row[1], row[2], row[3], bool(row[4])) for row in rows}


def _side_rows(ids: list[int]) -> list[tuple[Any, ...]]:
    """The side file's rows of these jobs: id, rows checked, rows written, beat, cancelled."""
    with _side() as side:
        return side.execute(
            "SELECT job_id, rows_checked, rows_written, beat, cancelled FROM job_progress "
            f"WHERE job_id IN ({', '.join('?' for _ in ids)})",
            ids,
        ).fetchall()


@contextmanager
def heartbeat(job_id: int, every: float = BEAT_SECONDS) -> Iterator[None]:
    """While the block runs, a thread says every `every` seconds that the job's worker is
    alive, whatever the step is busy with (a long query, a rebuild): a job whose beats stop
    is one whose worker died (import_watch.py)."""
    stop = threading.Event()

    def beat() -> None:
        reporter = Reporter(job_id)
        try:
            while not stop.wait(every):
                try:
                    reporter.beat()
                except Exception:  # a missed beat is retried; the step goes on
                    logger.warning("heartbeat of import %s failed", job_id, exc_info=True)
        finally:
            reporter.close()
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"import-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
