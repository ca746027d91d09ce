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
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mss_tracker.bench.app_servers import (
    EDITOR,
    ROOT,
    Browser,
    Response,
    create_editor,
    free_port,
    gunicorn,
    manage,
    prepare,
    server_environment,
    visible_text,
)
from mss_tracker.bench.demo_server import demo_environment, job_counts, start_demo
from mss_tracker.bench.two_servers import arrivals

FAULTS = ("worker", "redis", "postgres", "sqlite")
IMPORT_CSV = "/admin/tracker/deploymentevent/import-csv/"
DEMO_PASSWORD = "faults under reads"
# Pages the readers request in turn: three the page cache answers after their first
# request, one at a date never asked before (computed every time), and the probe.
CACHED = ("/", "/missions/gsf/", "/missions/mss/")
HEALTHZ = "/healthz"
SLOW = 1.0  # seconds: an answer slower than this is counted as slow


# ---------------------------------------------------------------------------------------
# Readers and what they saw


@dataclass(frozen=True)
class Answer:
    started: float  # time.monotonic()
    path: str
    status: int | str  # the HTTP status, or the error's class name
    seconds: float
    cache: str  # X-Page-Cache: hit, miss, unavailable or ""

    @property
    def failed(self) -> bool:
        return not (isinstance(self.status, int) and 200 <= self.status < 400)


def fetch(base: tuple[str, int], path: str, timeout: float = 30) -> Answer:
    """One GET on a connection of its own, as a reader's browser would."""
    started = time.monotonic()
    connection = http.client.HTTPConnection(*base, timeout=timeout)
    status: int | str
    cache = ""
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        status, cache = response.status, response.getheader("X-Page-Cache") or ""
    except (OSError, http.client.HTTPException) as error:
        status = type(error).__name__
    finally:
        connection.close()
    return Answer(started, path, status, time.monotonic() - started, cache)


class Readers:
    """Threads requesting public pages and /healthz in turn, without pause, until
    stopped; every answer is kept."""

    def __init__(self, url: str, threads: int = 2) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.base = (host, int(port))
        self.answers: list[Answer] = []
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self.read, args=(i,), daemon=True) for i in range(threads)
        ]

    def read(self, index: int) -> None:
        n = index * 7
        while not self.stop.is_set():
            n += 1
            month, day = 1 + n % 11, 1 + (n // 11) % 28
            paths = (*CACHED, f"/missions/gsf/?as_of=2025-{month:02d}-{day:02d}", HEALTHZ)
            self.answers.append(fetch(self.base, paths[n % len(paths)]))

    def since(self, started: float, until: float | None = None) -> list[Answer]:
        return [
            answer
            for answer in list(self.answers)
            if answer.started >= started and (until is None or answer.started < until)
        ]

    def __enter__(self) -> Readers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def describe(answers: Sequence[Answer]) -> str:
    """'812 requests, 0 failed {200: 812}, slowest 1.20 s (GET /…); /healthz slowest 0.31 s'."""
    if not answers:
        return "no requests"
    statuses = Counter(answer.status for answer in answers)
    failed = sum(1 for answer in answers if answer.failed)
    slowest = max(answers, key=lambda answer: answer.seconds)
    probes = [answer.seconds for answer in answers if answer.path == HEALTHZ]
    # The statuses in order, then the errors by name.
    order = sorted(statuses, key=lambda status: (isinstance(status, str), str(status)))
    shown = ", ".join(f"{status}: {statuses[status]}" for status in order)
    text = (
        f"{len(answers)} requests, {failed} failed {{{shown}}}, "
        f"slowest {slowest.seconds:.2f} s (GET {slowest.path})"
    )
    if probes:
        text += f"; /healthz slowest {max(probes):.2f} s"
    return text


def sample(numbers: Sequence[int], count: int = 5) -> str:
    """About `count` of `numbers`, evenly spread, the last one included: '0 → 42,909 → …'."""
    if not numbers:
        return "none"
    step = max(1, len(numbers) // count)
    shown = [*numbers[::step][: count - 1], numbers[-1]] if len(numbers) > 1 else [numbers[0]]
    return " → ".join(f"{n:,}" for n in shown)


# ---------------------------------------------------------------------------------------
# What each fault reports


@dataclass
class Report:
    title: str
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)
        print(f"  {line}", flush=True)

    def check(self, ok: bool, what: str) -> None:
        """Say `what`, and count it as a failure unless `ok`."""
        self.say(what if ok else f"FAIL: {what}")
        if not ok:
            self.failures.append(what)


def count_events(env: dict[str, str]) -> int:
    output = manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from mss_tracker.tracker.models import DeploymentEvent\n"
        "print(DeploymentEvent.objects.count())",
    )
    return int(output.split()[-1])


def check_timelines(env: dict[str, str], report: Report) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check_timelines"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    said = (result.stdout + result.stderr).strip().splitlines()
    report.check(
        result.returncode == 0,
        f"check_timelines: exit {result.returncode}, {said[-1] if said else 'no output'}",
    )


# ---------------------------------------------------------------------------------------
# An editor's import, through the admin


def arrival_lines(first: int, count: int, notes: int) -> tuple[bytes, int]:
    """Rows `first` … `first + count - 1` of two_servers.arrivals' file (750 a day), with
    its header, and the personnel they add: rows no earlier import of that file holds."""
    data, _total = arrivals(first + count, notes)
    lines = data.split(b"\r\n")
    body = lines[1 + first : 1 + first + count]
    added = sum(1 + (i % 750) // 30 for i in range(first, first + count))
    return b"\r\n".join([lines[0], *body, b""]), added


@dataclass
class Editor(Browser):
    """The admin client, following one upload's page and keeping every answer of it."""

    job: str = ""
    pages: list[tuple[int, float]] = field(default_factory=list)  # status, seconds

    def upload(self, data: bytes, name: str) -> None:
        response = self.post(IMPORT_CSV, {}, files={"file": (name, data)})
        if response.status != 302:
            raise RuntimeError(f"the upload answered {response.status}: {response.text[:500]}")
        self.job = response.headers["location"]

    def state(self) -> tuple[str, int, int]:
        """The job's status and rows read and written; ("HTTP 500", 0, 0) if its page
        failed."""
        response = self.page()
        if response.status != 200:
            return f"HTTP {response.status}", 0, 0
        return job_counts(response.text)

    def page(self) -> Response:
        started = time.monotonic()
        response = self.get(self.job, headers={"HX-Request": "true"})
        self.pages.append((response.status, time.monotonic() - started))
        return response

    def act(self, action: str) -> None:
        response = self.post(self.job, {"action": action})
        if response.status != 302:
            raise RuntimeError(f"{action} answered {response.status}: {response.text[:500]}")

    def wait(
        self,
        done: Callable[[tuple[str, int, int]], bool],
        seconds: float,
        every: float = 0.5,
        seen: list[tuple[str, int, int]] | None = None,
    ) -> tuple[str, int, int]:
        """Read the job's page until `done` says so (or `seconds` have passed); its last
        state. A page that failed is counted (`pages`) and read again."""
        deadline = time.monotonic() + seconds
        while True:
            state = self.state()
            if seen is not None:
                seen.append(state)
            failed = state[0].startswith("HTTP ")
            if (done(state) and not failed) or time.monotonic() > deadline:
                return state
            time.sleep(every)

    def shown(self, characters: int = 600) -> str:
        """The job page's text from its status on (its errors, if any), for a report."""
        page = self.get(self.job).text
        return visible_text(page.split('id="import-job"', 1)[-1])[:characters]

    def described(self) -> str:
        """'{200: 254}, slowest 0.64 s': how the job's page answered."""
        statuses = Counter(status for status, _seconds in self.pages)
        slowest = max((seconds for _status, seconds in self.pages), default=0)
        return f"{dict(sorted(statuses.items()))}, slowest {slowest:.2f} s"


ENDED = ("Imported", "Failed", "Cancelled", "Expired", "Errors found", "Interrupted")


def confirm_and_finish(editor: Editor, report: Report, seconds: float = 600) -> str:
    """Wait for the preview, confirm it, wait for the import's end; its last status."""
    state = editor.wait(lambda s: s[0] != "Checking", seconds)
    if state[0] != "Ready to confirm":
        report.check(False, f"the preview ended {state[0]!r}: {editor.shown()}")
        return state[0]
    editor.act("confirm")
    return editor.wait(lambda s: s[0] in ENDED, seconds)[0]


# ---------------------------------------------------------------------------------------
# The production stack: a PostgreSQL cluster, a Redis, gunicorn and a worker of our own


@dataclass
class Stack:
    env: dict[str, str]
    url: str
    logs: Path
    cluster: tuple[str, str]  # PostgreSQL version, cluster name
    redis: subprocess.Popen[bytes]
    redis_port: int
    worker: subprocess.Popen[bytes] | None = None
    workers_started: int = 0

    def start_worker(self) -> None:
        self.workers_started += 1
        log = open(self.logs / f"worker-{self.workers_started}.log", "wb")  # noqa: SIM115
        self.worker = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )

    def stop_worker(self) -> None:
        if self.worker and self.worker.poll() is None:
            self.worker.terminate()
            self.worker.wait(timeout=60)


def newest_postgresql() -> str:
    versions = os.listdir("/etc/postgresql") if os.path.isdir("/etc/postgresql") else []
    return max(versions, key=int) if versions else "15"


def pg_ctlcluster(cluster: tuple[str, str], action: str) -> None:
    version, name = cluster
    if not name.startswith("faults_"):  # never the shared cluster
        raise ValueError(f"not a cluster of this script's own: {name}")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
        check=True,
        capture_output=True,
    )


@contextmanager
def throwaway_cluster(version: str) -> Iterator[tuple[tuple[str, str], int]]:
    """A PostgreSQL cluster of its own on a free port, trusting loopback; dropped after."""
    port = free_port()
    cluster = (version, f"faults_{port}")
    create = ["pg_createcluster", version, cluster[1], "-p", str(port)]
    subprocess.run(
        [*create, "--", "--auth-host=trust", "--auth-local=trust"],
        check=True,
        capture_output=True,
    )
    try:
        pg_ctlcluster(cluster, "start")
        yield cluster, port
    finally:
        subprocess.run(
            ["pg_dropcluster", "--stop", version, cluster[1]], check=False, capture_output=True
        )


@contextmanager
def own_redis() -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A redis-server of its own on a free port, never the shared one."""
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(
        ["redis-server", *options, "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield process, port
    finally:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def production_stack(args: argparse.Namespace) -> Iterator[Stack]:
    logs = Path(tempfile.mkdtemp(prefix="mss-faults-"))
    with ExitStack() as stack:
        if not args.keep_logs:  # last out, whatever happened
            stack.callback(shutil.rmtree, logs, ignore_errors=True)
        cluster, pg_port = stack.enter_context(throwaway_cluster(args.postgresql))
        redis, redis_port = stack.enter_context(own_redis())
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "postgres", "mss_faults"],
            check=True,
        )
        env = server_environment(
            f"postgres://postgres@127.0.0.1:{pg_port}/mss_faults",
            logs / "static",
            CACHE_URL=f"redis://127.0.0.1:{redis_port}/0",
            CACHE_RETRY_SECONDS=str(args.cache_retry),
        )
        print(
            f"Preparing: PostgreSQL {cluster[0]} cluster {cluster[1]} on port {pg_port}, "
            f"redis-server on port {redis_port}, logs in {logs}",
            flush=True,
        )
        prepare(env)
        create_editor(env)
        log = stack.enter_context(open(logs / "gunicorn.log", "wb"))
        url = stack.enter_context(gunicorn(env, workers=2, log=log))
        result = Stack(env, url, logs, cluster, redis, redis_port)
        result.start_worker()
        stack.callback(result.stop_worker)
        print(f"gunicorn (2 workers) at {url}, one db_worker", flush=True)
        yield result


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
