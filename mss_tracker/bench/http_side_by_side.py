"""Two measures over HTTP, each a ratio of figures taken in one run (docs/performance.md):

    # the events export through gunicorn beside the database's own export of the same rows
    DATABASE_URL=postgres://…/db uv run python -m mss_tracker.bench.http_side_by_side export
    DATABASE_URL=sqlite:////abs/db.sqlite3 uv run python -m mss_tracker.bench.http_side_by_side \\
        export --datasette /path/to/throwaway-venv/bin/datasette

    # dashboards with a new as_of on every request beside /healthz (wrk, page cache on)
    DATABASE_URL=… uv run python -m mss_tracker.bench.http_side_by_side new-dates

The database is one `generate_data` has filled; the pages and the export are those of the
first synthetic mission. gunicorn runs the repository's gunicorn.conf.py with production
settings (DEBUG off) and `--workers` workers (2 by default).

`export` fetches `/missions/<slug>/export/events.csv` with curl, `--runs` times (medians of
5), then times the baseline in the same run, in turns with the export:

- on PostgreSQL, `COPY (SELECT …) TO STDOUT WITH CSV` of the same joined rows (the SELECT
  of the export's columns, as the Python writer reads them), read to its end by psycopg;
- on SQLite, Datasette's `_stream=on` CSV of the same rows. Datasette streams a table by
  its rowid, so the rows are first written into a table of a copy of the database file
  (`CREATE TABLE events_export AS SELECT …`): Datasette is given them already joined.
  Datasette is not a dependency: give the path of a `datasette` installed elsewhere.

`new-dates` runs wrk against /healthz and against the dashboard with a date and type no
earlier request asked for (each wrk thread walks its own dates: every request misses the
page cache), interleaved five times; the ratio is each dashboard run's requests/s over the
/healthz run before it, and their median is reported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from mss_tracker.bench.benchmark import (
    BASE_DIR,
    MISSION,
    _child_env,
    _free_port,
    _wrk,
    collect_static,
)

NEW_DATES_LUA = """
-- A dashboard no earlier request asked for, on every request: each (run, thread) walks
-- its own block of the mission's (as_of, type) pairs.
local counter = 0
local types = {"", "&type=police", "&type=military", "&type=civilian"}
function setup(thread)
  thread:set("thread_index", counter)
  counter = counter + 1
end
function init(args)
  n = (tonumber(args[1]) * 2 + thread_index) * %(block)d
  start = os.time({year = %(year)d, month = %(month)d, day = %(day)d, hour = 12})
end
function request()
  n = n + 1
  local day = os.date("%%Y-%%m-%%d", start + (n %% %(days)d) * 86400)
  local kind = types[(math.floor(n / %(days)d) %% #types) + 1]
  return wrk.format("GET", "/missions/%(mission)s/?as_of=" .. day .. kind)
end
"""
RUNS = 5


@contextmanager
def gunicorn(database_url: str, workers: int):
    """A gunicorn of this checkout on `database_url` (production settings, page cache on)."""
    port = _free_port()
    env = _child_env(
        database_url,
        SECRET_KEY="bench-" + "x" * 50,
        SECURE_SSL_REDIRECT="false",
        WEB_CONCURRENCY=str(workers),
        BIND=f"127.0.0.1:{port}",
        LOG_LEVEL="warning",
        DATABASE_POOL_SIZE="2",
    )
    collect_static(database_url)  # DEBUG off: pages name the manifest's hashed files
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--access-logfile", "/dev/null"],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/healthz")
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _wait_for(url: str) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _curl_seconds(url: str) -> tuple[float, int]:
    """Seconds to read `url` to its end, and its size in bytes."""
    output = subprocess.run(
        ["curl", "-sf", "-o", "/dev/null", "-w", "%{time_total} %{size_download}", url],
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    seconds, size = output.split()
    return float(seconds), int(size)


def _setup_django(database_url: str) -> None:
    os.environ.update(_child_env(database_url, SECRET_KEY="bench-" + "x" * 50))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mss_tracker.settings")
    import django

    django.setup()


def _joined_rows_sql() -> tuple[str, int]:
    """The SELECT of the export's columns over the mission's events (the rows the export
    writes, as the Python writer reads them), and how many rows it gives."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mss_tracker.tracker.csv.writing.csv_python import event_rows
    from mss_tracker.tracker.models import DeploymentEvent

    events = DeploymentEvent.objects.filter(mission__slug=MISSION)
    with CaptureQueriesContext(connection) as queries:
        rows = event_rows(events)
        next(rows, None)
        rows.close()
    (select,) = [q["sql"] for q in queries.captured_queries if "SELECT" in q["sql"]]
    return select[select.index("SELECT") :], events.count()


def _copy_seconds(select: str) -> float:
    from django.db import connection

    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({select}) TO STDOUT WITH CSV") as copy,
    ):
        for _block in copy:
            pass
    return time.perf_counter() - started


@contextmanager
def datasette(database_url: str, select: str, executable: str):
    """Datasette serving the joined rows as a table of a copy of the SQLite file."""
    source = database_url.removeprefix("sqlite:///")
    workdir = Path(tempfile.mkdtemp(prefix="mss-datasette-"))
    copy = workdir / "export.sqlite3"
    shutil.copy(source, copy)
    with sqlite3.connect(copy) as db:
        db.execute(f"CREATE TABLE events_export AS {select}")
    port = _free_port()
    server = subprocess.Popen(
        [executable, "serve", str(copy), "-p", str(port), "--setting", "max_csv_mb", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base)
        yield f"{base}/export/events_export.csv?_stream=on&_size=max"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(workdir)


def export(database_url: str, workers: int, runs: int, datasette_path: str | None) -> None:
    _setup_django(database_url)
    from django.db import connection

    select, rows = _joined_rows_sql()
    vendor = connection.vendor
    if vendor == "sqlite" and not datasette_path:
        raise SystemExit("On SQLite the baseline is Datasette: give --datasette PATH.")
    times: dict[str, list[float]] = {"export": [], "baseline": []}
    with gunicorn(database_url, workers) as base:
        url = f"{base}/missions/{MISSION}/export/events.csv"
        _curl_seconds(url)  # warm: imports, the database's caches
        if vendor == "postgresql":
            _copy_seconds(select)
            for _ in range(runs):  # in turns, so both see the same neighbours
                times["export"].append(_curl_seconds(url)[0])
                times["baseline"].append(_copy_seconds(select))
            baseline = "COPY (the same joined rows) TO STDOUT WITH CSV"
        else:
            connection.close()
            with datasette(database_url, select, datasette_path) as stream_url:
                _curl_seconds(stream_url)
                for _ in range(runs):
                    times["export"].append(_curl_seconds(url)[0])
                    times["baseline"].append(_curl_seconds(stream_url)[0])
            baseline = "Datasette _stream=on of the same rows (a table)"
    export_s, baseline_s = (statistics.median(times[key]) for key in ("export", "baseline"))
    print(f"{vendor}, {rows:,} rows, medians of {runs}, {workers} gunicorn workers:")
    print(f"  events.csv over HTTP: {export_s:.3f} s ({rows / export_s:,.0f} rows/s)")
    print(f"  {baseline}: {baseline_s:.3f} s ({rows / baseline_s:,.0f} rows/s)")
    print(f"  export ÷ baseline, in rows/s: {baseline_s / export_s:.2f}×")
    pairs = list(zip(times["export"], times["baseline"], strict=True))
    print(f"  each run (export, baseline): {pairs}")


def new_dates(database_url: str, workers: int, seconds: int, connections: int) -> None:
    _setup_django(database_url)
    from mss_tracker.tracker.models import Mission

    mission = Mission.objects.get(slug=MISSION)
    days = (mission.effective_as_of(None) - mission.start_date).days + 1
    block = days * 4 // (RUNS * 2)  # (as_of, type) pairs per run and wrk thread
    script = Path(tempfile.mkdtemp(prefix="mss-wrk-")) / "new_dates.lua"
    script.write_text(
        NEW_DATES_LUA
        % {
            "block": block,
            "year": mission.start_date.year,
            "month": mission.start_date.month,
            "day": mission.start_date.day,
            "days": days,
            "mission": MISSION,
        }
    )
    rates: dict[str, list[float]] = {"healthz": [], "dashboard": []}
    with gunicorn(database_url, workers) as base:
        _wrk(f"{base}/healthz", 2, connections)  # warm every worker
        for run in range(RUNS):
            rates["healthz"].append(_wrk(f"{base}/healthz", seconds, connections))
            rate = _wrk_script(base, script, seconds, connections, run)
            if rate * seconds > 2 * block:
                print(f"  run {run + 1}: more requests than new dates, some were cached")
            rates["dashboard"].append(rate)
    ratios = [d / h for d, h in zip(rates["dashboard"], rates["healthz"], strict=True)]
    print(f"{workers} gunicorn workers, {connections} connections, {seconds} s per run:")
    print(f"  /healthz: {rates['healthz']} requests/s")
    print(f"  dashboard, a new as_of on every request: {rates['dashboard']} requests/s")
    print(f"  ratio per pair: {[round(r, 4) for r in ratios]}")
    print(f"  median ratio: {statistics.median(ratios):.4f}")


def _wrk_script(base: str, script: Path, seconds: int, connections: int, run: int) -> float:
    wrk = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script)]
    output = subprocess.run(
        [*wrk, base, "--", str(run)],
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    if any("Non-2xx" in line for line in output.splitlines()):
        raise RuntimeError(f"non-2xx answers:\n{output}")
    for line in output.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(f"wrk printed no Requests/sec:\n{output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("measure", choices=["export", "new-dates"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5, help="export: runs of each (median)")
    parser.add_argument("--datasette", help="export on SQLite: a datasette executable")
    parser.add_argument("--seconds", type=int, default=5, help="new-dates: each wrk run")
    parser.add_argument("--connections", type=int, default=8, help="new-dates: wrk's")
    args = parser.parse_args()
    database_url = os.environ["DATABASE_URL"]
    if args.measure == "export":
        export(database_url, args.workers, args.runs, args.datasette)
    else:
        new_dates(database_url, args.workers, args.seconds, args.connections)


if __name__ == "__main__":
    main()
