"""gunicorn + a throwaway PostgreSQL database holding the sample data, for the scripts here.

    with sample_server("mss_load_test", port=8767, workers=5) as server:
        ...  # requests to server.url

Production settings (DEBUG off, the repository's gunicorn.conf.py), plain HTTP on loopback.
The database is dropped on the way out, whatever happened.
"""

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # the repository


@dataclass
class SampleServer:
    url: str
    process: subprocess.Popen


def _database(action: str, name: str) -> None:
    command = ["dropdb", "--if-exists"] if action == "drop" else ["createdb"]
    subprocess.run([*command, "-h", "127.0.0.1", "-U", "postgres", name], check=True)


@contextmanager
def sample_server(
    database: str, *, port: int, workers: int, gunicorn_args: tuple[str, ...] = ()
) -> Iterator[SampleServer]:
    _database("drop", database)
    _database("create", database)
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "DEBUG": "false",
        "SECRET_KEY": "sample-server-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": str(workers),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    try:
        for command in (
            ["migrate", "-v0"],
            ["load_sample_data"],
            ["collectstatic", "--noinput", "-v0"],
        ):
            subprocess.run(
                [*manage, *command], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
            )
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", *gunicorn_args],
            env=env,
            cwd=ROOT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_healthy(url)
            yield SampleServer(url=url, process=process)
        finally:
            process.terminate()
            process.wait(timeout=60)
    finally:
        _database("drop", database)


def _wait_until_healthy(url: str) -> None:
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url}/healthz")
