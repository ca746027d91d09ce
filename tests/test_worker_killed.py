"""`kill -9` of the task worker (`manage.py db_worker`, a process of its own) in the middle
of an import on PostgreSQL: nothing is written, the job reads *interrupted* within a minute
of a worker being back (not "Importing…" for ever), its task is failed, and starting it
again imports every row exactly once. docs/reliability.md ("A worker that dies") has the
figures."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from mss_tracker.bench.app_servers import create_editor, manage, server_environment, worker
from mss_tracker.bench.two_servers import arrivals

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="kills a PostgreSQL client"),
]

ROWS = 100_000

UPLOAD = """
from django.contrib.auth.models import User
from mss_tracker.tracker.import_jobs import ImportJob
from mss_tracker.tracker.tasks import preview_import
editor = User.objects.get(username="editor")
with open({path!r}, "rb") as upload:
    job = ImportJob.from_upload("events", "big.csv", upload.read(), editor)
preview_import.enqueue(job.pk)
print(job.pk)
"""


def conninfo(name: str) -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}/{name}"


def snapshot(db: psycopg.Connection) -> dict[str, tuple[int, str]]:
    """Every table of the tracker (the import's own job aside): its row count and a digest
    of its rows, so that 'the database equals its state before' is checked row by row."""
    tables = [
        row[0]
        for row in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename LIKE 'tracker\\_%' AND tablename <> 'tracker_importjob'"
        )
    ]
    return {
        table: db.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
            f'FROM "{table}" t'
        ).fetchone()
        for table in sorted(tables)
    }


def wait(what: str, check: Callable[[], bool], seconds: float, every: float = 0.2) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(every)
    raise AssertionError(f"not {what} after {seconds} s")


def test_a_killed_worker_leaves_nothing_written_and_the_job_interrupted(tmp_path: Path):
    name = f"mss_worker_killed_{os.getpid()}"
    with psycopg.connect(conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = server_environment(conninfo(name), tmp_path / "static")
        manage(env, "migrate", "-v0")
        manage(env, "load_sample_data")
        create_editor(env)
        data, _personnel = arrivals(ROWS, 120)
        (tmp_path / "big.csv").write_bytes(data)
        job_id = int(
            manage(
                env, "shell", "-v0", "-c", UPLOAD.format(path=str(tmp_path / "big.csv"))
            ).split()[-1]
        )
        db = psycopg.connect(conninfo(name), autocommit=True)

        def job() -> tuple:
            return db.execute(
                "SELECT status, rows_written FROM tracker_importjob WHERE id = %s", [job_id]
            ).fetchone()

        def tasks() -> list[str]:
            return [
                row[0]
                for row in db.execute(
                    "SELECT status FROM django_tasks_database_dbtaskresult "
                    "WHERE task_path LIKE %s ORDER BY enqueued_at",
                    ["%run_import"],
                )
            ]

        with worker(env) as first:
            wait("checked", lambda: job()[0] == "checked", 300)
            before = snapshot(db)
            manage(env, "shell", "-v0", "-c", CONFIRM.format(job_id=job_id))
            # Killed while it writes: the rows are going in, nothing is committed yet.
            wait("writing", lambda: job()[0] == "importing" and job()[1] > 0, 300, every=0.05)
            written_when_killed = job()[1]
            first.send_signal(signal.SIGKILL)
            first.wait()

        # No worker: the database rolled the import's transaction back; the job still
        # says importing (nothing is there to notice yet).
        wait("rolled back", lambda: snapshot(db) == before, 30)
        assert job()[0] == "importing"
        assert tasks() == ["RUNNING"]

        with worker(env):
            noticed = wait("interrupted", lambda: job()[0] == "interrupted", 90, every=0.5)
            assert noticed < 60
            assert tasks() == ["FAILED"]
            assert snapshot(db) == before
            stored = db.execute(
                "SELECT length(data) > 0 FROM tracker_importjob WHERE id = %s", [job_id]
            ).fetchone()[0]
            assert stored  # kept, to start again

            manage(env, "shell", "-v0", "-c", START_AGAIN.format(job_id=job_id))
            took = wait("imported", lambda: job()[0] == "imported", 600, every=0.5)

        after = snapshot(db)
        events_before, events_after = (
            before["tracker_deploymentevent"],
            after["tracker_deploymentevent"],
        )
        assert events_after[0] == events_before[0] + ROWS
        imported = db.execute(
            "SELECT count(*), count(DISTINCT notes) FROM tracker_deploymentevent "
            "WHERE source_id IN (SELECT id FROM tracker_source WHERE publisher = %s)",
            ["Two servers wire"],
        ).fetchone()
        assert imported == (ROWS, ROWS)  # every row, once
        assert job() == ("imported", ROWS)
        print(
            f"\nkilled at {written_when_killed:,} of {ROWS:,} rows written; database unchanged; "
            f"interrupted {noticed:.1f} s after a worker was back; started again: imported "
            f"{ROWS:,} rows once in {took:.1f} s"
        )
        db.close()
    finally:
        with psycopg.connect(conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


CONFIRM = """
from mss_tracker.tracker.import_jobs import ImportJob
from mss_tracker.tracker.tasks import confirm
assert confirm(ImportJob.objects.get(pk={job_id}))
"""

START_AGAIN = """
from mss_tracker.tracker.import_jobs import ImportJob
from mss_tracker.tracker.tasks import start_again
assert start_again(ImportJob.objects.get(pk={job_id}))
"""
