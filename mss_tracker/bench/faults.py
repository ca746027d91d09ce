"""Faults under reads: what an operator's bad day costs the pages, and whether any data is lost.

    uv run python -m mss_tracker.bench.faults [--faults worker,redis,postgres,sqlite]
        [--rows 30000] [--sqlite-rows 84000] [--redis-stop 15]

Production's processes on loopback: gunicorn (the repository's gunicorn.conf.py, two sync
workers, production settings), a separate task worker (`manage.py db_worker`), a
PostgreSQL cluster and a `redis-server` page cache, each of the script's own. Reader
threads request public pages (some from the page cache, some at dates never cached) and
`/healthz` without pause throughout each fault, one after another:

1. **worker**: an events file of `--rows` rows is uploaded and confirmed through the
   admin, and the worker is killed (SIGKILL) while it writes; a new worker is started.
   The job's status is read as its page shows it, the events are counted (they must
   equal the count before), the job is started again if its page offers to, and then
   every row must be there once.
2. **redis**: the page cache's Redis is stopped with SIGSTOP for `--redis-stop` seconds
   (it accepts connections and never answers), then continued: pages must answer,
   uncached, in under a second each, and `/healthz` in under a second.
3. **postgres**: the PostgreSQL cluster is restarted; then a small import goes through
   the worker, to show it survived.
4. **sqlite**: the demo's setup (`manage.py demo`: the development server on a SQLite
   file with the task worker in a thread) imports a 20 MB events file (`--sqlite-rows`
   84,000) while the readers read: every read and the import's page must answer 200.

Per fault it prints the requests made, those that failed (non-2xx/3xx answers by status,
errors by kind), the slowest answer, and the data checked afterwards: events counted
before and after, and `manage.py check_timelines` clean. Exits 1 if any check failed.

The PostgreSQL cluster is a throwaway one on a free port (`pg_createcluster`, trust
authentication on loopback), dropped at the end: the shared cluster on port 5432 is never
touched. Needs root (or the postgres user's rights) for `pg_createcluster`, and
`redis-server`. docs/reliability.md ("Faults under reads") has the figures.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from mss_tracker.bench.app_servers import (
    EDITOR,
    free_port,
)
from mss_tracker.bench.demo_server import demo_environment, start_demo
from mss_tracker.bench.fault_parts import (
    CACHED,
    DEMO_PASSWORD,
    ENDED,
    FAULTS,
    HEALTHZ,
    SLOW,
    Editor,
    Readers,
    Report,
    Stack,
    arrival_lines,
    check_timelines,
    confirm_and_finish,
    count_events,
    describe,
    fetch,
    newest_postgresql,
    pg_ctlcluster,
    production_stack,
    sample,
)
from mss_tracker.bench.two_servers import arrivals

# ---------------------------------------------------------------------------------------
# The faults


def kill_the_worker(stack: Stack, args: argparse.Namespace) -> Report:
    report = Report(f"1. The worker killed (SIGKILL) mid-import of {args.rows:,} rows")
    print(report.title, flush=True)
    before = count_events(stack.env)
    data, _added = arrival_lines(0, args.rows, args.notes)
    editor = Editor(stack.url)
    editor.log_in(*EDITOR)
    with Readers(stack.url, args.readers) as readers:
        started = time.monotonic()
        editor.upload(data, "arrivals.csv")
        report.say(f"uploaded {len(data) / 1e6:.1f} MB: {editor.job}")
        state = editor.wait(lambda s: s[0] != "Checking", 900)
        if state[0] != "Ready to confirm":
            report.check(False, f"the preview ended {state[0]!r}: {editor.shown()}")
            return report
        editor.act("confirm")
        state = editor.wait(lambda s: s[0] != "Importing" or s[2] > 0, 900, every=0.1)
        assert stack.worker is not None
        if state[0] == "Importing":
            stack.worker.kill()
            stack.worker.wait()
            report.say(f"killed the worker at {state[0]} {state[2]:,} of {args.rows:,} written")
        else:
            report.check(False, f"the import ended {state[0]!r} before the worker was killed")
            return report
        after_kill = count_events(stack.env)
        report.check(
            after_kill == before, f"events: {before:,} before the import, {after_kill:,} after"
        )
        restarted = time.monotonic()
        stack.start_worker()
        state = editor.wait(lambda s: s[0] != "Importing", args.interrupt_wait, every=1)
        waited = time.monotonic() - restarted
        report.check(
            state[0] != "Importing",
            f"the job reads {state[0]!r} {waited:.0f} s after a new worker started",
        )
        page = editor.page().text
        if 'value="start-again"' in page:
            editor.act("start-again")
            again = time.monotonic()
            state = editor.wait(lambda s: s[0] in (*ENDED, "Ready to confirm"), 900)
            if state[0] == "Ready to confirm":  # started again from its check
                report.say("started again: checked afresh, confirmed again")
                editor.act("confirm")
                state = editor.wait(lambda s: s[0] in ENDED, 900)
            now = count_events(stack.env)
            report.check(
                state[0] == "Imported" and now == before + args.rows,
                f"started again: {state[0]!r} after {time.monotonic() - again:.0f} s; "
                f"events {before:,} → {now:,} ({now - before:+,}, the file has {args.rows:,})",
            )
        else:
            report.say("its page offers no 'Start again' (not in this version)")
        everything = readers.since(started)
    report.check(not any(a.failed for a in everything), "reads: " + describe(everything))
    report.check(
        {status for status, _s in editor.pages} == {200},
        f"the import's page: {editor.described()}",
    )
    check_timelines(stack.env, report)
    return report


def flush_redis(port: int) -> None:
    """FLUSHALL on the script's own Redis: every page is computed afresh once more."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"*1\r\n$8\r\nFLUSHALL\r\n")
        if not connection.recv(64).startswith(b"+OK"):
            raise RuntimeError("Redis did not flush")


def computed_afresh(stack: Stack) -> dict[str, float]:
    """Each cached page's time when it is computed (the cache emptied, one request at a
    time): what a page costs without the cache, to compare with its time while Redis hangs."""
    flush_redis(stack.redis_port)
    host, port = stack.url.removeprefix("http://").split(":")
    return {path: fetch((host, int(port)), path).seconds for path in CACHED}


def stop_redis(stack: Stack, args: argparse.Namespace) -> Report:
    report = Report(f"2. Redis stopped (SIGSTOP) for {args.redis_stop:.0f} s, then continued")
    print(report.title, flush=True)
    before = count_events(stack.env)
    afresh = computed_afresh(stack)
    report.say(
        "each page computed afresh (no readers): "
        + ", ".join(f"{path} {seconds:.2f} s" for path, seconds in afresh.items())
    )
    with Readers(stack.url, args.readers) as readers:
        time.sleep(3)  # the page cache warm
        stopped = time.monotonic()
        stack.redis.send_signal(signal.SIGSTOP)
        time.sleep(args.redis_stop)
        stack.redis.send_signal(signal.SIGCONT)
        continued = time.monotonic()
        deadline = continued + args.cache_retry + 15
        while time.monotonic() < deadline:
            if any(a.cache == "hit" for a in readers.since(continued)):
                break
            time.sleep(0.2)
        while_stopped = readers.since(stopped, continued)
        after = readers.since(continued)
    report.check(
        not any(a.failed for a in while_stopped), "while stopped: " + describe(while_stopped)
    )
    unavailable = sum(1 for a in while_stopped if a.cache == "unavailable")
    report.say(f"{unavailable} of them said 'X-Page-Cache: unavailable'")
    # A page waits for Redis once per process (CACHE_TIMEOUT_MS, 250 ms), then is computed
    # as it would be without a cache: no page may take a second longer than that.
    for path in CACHED:
        times = [a.seconds for a in while_stopped if a.path == path]
        slowest = max(times, default=0)
        report.check(
            slowest < afresh[path] + 1,
            f"{path} while stopped: {len(times)} answers, slowest {slowest:.2f} s "
            f"(computed afresh: {afresh[path]:.2f} s)",
        )
    probes = [a.seconds for a in while_stopped if a.path == HEALTHZ]
    report.check(
        bool(probes) and max(probes) < SLOW,
        f"/healthz while stopped: {len(probes)} answers, slowest {max(probes, default=0):.2f} s",
    )
    hits = [a for a in after if a.cache == "hit"]
    report.check(
        bool(hits),
        "after SIGCONT: "
        + (f"the cache serves again after {hits[0].started - continued:.1f} s" if hits else "")
        + (" (none from the cache)" if not hits else "")
        + f"; {describe(after)}",
    )
    now = count_events(stack.env)
    report.check(now == before, f"events: {before:,} before, {now:,} after")
    check_timelines(stack.env, report)
    return report


def restart_postgresql(stack: Stack, args: argparse.Namespace) -> Report:
    report = Report(f"3. PostgreSQL restarted (cluster {stack.cluster[1]}, not the shared one)")
    print(report.title, flush=True)
    before = count_events(stack.env)
    with Readers(stack.url, args.readers) as readers:
        time.sleep(2)
        started = time.monotonic()
        pg_ctlcluster(stack.cluster, "restart")
        restarted = time.monotonic()
        report.say(f"pg_ctlcluster restart took {restarted - started:.1f} s")
        time.sleep(5)
        during = readers.since(started)
    # Each request that held a connection when the server went away may fail: one per
    # gunicorn worker at most (docs/reliability.md, "PostgreSQL restarts").
    failed = sum(1 for a in during if a.failed)
    report.check(failed <= 2, "during and after: " + describe(during) + " (allowed: 2 failed)")
    assert stack.worker is not None
    if stack.worker.poll() is None:
        report.say("the worker process is still running")
    else:
        # db_worker's loop does not outlive a lost connection; production's systemd unit
        # restarts it (README, "Production": Restart=always). Here the script does.
        log = (stack.logs / f"worker-{stack.workers_started}.log").read_text().splitlines()
        last = next((line for line in reversed(log) if "Error" in line), "")
        report.say(
            f"the worker process exited ({stack.worker.returncode}: {last[:160]}); "
            "started again, as systemd's Restart=always would"
        )
        stack.start_worker()
    # From the day after the first fault's file ends (750 rows a day): an arrival on a day
    # already recorded for the same country and type looks like a correction of it.
    data, _personnel = arrival_lines(-(-args.rows // 750) * 750, 200, args.notes)
    editor = Editor(stack.url)
    editor.log_in(*EDITOR)
    editor.upload(data, "after-restart.csv")
    status = confirm_and_finish(editor, report)
    now = count_events(stack.env)
    report.check(
        status == "Imported" and now == before + 200,
        f"an import of 200 rows after the restart: {status!r}; events {before:,} → {now:,}",
    )
    check_timelines(stack.env, report)
    return report


def import_on_sqlite(args: argparse.Namespace) -> Report:
    report = Report(
        f"4. A {args.sqlite_rows:,}-row events import on SQLite under reads (manage.py demo)"
    )
    print(report.title, flush=True)
    folder = Path(tempfile.mkdtemp(prefix="mss-faults-sqlite-"))
    try:
        demo_under_reads(folder, args, report)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return report


def demo_under_reads(folder: Path, args: argparse.Namespace, report: Report) -> None:
    """The demo on a SQLite file in `folder`, the import under reads, the data checked."""
    env = demo_environment(folder / "demo.sqlite3", DEMO_PASSWORD)
    port = free_port()
    demo = start_demo(env, port)
    url = f"http://127.0.0.1:{port}"
    try:
        before = count_events(env)
        data, _added = arrivals(args.sqlite_rows, args.sqlite_notes)
        editor = Editor(url)
        editor.log_in("editor", DEMO_PASSWORD)
        seen: list[tuple[str, int, int]] = []
        with Readers(url, args.readers) as readers:
            started = time.monotonic()
            editor.upload(data, "big.csv")
            report.say(f"uploaded {len(data) / 1e6:.1f} MB: {editor.job}")
            state = editor.wait(lambda s: s[0] != "Checking", 900, every=0.3, seen=seen)
            confirmed = time.monotonic()
            if state[0] == "Ready to confirm":
                editor.act("confirm")
                state = editor.wait(lambda s: s[0] in ENDED, 900, every=0.3, seen=seen)
            ended = time.monotonic()
            everything = readers.since(started)
            importing = readers.since(confirmed, ended)
        report.check(state[0] == "Imported", f"the import ended {state[0]!r}")
        report.check(
            not any(a.failed for a in everything),
            f"reads: {describe(everything)}; {len(importing)} while importing",
        )
        if args.sqlite_rows >= 84_000:
            report.check(len(importing) >= 200, f"{len(importing)} reads while importing (≥ 200)")
        report.check(
            {status for status, _s in editor.pages} == {200},
            f"the import's page: {editor.described()}",
        )
        checked = sorted({read for status, read, _w in seen if status == "Checking"})
        written = sorted({w for status, _r, w in seen if status == "Importing"})
        report.say(f"progress seen: checked {sample(checked)}; written {sample(written)}")
        now = count_events(env)
        report.check(
            now == before + args.sqlite_rows,
            f"events: {before:,} → {now:,} ({now - before:+,}, the file has {args.sqlite_rows:,})",
        )
    finally:
        demo.terminate()
        demo.wait(timeout=60)
    check_timelines(env, report)


# ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m mss_tracker.bench.faults",
        description=(__doc__ or "").split("\n\n")[0],
    )

    def faults(value: str) -> list[str]:
        chosen = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in chosen if name not in FAULTS]
        if unknown or not chosen:
            raise argparse.ArgumentTypeError(f"choose among {', '.join(FAULTS)}")
        return chosen

    parser.add_argument(
        "--faults", type=faults, default=list(FAULTS), help=f"comma-separated: {','.join(FAULTS)}"
    )
    parser.add_argument(
        "--rows", type=int, default=30_000, help="rows of the import the worker dies in (100000)"
    )
    parser.add_argument("--notes", type=int, default=40, help="characters of notes a row")
    parser.add_argument(
        "--sqlite-rows", type=int, default=84_000, help="rows of the SQLite import (20 MB)"
    )
    parser.add_argument("--sqlite-notes", type=int, default=120)
    parser.add_argument("--redis-stop", type=float, default=15, help="seconds Redis is stopped")
    parser.add_argument(
        "--cache-retry",
        type=int,
        default=5,
        help="CACHE_RETRY_SECONDS of the servers (production: 30)",
    )
    parser.add_argument(
        "--interrupt-wait",
        type=float,
        default=180,
        help="seconds to wait for the killed worker's job to leave 'Importing'",
    )
    parser.add_argument("--readers", type=int, default=2, help="reader threads")
    parser.add_argument("--postgresql", default=newest_postgresql(), help="cluster version")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    reports: list[Report] = []
    production: dict[str, Callable[[Stack, argparse.Namespace], Report]] = {
        "worker": kill_the_worker,
        "redis": stop_redis,
        "postgres": restart_postgresql,
    }
    wanted = [name for name in FAULTS if name in args.faults]
    if any(name in production for name in wanted):
        with production_stack(args) as stack:
            for name in wanted:
                if name in production:
                    reports.append(production[name](stack, args))
    if "sqlite" in wanted:
        reports.append(import_on_sqlite(args))
    failed = [report for report in reports if report.failures]
    print("PASS" if not failed else f"FAIL: {', '.join(r.title for r in failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
