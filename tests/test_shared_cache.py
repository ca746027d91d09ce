"""CACHE_URL: the page cache in one Redis database, shared by every server, never stale.

Needs the Redis server CI runs on 127.0.0.1:6379 (`.ci/run` starts it); these tests use
databases 12 and 14 and skip, saying so, when no Redis answers there.
"""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
from django.core.cache import caches
from django.urls import reverse

from mss_tracker.bench.app_servers import Browser, manage, prepare, server_environment, servers

REDIS_URL = "redis://127.0.0.1:6379/12"
# The two gunicorns' keys have no prefix, so their test counts and empties a whole database:
# one of its own (test_two_servers.py has 13).
SERVERS_REDIS_URL = "redis://127.0.0.1:6379/14"


def _redis(url: str):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(
            "no Redis on 127.0.0.1:6379 (start one: redis-server --daemonize yes "
            "--bind 127.0.0.1 --port 6379 --save '' --appendonly no; .ci/run does)"
        )
    return client


@pytest.fixture
def redis_db():
    return _redis(REDIS_URL)


@pytest.fixture
def redis_page_cache(settings, redis_db):
    """The page cache in Redis, its keys under a prefix of their own: another run of the
    suite on the same Redis (another checkout on this machine) neither counts nor empties
    them. Yields the cache's keys, as a function."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.DASHBOARD_CACHE_SECONDS = 3600
    yield lambda: list(redis_db.scan_iter(f"{prefix}:*"))
    caches["default"].close()
    for key in redis_db.scan_iter(f"{prefix}:*"):
        redis_db.delete(key)


def test_with_cache_url_pages_are_kept_in_redis(redis_page_cache, sample_missions, client):
    url = reverse("dashboards:mission", args=["mss"])
    first = client.get(url)

    assert len(redis_page_cache()) == 2  # the page, plain and gzipped
    second = client.get(url)
    assert second.content == first.content


def test_a_thousand_unknown_parameters_add_no_key_to_redis(
    redis_page_cache, sample_missions, client
):
    url = reverse("dashboards:mission", args=["mss"])
    first = client.get(url)
    one_request = len(redis_page_cache())
    for number in range(1000):
        response = client.get(url, {f"utm_{number}": "x", "as_of": "", "type": "all"})
        assert response.status_code == 200
    assert len(redis_page_cache()) == one_request == 2
    assert client.get(url, {"type": "police"}).content != first.content
    assert len(redis_page_cache()) == 4


def test_a_redis_that_does_not_answer_costs_the_cache_not_the_page(
    settings, sample_missions, client
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    settings.DASHBOARD_CACHE_SECONDS = 3600

    response = client.get(reverse("dashboards:mission", args=["mss"]))

    assert response.status_code == 200
    assert "MSS" in response.content.decode()


def deployed_police(browser: Browser, country: str) -> int:
    response = browser.get("/missions/gsf/export/summary.csv?type=police")
    assert response.status == 200
    rows = {row["country_iso3"]: row for row in csv.DictReader(io.StringIO(response.text))}
    return int(rows[country]["deployed"])


SETUP = """
import json
from django.contrib.auth.models import Group, User
from mss_tracker.tracker.models import Country, Mission, Source
user = User.objects.create_user("editor", password="two servers one truth", is_staff=True)
user.groups.add(Group.objects.get(name="Editors"))
print(json.dumps({
    "mission": Mission.objects.get(slug="gsf").pk,
    "country": Country.objects.get(iso3="KEN").pk,
    "source": Source.objects.order_by("pk").first().pk,
}))
"""


@pytest.mark.slow  # two gunicorns and manage.py
def test_a_write_through_one_server_is_visible_at_once_through_another(tmp_path):
    redis_db = _redis(SERVERS_REDIS_URL)
    redis_db.flushdb()
    env = server_environment(
        f"sqlite:///{tmp_path / 'shared.sqlite3'}", tmp_path / "static", CACHE_URL=SERVERS_REDIS_URL
    )
    prepare(env)
    ids = json.loads(manage(env, "shell", "-v0", "-c", SETUP).splitlines()[-1])

    with servers(env, count=2, workers=1) as (first_url, second_url):
        first, second = Browser(first_url), Browser(second_url)
        before = deployed_police(first, "KEN")
        keys = redis_db.dbsize()
        assert keys > 0
        assert deployed_police(second, "KEN") == before
        assert redis_db.dbsize() == keys  # the second server answered from the first's entry

        first.log_in("editor", "two servers one truth")
        response = first.post(
            "/admin/tracker/deploymentevent/add/",
            {
                "mission": str(ids["mission"]),
                "country": str(ids["country"]),
                "date": "2025-12-11",  # after the sample's last Kenyan headcount
                "date_precision": "day",
                "kind": "arrival",
                "personnel_type": "police",
                "personnel": "50",
                "source": str(ids["source"]),
                "notes": "",
            },
        )
        assert response.status == 302, response.text[:3000]

        assert deployed_police(second, "KEN") == before + 50
        assert deployed_police(first, "KEN") == before + 50
