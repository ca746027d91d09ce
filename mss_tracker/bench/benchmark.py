"""The performance benchmark of docs/performance.md (`manage.py bench`).

For each database backend and each size it makes a fresh database, fills it with
`generate_data`, and measures, in child processes pointed at that database:

- dashboard, country page and summary CSV: the median server time of repeated requests
  through the whole Django stack (test client: middleware, view, template), computed
  afresh each time (the page cache is off), and the number of queries;
- the events CSV export of every row: rows per second and the peak memory (RSS) of the
  process streaming it, against PostgreSQL's own `COPY (the same SELECT) TO STDOUT WITH
  CSV` (on SQLite: the same SELECT through the bare sqlite3 module and `csv`);
- requests per second under gunicorn (production settings, page cache on) for the
  dashboard against /healthz, a trivial view of the same server, measured with wrk.

The machines are noisy, so each goal is a ratio of two figures measured in the same run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mss_tracker.bench.report import Run

BASE_DIR = Path(__file__).resolve().parent.parent.parent
COUNTRIES = 20  # contributors per mission, the same at every size
# Events → missions: more events are more missions and denser histories (daily reports).
MISSIONS_FOR = {1_000: 1, 100_000: 5, 1_000_000: 10}
MISSION = "synthetic-1"  # the mission whose pages are timed


def missions_for(events: int) -> int:
    if events in MISSIONS_FOR:
        return MISSIONS_FOR[events]
    return max(1, round(events / 100_000))


# --- Measurements, run inside a child process whose DATABASE_URL is the bench database -----


def _median_time(request: Callable[[], object], repeat: int) -> float:
    request()  # warm: imports, template loading, the database's own caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        request()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure_pages(repeat: int) -> dict:
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from mss_tracker.tracker.models import DeploymentEvent, Mission, TimelinePoint

    # Django empties the query log as each request starts: count across the request.
    request_started.disconnect(reset_queries)
    client = Client()
    country = (
        DeploymentEvent.objects.filter(mission__slug=MISSION)
        .order_by("country_id")
        .values_list("country_id", flat=True)
        .first()
    )
    mission = Mission.objects.get(slug=MISSION)
    middle = mission.start_date + (mission.effective_as_of(None) - mission.start_date) / 2
    pages = {
        "dashboard": f"/missions/{MISSION}/",
        # A date halfway through the history (the synthetic missions end today), one type.
        "dashboard as of a date": f"/missions/{MISSION}/?as_of={middle.isoformat()}&type=police",
        "country page": f"/missions/{MISSION}/countries/{country}/",
        "summary CSV": f"/missions/{MISSION}/export/summary.csv",
    }

    def get(url: str) -> Callable[[], object]:
        def request() -> int:
            response = client.get(url, secure=True)
            assert response.status_code == 200, (url, response.status_code)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            return len(body)

        return request

    results = {}
    try:
        with override_settings(DASHBOARD_CACHE_SECONDS=0):
            for name, url in pages.items():
                with CaptureQueriesContext(connection) as queries:
                    get(url)()
                results[name] = {
                    "seconds": _median_time(get(url), repeat),
                    "queries": len(queries),
                    "url": url,
                }
        with override_settings(DASHBOARD_CACHE_SECONDS=3600):
            cached = get(pages["dashboard"])
            cached()
            results["dashboard (cached)"] = {"seconds": _median_time(cached, repeat)}
    finally:
        request_started.connect(reset_queries)
    results["dates"] = (
        TimelinePoint.objects.filter(mission__slug=MISSION, personnel_type="all")
        .values("date")
        .distinct()
        .count()
    )
    results["events"] = DeploymentEvent.objects.count()
    results["mission events"] = DeploymentEvent.objects.filter(mission__slug=MISSION).count()
    return results


def _events_export_sql():
    """The SELECT the events export runs over every event (as the view builds it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mss_tracker.tracker.csv.writing.csv_python import event_rows
    from mss_tracker.tracker.models import DeploymentEvent

    with CaptureQueriesContext(connection) as queries:
        rows = event_rows(DeploymentEvent.objects.all())
        next(rows, None)
        rows.close()
    (select,) = [q["sql"] for q in queries.captured_queries if "SELECT" in q["sql"]]
    return select[select.index("SELECT") :]


def measure_export() -> dict:
    """Stream the events CSV of every row, then the database's own CSV of the same SELECT."""
    from django.db import connection

    from mss_tracker.tracker.csv.writing.csv_database import events_csv_chunks
    from mss_tracker.tracker.csv.writing.response import csv_download
    from mss_tracker.tracker.models import DeploymentEvent

    select = _events_export_sql()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    # What the events export view streams, over every event rather than one mission's.
    response = csv_download("events.csv", events_csv_chunks(DeploymentEvent.objects.all()))
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = lines - 1

    started = time.perf_counter()
    baseline_size = 0
    if connection.vendor == "postgresql":
        copy_sql = f"COPY ({select}) TO STDOUT WITH CSV"
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for block in copy:
                baseline_size += len(block)
        baseline = "PostgreSQL COPY (same SELECT) TO STDOUT WITH CSV"
    else:
        with connection.cursor() as cursor:
            cursor.execute(select)
            writer = csv.writer(io.StringIO(), lineterminator="\r\n")
            while batch := cursor.fetchmany(2000):
                writer.writerows(batch)
                baseline_size += len(batch)
        baseline = "sqlite3 cursor + csv.writer (same SELECT)"
    baseline_seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "megabytes": size / 1e6,
        "seconds": seconds,
        "rows_per_second": rows / seconds,
        "baseline": baseline,
        "baseline_rows_per_second": rows / baseline_seconds,
        "peak_rss_mb": peak_mb,
        "rss_before_mb": rss_before,
    }


def measure_export_json() -> dict:
    """Stream events.json of every row as the view does (against events.csv, in a
    process of its own so that its peak memory is its own)."""
    import datetime

    from mss_tracker.tracker.csv.spec import EVENTS
    from mss_tracker.tracker.csv.writing.json_postgres import export_json_chunks
    from mss_tracker.tracker.csv.writing.response import json_download
    from mss_tracker.tracker.models import DeploymentEvent

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    chunks = export_json_chunks(EVENTS, DeploymentEvent.objects.all(), datetime.date.today(), {})
    size = rows = 0
    for chunk in json_download(chunks).streaming_content:
        size += len(chunk)
        rows += chunk.count(b'{"date"')  # a key in text would be escaped: {\"date
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "megabytes": size / 1e6,
        "seconds": seconds,
        "rows_per_second": rows / seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_mb": rss_before,
    }


# --- Orchestration -----------------------------------------------------------------------


STATIC_ROOT = Path(tempfile.gettempdir()) / "mss-bench-static"


def _child_env(database_url: str, **extra: str) -> dict:
    """Production settings (DEBUG off), on the bench database."""
    env = dict(os.environ)
    env.pop("DASHBOARD_CACHE_SECONDS", None)
    env.update(
        DATABASE_URL=database_url,
        DATABASE_POOL_SIZE="0",
        DEBUG="false",
        ALLOWED_HOSTS="testserver,127.0.0.1",
        STATIC_ROOT=str(STATIC_ROOT),
        UV_PYTHON_DOWNLOADS="never",
    )
    env.update(extra)
    return env


def collect_static(database_url: str) -> None:
    """DEBUG off serves hashed static file names, from collectstatic's manifest."""
    _manage(database_url, "collectstatic", "--noinput", "-v0")


def _manage(database_url: str, *args: str, capture: bool = False, **env: str) -> str:
    command = [sys.executable, str(BASE_DIR / "manage.py"), *args]
    result = subprocess.run(
        command,
        env=_child_env(database_url, **env),
        cwd=BASE_DIR,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


def _json_child(database_url: str, *args: str) -> dict:
    output = _manage(database_url, "bench", *args, capture=True)
    return json.loads(output.strip().splitlines()[-1])


@dataclass(frozen=True)
class Shape:
    """What `generate_data` makes at each size: `missions` (None: by the size, as
    `missions_for`), `countries` per mission, and the seed."""

    missions: int | None = None
    countries: int = COUNTRIES
    seed: int = 1

    def missions_at(self, events: int) -> int:
        return self.missions or missions_for(events)


def prepare_database(
    backend: str, events: int, workdir: Path, postgres: str, log, shape: Shape = Shape()
) -> str:
    if backend == "sqlite":
        path = workdir / f"mss-bench-{events}.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        name = f"mss_bench_{events}"
        admin = f"{postgres.rstrip('/')}/postgres"
        subprocess.run(
            ["psql", admin, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(["psql", admin, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
        url = f"{postgres.rstrip('/')}/{name}"
    _manage(url, "migrate", "-v0")
    missions = shape.missions_at(events)
    log(f"  generate_data: {events:,} events, {missions} missions × {shape.countries}")
    _manage(
        url,
        "generate_data",
        "--missions",
        str(missions),
        "--countries",
        str(shape.countries),
        "--events",
        str(events),
        "--seed",
        str(shape.seed),
    )
    if backend == "postgresql":
        subprocess.run(["psql", url, "-q", "-c", "VACUUM ANALYZE"], check=True)
    return url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wrk(url: str, seconds: int, connections: int) -> float:
    output = subprocess.run(
        # As a browser asks: compressed if the server will.
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", "Accept-Encoding: gzip", url],
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    non_2xx = [line for line in output.splitlines() if "Non-2xx" in line]
    if non_2xx:
        raise RuntimeError(f"wrk {url}: {non_2xx[0].strip()}")
    for line in output.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(f"wrk printed no Requests/sec:\n{output}")


def measure_throughput(database_url: str, seconds: int, connections: int, workers: int) -> dict:
    """Requests per second under gunicorn: the dashboard against /healthz, interleaved."""
    if not shutil.which("wrk"):
        return {"error": "wrk is not installed (apt-get install wrk)"}
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
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--access-logfile", "/dev/null"],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    trivial, dashboard = f"{base}/healthz", f"{base}/missions/{MISSION}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(trivial, timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        _wrk(dashboard, 2, connections)  # every worker fills its cache
        rates: dict[str, list[float]] = {"trivial": [], "dashboard": []}
        for _ in range(5):  # interleaved, so both see the same neighbours' load
            rates["trivial"].append(_wrk(trivial, seconds, connections))
            rates["dashboard"].append(_wrk(dashboard, seconds, connections))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    ratios = [d / t for d, t in zip(rates["dashboard"], rates["trivial"], strict=True)]
    return {
        "trivial_rps": statistics.median(rates["trivial"]),
        "dashboard_rps": statistics.median(rates["dashboard"]),
        "ratio": statistics.median(ratios),  # of each dashboard run to the /healthz run before
        "ratios": ratios,
        "workers": workers,
        "connections": connections,
    }


TIMED_PAGES = ("dashboard", "dashboard as of a date", "country page", "summary CSV")


def _median_pages(rounds: list[dict]) -> dict:
    """Per page, the median of the rounds' medians; query counts from the first round."""
    pages = dict(rounds[0])
    for name in (*TIMED_PAGES, "dashboard (cached)"):
        seconds = [round_[name]["seconds"] for round_ in rounds]
        pages[name] = {**rounds[0][name], "seconds": statistics.median(seconds)}
    return pages


def run_benchmark(
    backends: list[str],
    sizes: list[int],
    repeat: int,
    rounds: int,
    seconds: int,
    connections: int,
    workers: int,
    postgres: str,
    workdir: Path | None,
    log,
    shape: Shape = Shape(),
) -> list[Run]:
    """Fill a database per backend and size, then measure. Page times are taken in rounds
    that visit every database in turn, so a burst of load from the neighbours falls on all
    sizes alike rather than on whichever size was being timed at that moment."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="mss-bench-"))
    collect_static(f"sqlite:///{workdir / 'static.sqlite3'}")
    runs, urls = [], {}
    for backend in backends:
        for events in sizes:
            log(f"{backend}, {events:,} events")
            run = Run(backend, events)
            started = time.perf_counter()
            urls[backend, events] = prepare_database(backend, events, workdir, postgres, log, shape)
            run.generate_seconds = time.perf_counter() - started
            runs.append(run)
    page_rounds: dict[tuple[str, int], list[dict]] = {key: [] for key in urls}
    for number in range(1, rounds + 1):
        log(f"pages, round {number} of {rounds}")
        for key, url in urls.items():
            page_rounds[key].append(_json_child(url, "--measure-pages", "--repeat", str(repeat)))
    for run in runs:
        url = urls[run.backend, run.events]
        run.pages = _median_pages(page_rounds[run.backend, run.events])
        log(f"{run.backend}, {run.events:,} events: events export")
        run.export = _json_child(url, "--measure-export")
        log(f"{run.backend}, {run.events:,} events: events.json")
        run.export_json = _json_child(url, "--measure-export-json")
        log(f"{run.backend}, {run.events:,} events: throughput")
        run.throughput = measure_throughput(url, seconds, connections, workers)
    return runs


# --- The table -------------------------------------------------------------------------------
