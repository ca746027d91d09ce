"""A 20 MB events import on the demo's SQLite database while people read: every page
answers 200, the import's page shows its progress throughout, and a second writer waits,
then is told the database is busy (503), never a 500.

The real `manage.py demo` (development server, task worker in a thread of the same
process) on a SQLite file, with reader threads beside it; docs/reliability.md ("SQLite:
serving while an import writes") has the figures.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from mss_tracker.bench.app_servers import Browser, free_port
from mss_tracker.bench.demo_server import demo_environment, job_counts, start_demo
from mss_tracker.bench.two_servers import arrivals

pytestmark = pytest.mark.slow

PASSWORD = "demo reads while it writes"
ROWS = 84_000  # 20 MB with 120 characters of notes a row
IMPORTING_READS = 200  # page reads that must be answered while the import writes


class Readers:
    """Threads reading public pages (each at its own date, so none comes from the page
    cache) and the Imports list until told to stop, recording every answer."""

    PATHS = ["/missions/gsf/?as_of=2025-{:02d}-{:02d}", "/admin/tracker/importjob/"]

    def __init__(self, url: str, cookies: dict[str, str], threads: int = 2) -> None:
        self.url, self.cookies = url, cookies
        self.statuses: list[tuple[float, int, str, float]] = []
        self.phase = "checking"
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.read, args=(i,)) for i in range(threads)]

    def read(self, index: int) -> None:
        browser = Browser(self.url, cookies=dict(self.cookies))
        n = index
        while not self.stop.is_set():
            n += 1
            path = self.PATHS[n % 2].format(1 + n % 12, 1 + n % 28)
            started = time.monotonic()
            status = browser.get(path).status
            self.statuses.append((started, status, self.phase, time.monotonic() - started))

    def __enter__(self) -> Readers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def test_a_big_import_on_sqlite_leaves_every_page_answering(tmp_path):
    data, _personnel = arrivals(ROWS, 120)
    assert len(data) > 20_000_000
    port = free_port()
    demo = start_demo(demo_environment(tmp_path / "demo.sqlite3", PASSWORD), port)
    url = f"http://127.0.0.1:{port}"
    try:
        editor = Browser(url)
        editor.log_in("editor", PASSWORD)
        response = editor.post(
            "/admin/tracker/deploymentevent/import-csv/", {}, files={"file": ("big.csv", data)}
        )
        assert response.status == 302, response.text[:2000]
        job_path = response.headers["location"]
        seen: list[tuple[str, int, int]] = []
        page_statuses: Counter[int] = Counter()
        slowest_page = 0.0

        def watch(until: str, seconds: float) -> None:
            nonlocal slowest_page
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                started = time.monotonic()
                response = editor.get(job_path, headers={"HX-Request": "true"})
                slowest_page = max(slowest_page, time.monotonic() - started)
                page_statuses[response.status] += 1
                assert response.status == 200, response.text[:2000]
                seen.append(job_counts(response.text))
                if seen[-1][0] == until:
                    return
                time.sleep(0.3)
            raise AssertionError(f"never {until}: {seen[-5:]}")

        with Readers(url, editor.cookies) as readers:
            watch("Ready to confirm", 300)
            readers.phase = "importing"
            response = editor.post(job_path, {"action": "confirm"})
            assert response.status == 302
            # A second writer while the import holds the write lock: it waits, then is
            # told the database is busy, or gets through once the import is done.
            while not any(status == "Importing" and written for status, _r, written in seen):
                watch("Importing", 60)  # until the write has begun
                if seen[-1][0] == "Imported":
                    break
            second = editor.post(
                "/admin/tracker/deploymentevent/import-csv/",
                {},
                files={"file": ("small.csv", arrivals(3, 10)[0])},
            )
            watch("Imported", 600)
        importing = [s for s in readers.statuses if s[2] == "importing"]
        every = Counter(status for _t, status, _p, _d in readers.statuses)
        slowest_read = max(duration for *_rest, duration in readers.statuses)
        print(
            f"\nreads: {dict(every)} ({len(importing)} while importing),"
            f" slowest {slowest_read:.2f} s;"
            f" progress page: {dict(page_statuses)}, slowest {slowest_page:.2f} s;"
            f" second upload: {second.status}; progress seen: {seen[::10]}"
        )
        assert set(every) == {200}
        assert len(importing) >= IMPORTING_READS
        assert set(page_statuses) == {200}
        # The progress moved while it was read, in the check and in the write.
        assert len({read for status, read, _w in seen if status == "Checking"}) >= 3
        assert len({written for status, _r, written in seen if status == "Importing"}) >= 3
        assert second.status in (302, 503), second.text[:2000]
        if second.status == 503:
            assert "The database is busy writing an import" in second.text
            assert second.headers["retry-after"] == "30"
        final = editor.get(job_path).text
        assert f"<strong>{ROWS:,}</strong> rows written".replace(",", "\u202f") in final or (
            f"<strong>{ROWS}</strong> rows written" in final
        )
    finally:
        demo.terminate()
        demo.wait(timeout=60)
