"""Restart the local PostgreSQL under a running gunicorn and count what it costs.

    uv run python -m mss_tracker.bench.check_db_restart

Starts gunicorn (3 workers) on 127.0.0.1:8766 against a throwaway PostgreSQL database,
keeps requesting `/healthz` and `/` from 4 client threads, then
1. restarts PostgreSQL (`pg_ctlcluster ... restart`): every worker may lose at most one
   request; `CONN_HEALTH_CHECKS` reconnects on the next one, no app restart;
2. stops PostgreSQL: `/healthz` must answer 503 while it is down;
3. starts it again: `/healthz` must answer 200 again, without restarting gunicorn.
Exits non-zero if any of that fails. Only loopback traffic; every loop is bounded.
"""

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

from mss_tracker.bench.sample_server import SampleServer, sample_server

PORT = 8766
WORKERS = 3
DATABASE = "mss_restart_check"
CLUSTER = sorted(os.listdir("/etc/postgresql"))[-1] if os.path.isdir("/etc/postgresql") else "15"


def pg(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", CLUSTER, "main", action], check=True
    )


def get(path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=15) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return -1


def restart_under_load(server: SampleServer) -> int:
    failures = 0
    statuses: Counter[int] = Counter()
    stop = threading.Event()

    def client() -> None:
        deadline = time.monotonic() + 60
        while not stop.is_set() and time.monotonic() < deadline:
            statuses[get("/healthz")] += 1
            statuses[get("/")] += 1

    clients = [threading.Thread(target=client) for _ in range(4)]
    for thread in clients:
        thread.start()
    time.sleep(2)
    before = sum(statuses.values())
    print(f"serving: {dict(statuses)}")
    pg("restart")
    print("PostgreSQL restarted")
    time.sleep(4)
    stop.set()
    for thread in clients:
        thread.join()
    failed = sum(count for status, count in statuses.items() if status != 200)
    print(
        f"after restart: {dict(statuses)} ({sum(statuses.values()) - before} requests "
        f"during and after the restart, {failed} failed; allowed: {WORKERS}, one per worker)"
    )
    if failed > WORKERS:
        failures += 1

    pg("stop")
    down = [get("/healthz") for _ in range(3)]
    print(f"/healthz while PostgreSQL is down: {down}")
    if any(status != 503 for status in down):
        failures += 1
    pg("start")
    up = None
    for _ in range(50):
        up = get("/healthz")
        if up == 200:
            break
        time.sleep(0.2)
    pid = server.process.pid
    print(f"/healthz after PostgreSQL is back: {up} (gunicorn pid {pid} never restarted)")
    if up != 200 or server.process.poll() is not None:
        failures += 1
    return failures


def ensure_postgres_runs() -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", CLUSTER, "main", "start"],
        check=False,
        capture_output=True,
    )


def main() -> int:
    quiet = ("--access-logfile", "/dev/null")
    with sample_server(DATABASE, port=PORT, workers=WORKERS, gunicorn_args=quiet) as server:
        try:
            failures = restart_under_load(server)
        finally:
            ensure_postgres_runs()  # before the database is dropped
    print("PASS" if not failures else f"FAIL ({failures} checks failed)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
