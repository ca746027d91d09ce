"""Two servers, one truth: two gunicorns sharing one PostgreSQL database, one Redis and one
task worker, on free loopback ports.

    uv run python -m mss_tracker.bench.two_servers [--database mss_two_servers] [--rows 2000]
        [--cache-url redis://127.0.0.1:6379/1] [--duration 20]

1. An events file of `--rows` arrivals is uploaded on the first server; the worker checks
   it while both servers show its progress; it is confirmed on the second server and the
   result (rows written, the dashboard's figure) is checked on both. Every request's time
   is reported: none waits for the import.
2. An event is written through the first server's admin and the second server's summary
   shows it at once.
3. The load test (bench/load_test.lua) runs against both ports at once with wrk (installed
   from Debian if missing): zero socket errors, zero non-2xx.

Drops and re-creates `--database` on 127.0.0.1 (the sample data is loaded into it), and
drops it at the end unless `--keep`. Exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from mss_tracker.bench.app_servers import (
    EDITOR,
    EVENTS_HEADER,
    Browser,
    create_editor,
    manage,
    prepare,
    server_environment,
    servers,
    visible_text,
    worker,
)

# Countries with nothing recorded in the sample data: no strength report resets their sums.
CODES = ["FRA", "DEU", "ITA", "ESP", "PRT", "BRA", "ARG", "CHL", "PER", "COL"]
TYPES = ["police", "military", "civilian"]


def arrivals(rows: int, notes: int) -> tuple[bytes, int]:
    """`rows` arrivals in the GSF and the personnel they add: 750 a day from 10 Dec 2025
    (10 countries × 3 types × 25 distinct figures, so that no row repeats another), each
    with `notes` characters of notes (to reach a file size). 260,000 rows end in Nov 2026."""
    start = datetime.date(2025, 12, 10)
    lines = [EVENTS_HEADER]
    filler = ("Arrival reported by the wire, " * (notes // 30 + 1))[:notes]
    total = 0
    for i in range(rows):
        day, j = divmod(i, 750)
        date = (start + datetime.timedelta(days=day)).isoformat()
        code, kind, personnel = CODES[j % 10], TYPES[(j // 10) % 3], 1 + j // 30
        total += personnel
        lines.append(
            f"{date},day,gsf,{code},,arrival,{kind},{personnel},false,Two servers wire,,"
            f'https://example.org/two-servers,{start.isoformat()},"{filler} {i}"'
        )
    return ("\r\n".join(lines) + "\r\n").encode(), total


class Timed(Browser):
    """The test client, remembering its slowest request."""

    slowest = (0.0, "")

    def request(self, method, path, body=b"", headers=None):
        started = time.monotonic()
        try:
            return super().request(method, path, body, headers)
        finally:
            took = time.monotonic() - started
            if took > Timed.slowest[0]:
                Timed.slowest = (took, f"{method} {path}")


def deployed(browser: Browser) -> int:
    response = browser.get("/missions/gsf/export/summary.csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    return sum(int(row["deployed"]) for row in rows)


def wait_for(browser: Browser, path: str, text: str, seconds: float, show=None) -> None:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        page = browser.get(path).text
        if text in page:
            return
        if re.search(r'id="import-status">(Errors found|Failed|Cancelled|Expired)<', page):
            break
        counts = re.search(r'id="rows-checked">([^<]*)<.*?id="rows-written">([^<]*)<', page, re.S)
        if show and counts and counts.groups() != last:
            last = counts.groups()
            show(f"    read {last[0]}, written {last[1]}")
        time.sleep(1)
    shown = visible_text(page.split('id="content-main"')[-1])[:2000]
    raise SystemExit(f"FAIL: {path} never said {text!r}: {shown}")


def import_on_one_confirm_on_the_other(
    first: Timed, second: Timed, data: bytes, added: int
) -> None:
    before = deployed(first)
    first.log_in(*EDITOR)
    second.log_in(*EDITOR)
    started = time.monotonic()
    response = first.post(
        "/admin/tracker/deploymentevent/import-csv/", {}, {"file": ("arrivals.csv", data)}
    )
    if response.status != 302:
        shown = visible_text(response.text.split('id="content-main"')[-1])[:1000]
        raise SystemExit(f"FAIL: the upload answered {response.status}: {shown}")
    job = response.headers["location"]
    print(f"  uploaded {len(data) / 1e6:.1f} MB on the first server: {job}")
    wait_for(second, job, "Ready to confirm", 3600, show=print)
    print(f"  previewed after {time.monotonic() - started:.0f} s (watched on the second server)")
    response = second.post(job, {"action": "confirm"})
    if response.status != 302:
        raise SystemExit(f"FAIL: the confirmation answered {response.status}")
    wait_for(first, job, "Imported on", 3600, show=print)
    print(f"  imported after {time.monotonic() - started:.0f} s (watched on the first server)")
    for name, browser in (("first", first), ("second", second)):
        now = deployed(browser)
        if now != before + added:
            raise SystemExit(f"FAIL: the {name} server shows {now}, expected {before + added}")
    print(f"  both servers show the GSF's deployed total {before:,} → {before + added:,}")


def write_on_one_read_on_the_other(first: Timed, second: Timed, env: dict) -> None:
    ids = manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from mss_tracker.tracker.models import *; "
        "print(Mission.objects.get(slug='gsf').pk, Source.objects.order_by('pk').first().pk)",
    ).split()
    for personnel in (7, 8, 9):  # each round: a write on one, a read on the other, at once
        before = deployed(second)
        day = datetime.date.today() - datetime.timedelta(days=1)
        response = first.post(
            "/admin/tracker/deploymentevent/add/",
            {
                "mission": ids[-2],
                "country": "KEN",
                "date": day.isoformat(),
                "date_precision": "day",
                "kind": "arrival",
                "personnel_type": "police",
                "personnel": str(personnel),
                "source": ids[-1],
                "notes": f"two servers {time.time()}",
            },
        )
        if response.status != 302:
            raise SystemExit(f"FAIL: the event was refused: {visible_text(response.text)[:800]}")
        if deployed(second) != before + personnel:
            raise SystemExit("FAIL: the second server's summary is stale")
        first, second = second, first
    print("  three writes, each read at once through the other server: never stale")


def load_test(urls: list[str], duration: int, connections: int) -> None:
    if not shutil.which("wrk"):
        print("  installing wrk (Debian)")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    runs = [
        subprocess.Popen(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout",
                "10s",
                "-H",
                "Accept-Encoding: gzip",
                "-s",
                str(Path(__file__).with_name("load_test.lua")),
                url,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for url in urls
    ]
    failed = False
    for url, run in zip(urls, runs, strict=True):
        output = run.communicate()[0]
        requests = re.search(r"(\d+) requests in", output)
        errors = re.search(r"Socket errors: (.*)", output)
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
        print(
            f"  {url}: {requests.group(1) if requests else '?'} requests, "
            f"{rate.group(1) if rate else '?'}/s, socket errors: "
            f"{errors.group(1) if errors else 'none'}, non-2xx: "
            f"{non2xx.group(1) if non2xx else 0}"
        )
        failed |= bool(errors) or bool(non2xx) or run.returncode != 0
    if failed:
        raise SystemExit("FAIL: the load test saw errors")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="mss_two_servers")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/1")
    parser.add_argument("--rows", type=int, default=2000, help="rows in the uploaded file")
    parser.add_argument("--notes", type=int, default=40, help="characters of notes per row")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per server")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections per server")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    def database(*command: str) -> None:
        subprocess.run(
            [*command, "-h", "127.0.0.1", "-U", "postgres", args.database],
            check=True,
        )

    database("dropdb", "--if-exists")
    database("createdb")
    static = Path(tempfile.mkdtemp(prefix="mss-two-servers-"))
    env = server_environment(
        f"postgres://postgres@127.0.0.1:5432/{args.database}",
        static,
        CACHE_URL=args.cache_url,
    )
    try:
        prepare(env)
        create_editor(env)
        data, added = arrivals(args.rows, args.notes)
        with servers(env, count=2, workers=args.workers) as urls, worker(env):
            print(
                f"Two servers {urls[0]} and {urls[1]}, one worker, one database, {args.cache_url}"
            )
            first, second = Timed(urls[0]), Timed(urls[1])
            print("1. Upload on the first, confirm on the second:")
            import_on_one_confirm_on_the_other(first, second, data, added)
            print("2. Write through one, read through the other:")
            write_on_one_read_on_the_other(first, second, env)
            took, request = Timed.slowest
            print(f"  the slowest request of 1 and 2 took {took:.2f} s ({request})")
            print(f"3. The load test on both servers at once ({args.duration} s each):")
            load_test(urls, args.duration, args.connections)
    finally:
        shutil.rmtree(static, ignore_errors=True)
        if not args.keep:
            database("dropdb", "--if-exists")
    print("PASS")


if __name__ == "__main__":
    main()
