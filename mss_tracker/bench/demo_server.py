"""The real `manage.py demo` (development server, task worker in a thread of the same
process) on a SQLite file, and how an import's page reads, for the slow test of an import
under reads (tests/test_sqlite_import_under_reads.py) and the fault script (faults.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from mss_tracker.bench.app_servers import ROOT, Browser


def demo_environment(database: Path, password: str) -> dict[str, str]:
    """The demo on the SQLite file `database`, its accounts' password `password`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    return {
        **env,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEMO_PASSWORD": password,
        "LOG_LEVEL": "WARNING",
    }


def start_demo(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """`manage.py demo` on 127.0.0.1:`port`, once it answers /healthz."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "demo", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"demo exited with {process.returncode}")
        try:
            if Browser(f"http://127.0.0.1:{port}").get("/healthz").status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    process.kill()
    raise RuntimeError("the demo did not answer")


def job_counts(page: str) -> tuple[str, int, int]:
    """The job's status and its rows read and written, as its page shows them."""
    status = re.search(r'<strong id="import-status">([^<]+)</strong>', page)
    read = re.search(r'id="rows-checked">([\d,\u202f\xa0]+)', page)
    written = re.search(r'id="rows-written">([\d,\u202f\xa0]+)', page)
    if not (status and read and written):
        raise ValueError(f"not an import's page: {page[:500]!r}")

    def number(match: re.Match[str]) -> int:
        return int(re.sub(r"\D", "", match.group(1)))

    return status.group(1), number(read), number(written)
