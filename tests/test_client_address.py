"""Whose address a login comes from, through a real gunicorn in production settings.

The test client can set REMOTE_ADDR to anything; gunicorn sets it from the socket, and
decides itself which X-Forwarded-* headers to believe. So these tests start gunicorn
(on a free port, with the README's production environment) and log in over HTTP as a
client that reaches it directly, and as a proxy on this machine would.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from test_settings import BASE_DIR, free_port, gunicorn_setting, production_environment, run

pytestmark = pytest.mark.slow  # every test here starts manage.py or gunicorn

PASSWORD = "correct horse battery"
LIMIT = 3  # AXES_FAILURE_LIMIT for these servers


@dataclass
class Server:
    port: int

    def request(self, method: str, path: str, body: str | None = None, **headers: str):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        connection.request(
            method, path, body=body, headers={"Host": "tracker.example.org", **headers}
        )
        response = connection.getresponse()
        response.body = response.read()
        connection.close()
        return response

    def log_in(self, username: str, password: str, **headers: str) -> int:
        """POST the admin's login form (with its CSRF token) and return the status."""
        form = self.request("GET", "/admin/login/", **headers)
        cookie = SimpleCookie(form.headers["Set-Cookie"])["csrftoken"].value
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)[1]
        body = urlencode(
            {
                "csrfmiddlewaretoken": token.decode(),
                "username": username,
                "password": password,
                "next": "/admin/",
            }
        )
        response = self.request(
            "POST",
            "/admin/login/?next=/admin/",
            body,
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
                **headers,
            },
        )
        return response.status


@contextmanager
def gunicorn(tmp_path, **variables: str) -> Iterator[Server]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **production_environment(tmp_path),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "SECURE_SSL_REDIRECT": "false",
        "AXES_FAILURE_LIMIT": str(LIMIT),
        **variables,
    }
    for command in (
        ["manage.py", "migrate", "-v0"],
        ["manage.py", "collectstatic", "--noinput", "-v0"],
        [
            "manage.py",
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            f"User.objects.create_user('editor', password={PASSWORD!r}, is_staff=True)",
        ],
    ):
        result = run(command, env)
        assert result.returncode == 0, result.stderr
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn"],
        env=env,
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Server(port)
    try:
        for _attempt in range(200):
            try:
                server.request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start: " + process.stderr.read1().decode())
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_forged_x_forwarded_for_from_a_client_that_is_not_a_proxy_is_ignored(tmp_path):
    """The attack: a new X-Forwarded-For on every attempt, straight to gunicorn."""
    with gunicorn(tmp_path, FORWARDED_ALLOW_IPS="192.0.2.10") as server:  # the proxy is elsewhere
        statuses = [
            server.log_in("editor", "wrong", **{"X-Forwarded-For": f"198.51.100.{attempt}"})
            for attempt in range(LIMIT)
        ]
        locked = server.log_in("editor", PASSWORD, **{"X-Forwarded-For": "198.51.100.99"})

    assert statuses == [200] * (LIMIT - 1) + [429]
    assert locked == 429  # even the right password, from a "new" address


def test_a_client_behind_the_proxy_cannot_lock_out_someone_else_by_forging_their_address(
    tmp_path,
):
    """198.51.100.7 writes the victim's address; the proxy appends the real one after it."""
    with gunicorn(tmp_path, FORWARDED_ALLOW_IPS="127.0.0.1") as server:
        for _attempt in range(LIMIT):
            server.log_in("editor", "wrong", **{"X-Forwarded-For": "203.0.113.5, 198.51.100.7"})
        forger = server.log_in("editor", PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})
        victim = server.log_in("editor", PASSWORD, **{"X-Forwarded-For": "203.0.113.5"})

    assert (forger, victim) == (429, 302)


def test_behind_a_configured_proxy_each_client_is_counted_apart(tmp_path):
    with gunicorn(tmp_path, FORWARDED_ALLOW_IPS="127.0.0.1") as server:
        for _attempt in range(LIMIT):
            server.log_in("editor", "wrong", **{"X-Forwarded-For": "203.0.113.5"})
        attacker = server.log_in("editor", PASSWORD, **{"X-Forwarded-For": "203.0.113.5"})
        colleague = server.log_in("editor", PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})

    assert (attacker, colleague) == (429, 302)


def test_gunicorn_ignores_x_forwarded_proto_unless_use_x_forwarded_proto_is_on(tmp_path):
    https = {"X-Forwarded-Proto": "https"}
    settings = {"FORWARDED_ALLOW_IPS": "127.0.0.1", "SECURE_SSL_REDIRECT": "true"}
    with gunicorn(tmp_path, **settings, USE_X_FORWARDED_PROTO="false") as server:
        off = server.request("GET", "/admin/login/", **https)
    with gunicorn(tmp_path / "on", **settings, USE_X_FORWARDED_PROTO="true") as server:
        on = server.request("GET", "/admin/login/", **https)

    assert off.status == 301  # still plain HTTP to Django: sent to https://
    assert on.status == 200


@pytest.mark.parametrize(
    ("variables", "bind"),
    [
        ({}, "0.0.0.0:8000"),  # no proxy: clients connect directly
        ({"FORWARDED_ALLOW_IPS": "127.0.0.1"}, "127.0.0.1:8000"),  # only the proxy may
        ({"FORWARDED_ALLOW_IPS": "127.0.0.1", "PORT": "9000"}, "127.0.0.1:9000"),
        ({"FORWARDED_ALLOW_IPS": "10.0.0.2", "BIND": "10.0.0.5:8000"}, "10.0.0.5:8000"),
    ],
)
def test_gunicorn_listens_on_the_loopback_only_when_a_proxy_is_configured(variables, bind):
    assert gunicorn_setting("bind", **variables) == bind


def test_gunicorn_and_django_trust_the_same_proxies():
    assert gunicorn_setting("forwarded_allow_ips", FORWARDED_ALLOW_IPS="") == ""
    assert (
        gunicorn_setting("forwarded_allow_ips", FORWARDED_ALLOW_IPS="127.0.0.1, 10.0.0.0/8")
        == "127.0.0.1/32,10.0.0.0/8"
    )
