"""The page cache's keys: one per different answer, however many addresses reach it.

Every cached view keys on the parameters it reads, in their normal form
(dashboards/caching.py): parameters it does not read make no key, and a cached answer is
the answer the view gives without the cache, for every parameter it does read.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.urls import URLResolver, get_resolver

from mss_tracker.dashboards import views

pytestmark = pytest.mark.django_db

# Every cached view, with an address of it that answers 200 on the sample missions.
CACHED = {
    "dashboards:index": "/",
    "dashboards:mission": "/missions/mss/",
    "dashboards:mission-chart": "/missions/mss/chart.svg",
    "dashboards:funding-chart": "/missions/mss/funding.svg",
    "dashboards:events": "/missions/mss/events/",
    "dashboards:changes": "/missions/mss/changes/",
    "dashboards:country": "/missions/mss/countries/KEN/",
    "dashboards:country-chart": "/missions/mss/countries/KEN/chart.svg",
    "dashboards:export-summary": "/missions/mss/export/summary.csv",
    "dashboards:export-summary-json": "/missions/mss/export/summary.json",
    "dashboards:export-changes": "/missions/mss/export/changes.csv",
    "dashboards:export-changes-json": "/missions/mss/export/changes.json",
    "dashboards:export-funding-summary": "/missions/mss/export/funding_summary.csv",
    "dashboards:export-funding-summary-json": "/missions/mss/export/funding_summary.json",
}

# Values of every parameter any page reads, each different from the default.
VARIANTS = [
    {"as_of": "2024-09-30"},
    {"as_of": "2025-01-10", "type": "military"},
    {"type": "police"},
    {"type": "Police "},  # the same answer as type=police
    {"country": "KEN"},
    {"country": "jam"},
    {"kind": "arrival"},
    {"from": "2024-07-01"},
    {"from": "2024-07-01", "to": "2025-01-05"},
    {"to": "2025-02-01"},
    {"sort": "pledged"},
    {"sort": "-country"},
    {"page": "2"},
    {"page": "02"},
    {"cited": "2024-01-01"},
    {"bom": "1"},
]
HTMX = [
    {},
    {"HX-Request": "true"},
    {"HX-Request": "true", "HX-Trigger": "filters"},
    {"HX-Request": "true", "HX-Target": "show-more"},
    {"HX-Request": "true", "HX-History-Restore-Request": "true"},
]


@pytest.fixture
def page_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "page-cache-keys",
        }
    }
    settings.DASHBOARD_CACHE_SECONDS = 3600
    store = caches["default"]
    store.clear()
    yield store
    store.clear()


def keys(store) -> int:
    return len(store._cache)  # LocMemCache's dict of entries


def body(response) -> bytes:
    """The answer's bytes, less what differs between two computations of one page: a page
    computed without the cache carries a fresh CSRF token and CSP nonce each time, and its
    language links repeat the query as written (the cache's view sees it in normal form,
    `test_language_links_carry_the_normal_form`)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    content = re.sub(rb'"x-csrftoken": "[^"]*"', b'"x-csrftoken": ""', content)
    content = re.sub(rb' nonce="[^"]*"', b"", content)
    content = re.sub(rb'href="[^"]*"( hreflang=)', rb'href=""\1', content)
    return re.sub(rb'(hreflang="[a-z-]+" href=)"[^"]*"', rb'\1""', content)


def cached_views() -> dict[str, object]:
    """Every view of the URLconf that the page cache serves, by URL name."""
    found = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif hasattr(getattr(pattern, "callback", None), "page_cache_readers"):
                found[f"{namespace}:{pattern.name}"] = pattern.callback

    walk(get_resolver().url_patterns, None)
    return found


def test_every_cached_view_is_checked_here():
    assert set(cached_views()) == set(CACHED)


@pytest.mark.parametrize("name", CACHED)
def test_unknown_parameters_make_no_key(page_cache, sample_missions, client, name):
    url = CACHED[name]
    first = client.get(url)
    assert first.status_code == 200
    one_request = keys(page_cache)
    assert one_request == 2  # the answer, plain and gzipped
    for number in range(1000 if name == "dashboards:mission" else 20):
        response = client.get(url, {f"utm_{number}": "newsletter", "fbclid": str(number)})
        assert response.status_code == 200
        assert body(response) == body(first)
    assert keys(page_cache) == one_request


def test_the_order_and_spelling_of_parameters_make_no_key(page_cache, sample_missions, client):
    first = client.get("/missions/mss/?as_of=2025-01-10&type=police&sort=-deployed")
    for query in ("type=Police&as_of=2025-01-10", "as_of=%202025-01-10&type=POLICE&sort="):
        assert client.get(f"/missions/mss/?{query}").content == first.content
    assert keys(page_cache) == 2


def test_a_bad_parameter_makes_no_key(page_cache, sample_missions, client):
    for value in range(50):
        assert client.get("/missions/mss/", {"as_of": f"yesterday {value}"}).status_code == 400
        assert client.get("/missions/mss/events/", {"page": str(1000 + value)}).status_code == 400
    assert keys(page_cache) == 0


def test_a_page_larger_than_the_limit_is_served_but_not_kept(
    page_cache, settings, sample_missions, client
):
    settings.DASHBOARD_CACHE_MAX_BYTES = 1000
    assert client.get("/missions/mss/").status_code == 200
    assert client.get("/missions/mss/export/summary.csv").status_code == 200  # a small one
    assert keys(page_cache) == 2


@pytest.mark.parametrize("name", CACHED)
def test_every_parameter_a_view_reads_gets_its_own_answer(
    page_cache, settings, sample_missions, client, monkeypatch, name
):
    """Each request answered with the cache on (its entry filled by an earlier request with
    another key, or by itself) is the answer computed without the cache."""
    monkeypatch.setattr(views, "EVENTS_PER_PAGE", 5)  # so that the events have a page 2
    requests = [(variant, {}) for variant in VARIANTS]
    requests += [(variant, headers) for variant in ({}, {"type": "police"}) for headers in HTMX]

    def answers():
        return [client.get(CACHED[name], variant, headers=headers) for variant, headers in requests]

    with_cache, again = answers(), answers()
    settings.DASHBOARD_CACHE_SECONDS = 0
    without_cache = answers()
    answered = 0
    for (variant, headers), cached, hit, computed in zip(
        requests, with_cache, again, without_cache, strict=True
    ):
        assert cached.status_code == hit.status_code == computed.status_code, (variant, headers)
        assert body(hit) == body(computed), (variant, headers)
        answered += computed.status_code == 200
    assert answered > len(HTMX)  # some of the parameters apply


def test_different_values_make_different_pages(page_cache, sample_missions, client):
    pages = {
        client.get("/missions/mss/", variant).content
        for variant in ({}, {"as_of": "2024-09-30"}, {"type": "police"}, {"sort": "pledged"})
    }
    assert len(pages) == 4
    assert keys(page_cache) == 8


def test_a_language_prefix_has_its_own_key(page_cache, sample_missions, client):
    english = client.get("/missions/mss/").content
    french = client.get("/fr/missions/mss/").content
    assert english != french
    assert client.get("/missions/mss/").content == english
    assert keys(page_cache) == 4


def test_language_links_carry_the_normal_form(page_cache, sample_missions, client):
    html = client.get("/missions/mss/?type=Police%20&utm_source=x&as_of=2025-01-10").content
    assert b'href="/fr/missions/mss/?as_of=2025-01-10&amp;type=police"' in html
    assert b"utm_source" not in html
