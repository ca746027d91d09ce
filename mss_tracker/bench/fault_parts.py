"""The fault script's parts (bench/faults.py runs the faults): the readers and what they
saw, the report of a fault, the editor who uploads through the admin, and the processes of
its own it brings up — a throwaway PostgreSQL cluster, a redis-server, gunicorn and a task
worker (`production_stack`). docs/reliability.md, "Faults under reads".
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
    ROOT,
    WORKER_COMMAND,
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
from mss_tracker.bench.demo_server import job_counts
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
            WORKER_COMMAND,
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
