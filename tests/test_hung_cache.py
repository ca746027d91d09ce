"""A page cache that does not answer costs a page a quarter of a second at most, once.

A real Redis of the test's own (`redis-server` on a free port), stopped with SIGSTOP: it
accepts connections and never answers, the hang a stopped or swapping Redis gives. The
settings are production's (`CACHE_URL` read by lib/env.py's `envcache`, with its
timeouts); the breaker is dashboards/caching.py's.
"""

from __future__ import annotations

import logging
import shutil
import signal
import socket
import subprocess
import time
from unittest import mock

import pytest
from django.core.cache.backends.redis import RedisCacheClient

from mss_tracker.dashboards import caching
from mss_tracker.lib.env import envcache

pytestmark = pytest.mark.django_db

PAGES = [
    "/missions/mss/",
    "/missions/gsf/",
    "/missions/mss/countries/KEN/",
    "/missions/mss/events/",
    "/missions/mss/export/summary.csv",
    "/",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_server():
    """A redis-server of this test's own, on a free port; yields its process."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    redis = pytest.importorskip("redis")
    port = free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(["redis-server", *options], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_timeout=1)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    process.port = port
    yield process
    process.send_signal(signal.SIGCONT)
    process.terminate()
    process.wait(10)


def production_cache(settings, monkeypatch, port: int) -> None:
    monkeypatch.setenv("CACHE_URL", f"redis://127.0.0.1:{port}/0")
    settings.CACHES = {"default": envcache("CACHE_URL", timeout=settings.CACHE_TIMEOUT_MS / 1000)}
    settings.DASHBOARD_CACHE_SECONDS = 3600


@pytest.fixture
def redis_calls():
    """How many times the page cache has asked Redis for a connection (one per call)."""
    calls = []
    original = RedisCacheClient.get_client

    def counted(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    with mock.patch.object(RedisCacheClient, "get_client", counted):
        yield calls


def cache_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == caching.__name__]


def test_a_hung_redis_is_asked_once_then_left_alone(
    settings, monkeypatch, redis_server, redis_calls, client, sample_missions, caplog
):
    production_cache(settings, monkeypatch, redis_server.port)
    assert client.get(PAGES[0])["X-Page-Cache"] == "miss"
    assert client.get(PAGES[0])["X-Page-Cache"] == "hit"
    redis_server.send_signal(signal.SIGSTOP)
    redis_calls.clear()
    caplog.set_level(logging.WARNING, logger=caching.__name__)

    started = time.monotonic()
    first = client.get(PAGES[0])
    first_took = time.monotonic() - started
    assert first.status_code == 200 and first["X-Page-Cache"] == "unavailable"
    assert first_took < 1  # one read that gave up after CACHE_TIMEOUT_MS (250 ms)
    assert len(redis_calls) == 1  # the lookup; the page was not offered to a cache that failed

    for _ in range(3):
        for page in PAGES:
            response = client.get(page)
            assert response.status_code == 200
            assert response["X-Page-Cache"] == "unavailable"
    assert len(redis_calls) == 1  # 18 pages computed afresh, Redis never asked
    healthz = client.get("/healthz")
    assert healthz.content == b"ok" and healthz["X-Page-Cache"] == "unavailable"
    assert len(cache_warnings(caplog)) == 1
    assert "page cache unavailable (TimeoutError" in cache_warnings(caplog)[0]

    settings.CACHE_RETRY_SECONDS = 0  # the retry interval has passed: the next page asks
    assert client.get(PAGES[1])["X-Page-Cache"] == "unavailable"
    assert len(redis_calls) == 2
    assert len(cache_warnings(caplog)) == 1  # still unavailable: nothing more to say

    redis_server.send_signal(signal.SIGCONT)
    assert client.get(PAGES[1])["X-Page-Cache"] == "miss"
    assert client.get(PAGES[1])["X-Page-Cache"] == "hit"
    assert cache_warnings(caplog)[1:] == ["page cache available again"]
    assert "X-Page-Cache" not in client.get("/healthz")


def test_a_refused_connection_is_tried_once_per_retry_interval(
    settings, monkeypatch, redis_calls, client, sample_missions, caplog
):
    production_cache(settings, monkeypatch, free_port())  # nothing listens there
    caplog.set_level(logging.WARNING, logger=caching.__name__)
    for page in PAGES * 2:
        response = client.get(page)
        assert response.status_code == 200 and response["X-Page-Cache"] == "unavailable"
    assert len(redis_calls) == 1
    assert len(cache_warnings(caplog)) == 1
    assert "ConnectionError" in cache_warnings(caplog)[0]


def test_production_settings_give_redis_a_quarter_of_a_second(settings, monkeypatch):
    monkeypatch.setenv("CACHE_URL", "redis://cache.internal:6379/1")
    options = envcache("CACHE_URL", timeout=settings.CACHE_TIMEOUT_MS / 1000)["OPTIONS"]
    assert options == {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
    assert settings.CACHE_RETRY_SECONDS == 30


@pytest.mark.slow  # gunicorn with two sync workers, manage.py
def test_through_gunicorn_healthz_answers_within_a_second_while_redis_hangs(
    redis_server, tmp_path, capfd
):
    from concurrent.futures import ThreadPoolExecutor

    from mss_tracker.bench.app_servers import Browser, gunicorn, prepare, server_environment

    env = server_environment(
        f"sqlite:///{tmp_path / 'hung.sqlite3'}",
        tmp_path / "static",
        CACHE_URL=f"redis://127.0.0.1:{redis_server.port}/0",
    )
    prepare(env)
    with gunicorn(env, workers=2) as url:
        assert Browser(url).get("/missions/mss/").status == 200  # cached while Redis answers
        redis_server.send_signal(signal.SIGSTOP)
        capfd.readouterr()

        def timed(path: str) -> tuple[int, float, str]:
            started = time.monotonic()
            response = Browser(url).get(path)
            return (
                response.status,
                time.monotonic() - started,
                response.headers.get("x-page-cache", ""),
            )

        def reader(pause: float) -> list[tuple[int, float, str]]:
            answers = []
            for page in PAGES * 2:
                answers.append(timed(page))
                time.sleep(pause)
            return answers

        with ThreadPoolExecutor(2) as pool:  # two readers, as many as workers
            loading = [pool.submit(reader, pause) for pause in (0.1, 0.15)]
            probes = []
            while len(probes) < 20:
                probes.append(timed("/healthz"))
                time.sleep(0.05)
            pages = [answer for future in loading for answer in future.result()]
        one_at_a_time = [timed(page) for page in PAGES]
        logged = capfd.readouterr().err

    print(
        "FIGURES",
        max(s for _, s, _ in probes),
        max(s for _, s, _ in one_at_a_time),
        max(s for _, s, _ in pages),
        logged.count("page cache unavailable"),
    )
    assert {status for status, _, _ in pages + probes + one_at_a_time} == {200}
    assert {cache for _, _, cache in pages + one_at_a_time} == {"unavailable"}
    # Not one worker waits on Redis: the probe, queued behind a page at most, and each page
    # alone answer in well under a second (the first one's wait on Redis came before).
    assert max(seconds for _, seconds, _ in probes) < 1
    assert max(seconds for _, seconds, _ in one_at_a_time) < 1
    # Once per worker (each process has its own breaker), never per request.
    assert 1 <= logged.count("page cache unavailable") <= 2
