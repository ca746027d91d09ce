"""`manage.py demo`: a fresh checkout becomes a working tracker with sample data and logins."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from mss_tracker.tracker.management.commands import demo
from mss_tracker.tracker.models import DeploymentEvent, Mission

# Login throttling (django-axes) looks at the request of every authentication.
LOGIN_REQUEST = RequestFactory().post("/admin/login/")
PASSWORD_LINE = re.compile(r"Demo accounts editor and analyst, password: (\S+)")


@pytest.fixture
def served(monkeypatch) -> list[dict]:
    """Record runserver's start instead of serving."""
    calls: list[dict] = []
    monkeypatch.setattr(demo.Command, "run", lambda self, **options: calls.append(options))
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    return calls


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_it_loads_the_sample_data_and_creates_both_accounts(db, served):
    output = run_demo("--noreload")

    assert Mission.objects.filter(slug="mss").exists()
    assert DeploymentEvent.objects.exists()
    password = PASSWORD_LINE.search(output).group(1)
    editor = authenticate(LOGIN_REQUEST, username="editor", password=password)
    analyst = authenticate(LOGIN_REQUEST, username="analyst", password=password)
    assert editor.is_staff and list(editor.groups.values_list("name", flat=True)) == ["Editors"]
    assert analyst.is_staff and list(analyst.groups.values_list("name", flat=True)) == ["Analysts"]
    assert not editor.is_superuser
    assert len(served) == 1  # and then it serves


def test_a_second_run_keeps_the_passwords_and_says_how_to_reset_them(db, served):
    password = PASSWORD_LINE.search(run_demo("--noreload")).group(1)

    output = run_demo("--noreload")

    assert "password" in output
    assert not PASSWORD_LINE.search(output)
    assert "DEMO_PASSWORD=<new password> uv run manage.py demo" in output
    assert authenticate(LOGIN_REQUEST, username="editor", password=password) is not None
    assert Mission.objects.filter(slug="mss").count() == 1


def test_demo_password_sets_the_password_and_resets_it_on_request(db, served, monkeypatch):
    run_demo("--noreload")
    monkeypatch.setenv("DEMO_PASSWORD", "a long demo password")

    output = run_demo("--noreload")

    assert "password: a long demo password" in output
    assert (
        authenticate(LOGIN_REQUEST, username="analyst", password="a long demo password") is not None
    )


def test_it_passes_the_address_and_options_on_to_runserver(db, served):
    run_demo("--noreload", "127.0.0.1:8123")

    assert served[0]["use_reloader"] is False
    assert served[0]["addrport"] == "127.0.0.1:8123"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


@pytest.mark.slow
def test_it_serves_the_sample_data_and_static_files_on_a_fresh_database(tmp_path):
    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS") and not name.startswith("DJANGO_")
    }
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", DEMO_PASSWORD="demo pass 1")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "demo", "--noreload", f"127.0.0.1:{port}"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _attempt in range(300):
            try:
                home = get(port, "/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("demo did not start serving")

        assert home.status == 200
        assert b"MSS" in home.body
        assert get(port, "/missions/mss/").status == 200
        assert get(port, "/admin/login/").status == 200
        assert get(port, "/static/admin/css/base.css").status == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "Demo accounts editor and analyst, password: demo pass 1" in output
    assert f"Log in at http://127.0.0.1:{port}/admin/" in output
    assert "Task worker: running beside the server" in output
    assert "Second factor: off in the demo" in output


def test_the_demos_task_worker_is_the_one_db_worker_runs_with_its_defaults(settings):
    """demo builds django-tasks-db's Worker itself (the command installs signal handlers,
    which a thread may not): with the command's own defaults, so it works the same queue."""
    from django_tasks_db.management.commands.db_worker import Command as DbWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # production's

    defaults = vars(DbWorker().create_parser("manage.py", "db_worker").parse_args([]))
    worker = demo.task_worker()
    assert worker.queue_names == defaults["queue_name"].split(",")
    assert worker.excluded_queue_names == []
    assert worker.interval == defaults["interval"]
    assert worker.backend_name == defaults["backend_name"]
    assert (worker.batch, worker.max_tasks) == (defaults["batch"], defaults["max_tasks"])
    assert worker.worker_id == f"demo-{os.getpid()}"
