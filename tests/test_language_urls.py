"""Every page in every language: each page pattern answers under `/fr/` and `/ht/` as it does
in English, and the language switcher and the `hreflang` alternates never lead to a 404
(docs/rules.md, "Languages"). Data, feeds and probes stay unprefixed."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import translation

from mss_tracker.dashboards import urls as dashboard_urls

LANGUAGES = ("en", "fr", "ht")
# A value for each URL parameter, naming a page the sample data has.
EXAMPLE = {"slug": "mss", "iso3": "KEN"}
# The unprefixed URLs: the same bytes in every language.
DATA = ("healthz", "favicon", "datapackage", "events-feed", "export-")

ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([\w-]+)" href="http://testserver([^"]*)"')
SWITCHER = re.compile(r'<nav id="languages".*?</nav>', re.DOTALL)
HREF = re.compile(r'href="([^"]*)"')


def _patterns(patterns) -> list[URLPattern]:
    return [p for p in patterns if isinstance(p, URLPattern)]


def page_url(pattern: URLPattern, language: str) -> str:
    with translation.override(language):
        kwargs = {name: EXAMPLE[name] for name in pattern.pattern.converters}
        return reverse(f"dashboards:{pattern.name}", kwargs=kwargs)


def language_links(html: str) -> list[str]:
    switcher = SWITCHER.search(html)
    assert switcher, "no language switcher"
    links = HREF.findall(switcher.group())
    return links + [url for _, url in ALTERNATE.findall(html)]


@pytest.fixture
def client() -> Client:
    return Client()


def test_every_url_is_a_page_or_data():
    pages = {p.name for p in _patterns(dashboard_urls.pages)}
    unprefixed = {p.name for p in _patterns(dashboard_urls.urlpatterns)}
    assert "use-the-data" in pages
    assert [name for name in unprefixed if not name.startswith(DATA)] == []
    assert pages & unprefixed == set()


@pytest.mark.parametrize("pattern", _patterns(dashboard_urls.pages), ids=lambda p: p.name)
def test_every_page_answers_in_every_language_and_links_only_to_pages(
    client, sample_missions, pattern
):
    english = page_url(pattern, "en")
    for language in LANGUAGES:
        url = page_url(pattern, language)
        assert url == (english if language == "en" else f"/{language}{english}")
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == language
        if response["Content-Type"].startswith("text/html"):
            links = language_links(response.text)
            assert sorted(set(links)) == sorted(page_url(pattern, code) for code in LANGUAGES)
            for link in links:
                assert client.get(link).status_code == 200, f"{url} links {link}"


@pytest.mark.parametrize("pattern", _patterns(dashboard_urls.urlpatterns), ids=lambda p: p.name)
def test_data_has_no_language_prefix(client, sample_missions, pattern):
    kwargs = {name: EXAMPLE[name] for name in pattern.pattern.converters}
    url = reverse(f"dashboards:{pattern.name}", kwargs=kwargs)
    assert client.get(url).status_code in (200, 301, 302)
    for language in ("fr", "ht"):
        assert client.get(f"/{language}{url}").status_code == 404


@pytest.mark.parametrize("path", ["/fr/missions/nowhere/", "/ht/nothing-here/", "/nowhere/"])
def test_the_switcher_on_a_missing_page_leads_to_the_home_page(client, sample_missions, path):
    response = client.get(path)
    assert response.status_code == 404
    assert ALTERNATE.findall(response.text) == []  # a missing page has no alternates
    assert language_links(response.text) == ["/", "/fr/", "/ht/"]
