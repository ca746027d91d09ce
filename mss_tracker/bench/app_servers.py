"""Real application servers for tests that need more than one: gunicorn processes on free
loopback ports sharing one database (and a Redis cache when asked), and a small browser-like
client that logs in to the admin and posts its forms.

The client keeps cookies itself (by name, whatever their `Secure` flag) so it works against
servers with production settings on plain-HTTP loopback.

Used by the multi-server tests (tests/test_two_servers.py, test_shared_cache.py) and by
`python -m mss_tracker.bench.two_servers`.
"""

from __future__ import annotations

import html
import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent.parent  # the repository


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


EDITOR = ("editor", "two servers one truth")  # the staff editor `create_editor` adds
# The events CSV's header, as an editor uploads it (docs/csv.md).
EVENTS_HEADER = (
    "date,date_precision,mission,country_iso3,country,event,personnel_type,personnel,"
    "disputed,source_publisher,source_title,source_url,source_date,notes"
)


def create_editor(env: dict[str, str]) -> None:
    """The staff member EDITOR (username, password), in the group Editors."""
    username, password = EDITOR
    manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from django.contrib.auth.models import Group, User\n"
        f"user = User.objects.create_user({username!r}, password={password!r}, is_staff=True)\n"
        'user.groups.add(Group.objects.get(name="Editors"))\n',
    )


def server_environment(database_url: str, static_root: Path, **variables: str) -> dict[str, str]:
    """Production settings on plain-HTTP loopback, page cache on."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "PYTEST_"))
    }
    return {
        **env,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "app-servers-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DASHBOARD_CACHE_SECONDS": "3600",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": str(static_root),
        # These servers measure and test what servers share (cache, uploads, jobs); the staff
        # sign in with their password alone. The second factor has tests of its own
        # (tests/test_staff_accounts.py, tests/test_browser_second_factor.py).
        "STAFF_SECOND_FACTOR": "false",
        **variables,
    }


def prepare(env: dict[str, str]) -> None:
    """Migrate, load the sample data and collect the static files, as a deploy does."""
    manage(env, "migrate", "-v0")
    manage(env, "load_sample_data")
    manage(env, "collectstatic", "--noinput", "-v0")


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 2, log: IO[bytes] | None = None) -> Iterator[str]:
    """A gunicorn (the repository's gunicorn.conf.py) on a free port; yields its URL. Its
    log goes to `log` when given, else to this process's standard error."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--access-logfile", "/dev/null"],
        env={**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)},
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


# The task worker as production runs it (`manage.py db_worker`), polling often so that a
# test or the fault script does not wait for it.
WORKER_COMMAND = [
    sys.executable,
    str(ROOT / "manage.py"),
    "db_worker",
    "--interval",
    "0.2",
    "--no-startup-delay",
    "--no-reload",
]


@contextmanager
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """The task worker (`manage.py db_worker`), as production runs it."""
    process = subprocess.Popen(WORKER_COMMAND, env=env, cwd=ROOT)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=60)


@contextmanager
def servers(env: dict[str, str], count: int, workers: int = 2) -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [stack.enter_context(gunicorn(env, workers)) for _ in range(count)]


def _wait_until_healthy(url: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn for {url} exited with {process.returncode}")
        try:
            response = Browser(url).get("/healthz")
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url}/healthz")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Browser:
    """Enough of a browser for the admin: cookies, CSRF tokens, forms, redirects."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict | None = None
    ) -> Response:
        parsed = urllib.parse.urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        headers = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers.setdefault("Referer", self.base_url + path)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            payload = raw.read()
        finally:
            connection.close()
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                self.cookies[cookie_name] = rest.split(";", 1)[0]
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, payload)

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: dict[str, str], files: dict | None = None) -> Response:
        fields = {"csrfmiddlewaretoken": self.csrf_token(path), **fields}
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, (file_name, content) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{file_name}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(
            "POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )

    def csrf_token(self, path: str) -> str:
        if "csrftoken" not in self.cookies:
            self.get(path)
        return self.cookies["csrftoken"]

    def log_in(self, username: str, password: str) -> None:
        page = self.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.post(
            "/admin/login/?next=/admin/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        assert response.status == 302, response.text[:2000]

    def follow(self, response: Response) -> Response:
        while response.status in (301, 302, 303):
            location = urllib.parse.urlsplit(response.headers["location"])
            target = location.path + (f"?{location.query}" if location.query else "")
            response = self.get(target)
        return response


def visible_text(page: str) -> str:
    """The page's text, tags removed and whitespace collapsed, for assertions."""
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())
