"""The data version and the dashboard cache: every write bumps it, no page is ever stale."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.csv.spec import EVENT_COLUMNS
from mss_tracker.tracker.data_version import current_data_version
from mss_tracker.tracker.models import Country, DeploymentEvent, Mission, Pledge, Source

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def page_cache(settings):
    """Cache on, as in production (off by default in the test suite)."""
    settings.DASHBOARD_CACHE_SECONDS = 3600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def deployed(mission, source, kenya) -> DeploymentEvent:
    Pledge.objects.create(
        mission=mission,
        country=kenya,
        personnel_type="police",
        date=D(2024, 1, 1),
        personnel=1000,
        source=source,
    )
    return DeploymentEvent.objects.create(
        mission=mission,
        country=kenya,
        kind="arrival",
        personnel_type="police",
        date=D(2024, 6, 25),
        personnel=400,
        source=source,
    )


def summary(client) -> str:
    response = client.get(reverse("dashboards:export-summary", args=["mss"]))
    assert response.status_code == 200
    return response.content.decode()


def dashboard(client, **headers) -> str:
    response = client.get(reverse("dashboards:mission", args=["mss"]), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def _arrival(mission, source, **changes) -> DeploymentEvent:
    fields = {
        "mission": mission,
        "country_id": "KEN",
        "kind": "arrival",
        "personnel_type": "police",
        "date": D(2024, 7, 1),
        "personnel": 11,
        "source": source,
    } | changes
    return DeploymentEvent.objects.create(**fields)


def _import_arrival(mission, source) -> None:
    header = ",".join(column for column in EVENT_COLUMNS if column != "id")  # an older file
    row = "2024-07-02,day,mss,KEN,,arrival,police,13,false,UN News,Briefing,,,"
    result = import_csv("events", f"{header}\n{row}\n".encode())
    assert result.ok, result.errors


WRITES = {
    "event created": lambda m, s, e: _arrival(m, s),
    "event changed": lambda m, s, e: (setattr(e, "personnel", 450), e.save()),
    "event deleted": lambda m, s, e: e.delete(),
    "events deleted by queryset": lambda m, s, e: DeploymentEvent.objects.all().delete(),
    "events updated by queryset": lambda m, s, e: DeploymentEvent.objects.update(disputed=True),
    "events bulk-created": lambda m, s, e: DeploymentEvent.objects.bulk_create(
        [
            DeploymentEvent(
                mission=m,
                country_id="KEN",
                kind="strength_report",
                personnel_type="military",
                date=D(2024, 7, 3),
                personnel=0,
                source=s,
            )
        ]
    ),
    "events imported from CSV": lambda m, s, e: _import_arrival(m, s),
    "pledge changed": lambda m, s, e: Pledge.objects.update(personnel=1200),
    "pledge deleted": lambda m, s, e: Pledge.objects.all().delete(),
    "mission renamed": lambda m, s, e: Mission.objects.filter(pk=m.pk).update(acronym="MSS2"),
    "source renamed": lambda m, s, e: Source.objects.update(publisher="Reuters"),
    "country renamed": lambda m, s, e: Country.objects.filter(pk="KEN").update(name="Kenia"),
    "raw SQL": lambda m, s, e: connection.cursor().execute(
        "UPDATE tracker_deploymentevent SET notes = 'fixed by hand'"
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_bumps_the_data_version(mission, source, deployed, write):
    before = current_data_version()
    write(mission, source, deployed)
    assert current_data_version() > before


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_no_page_is_served_stale_after_a_write(client, mission, source, deployed, write):
    summary_before, dashboard_before = summary(client), dashboard(client)
    assert summary(client) == summary_before  # served from the cache
    write(mission, source, deployed)
    assert summary(client) != summary_before or dashboard(client) != dashboard_before


def test_the_summary_follows_a_new_event(client, mission, source, deployed):
    assert "400" in summary(client).splitlines()[1]
    _arrival(mission, source, personnel=100)
    assert summary(client).splitlines()[1].split(",")[5] == "500"


def test_a_cached_page_costs_one_query(client, mission, deployed):
    first = dashboard(client)
    with CaptureQueriesContext(connection) as queries:
        second = dashboard(client)
    assert len(queries) == 1  # the data version
    assert second == first


def test_htmx_and_plain_requests_are_cached_apart(client, mission, deployed):
    page = dashboard(client)
    fragment = dashboard(client, **{"HX-Request": "true"})
    assert fragment != page
    assert "<html" in dashboard(client) and "<html" not in fragment
    restored = dashboard(client, **{"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restored


def test_query_strings_are_cached_apart(client, mission, deployed):
    url = reverse("dashboards:export-summary", args=["mss"])
    before = client.get(url, {"as_of": "2024-06-24"}).content.decode()
    after = client.get(url, {"as_of": "2024-06-25"}).content.decode()
    assert before != after


def test_bad_parameters_and_missing_pages_are_not_cached(client, mission, deployed):
    url = reverse("dashboards:mission", args=["mss"])
    assert client.get(url, {"as_of": "yesterday"}).status_code == 400
    assert client.get(reverse("dashboards:mission", args=["nope"])).status_code == 404
    Mission.objects.filter(pk=mission.pk).update(slug="nope")
    assert client.get(reverse("dashboards:mission", args=["nope"])).status_code == 200


def test_a_cached_page_never_carries_another_readers_csrf_token(mission, deployed):
    from django.test import Client

    first, second = Client(), Client()
    first.cookies["csrftoken"] = "A" * 32
    page = first.get(reverse("dashboards:mission", args=["mss"]))
    assert "csrftoken" not in page.cookies  # the reader's own cookie is left alone
    second.cookies["csrftoken"] = "B" * 32
    cached = second.get(reverse("dashboards:mission", args=["mss"]))
    assert cached.content == page.content
    from django.middleware.csrf import _unmask_cipher_token

    token = page.content.decode().split('"x-csrftoken": "')[1].split('"')[0]
    assert _unmask_cipher_token(token) not in ("A" * 32, "B" * 32)


def test_caching_is_off_when_the_setting_is_zero(client, settings, mission, deployed):
    settings.DASHBOARD_CACHE_SECONDS = 0
    dashboard(client)
    with CaptureQueriesContext(connection) as queries:
        dashboard(client)
    assert len(queries) > 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_version_is_never_reused(mission, source, deployed):
    before = current_data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        _arrival(mission, source)
        rolled_back = current_data_version()
        raise RuntimeError
    assert current_data_version() == before
    _arrival(mission, source, personnel=12)
    assert current_data_version() not in (before, rolled_back)


def test_readers_who_accept_gzip_get_the_same_page_gzipped(client, mission, deployed):
    import gzip

    plain = dashboard(client)
    for _ in range(2):  # filled by the plain request, then served from the cache
        response = client.get(
            reverse("dashboards:mission", args=["mss"]), headers={"Accept-Encoding": "gzip"}
        )
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"] and "HX-Request" in response["Vary"]
        assert gzip.decompress(response.content).decode() == plain
    assert int(response["Content-Length"]) == len(response.content) < len(plain) / 3


def test_a_cached_page_has_no_inline_script_or_style_that_would_need_its_nonce(
    client, mission, deployed
):
    import re

    dashboard(client)
    response = client.get(reverse("dashboards:mission", args=["mss"]))  # a hit
    html = response.content.decode()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert "<style" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite drops a rebuilt table's triggers")
def test_every_tracker_table_keeps_its_triggers_after_migrations_rebuild_tables(db):
    """Later migrations rebuild tables on SQLite (a NOT NULL column, a changed constraint),
    which drops their triggers; post_migrate puts them back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tbl_name, count(*) FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE '%bumps_data_version' GROUP BY tbl_name"
        )
        triggers = dict(cursor.fetchall())
    tables = ["mission", "country", "source", "pledge", "deploymentevent", "fundingrecord"]
    assert triggers == {f"tracker_{table}": 3 for table in tables}
