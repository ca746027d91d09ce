"""The funding section in Chromium: axe finds no WCAG A/AA violation, nothing overflows a
390 px phone, the section prints, and it works without JavaScript."""

from __future__ import annotations

import pytest
from test_browser import browser  # noqa: F401 (the module's Chromium, a fixture)

from mss_tracker.tracker.sample_data import load_sample_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/missions/mss/",
    "/missions/gsf/",
    "/fr/missions/mss/?as_of=2024-12-31",
    "/ht/missions/mss/",
    "/missions/mss/countries/DEU/",
]


@pytest.fixture
def funded(live_server):
    load_sample_data()
    return live_server


@pytest.mark.parametrize("width", [1280, 390])
def test_the_funding_pages_pass_axe_and_fit_the_screen(browser, funded, width):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        for path in PAGES:
            page = context.new_page()
            assert page.goto(funded.url + path).status == 200
            assert page.locator("#funding, #funding-records").first.is_visible()
            results = Axe().run(
                page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}
            )
            assert results.violations_count == 0, (path, results.generate_report())
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, (path, overflow)
            page.close()
    finally:
        context.close()


def test_the_funding_section_prints_and_needs_no_javascript(browser, funded):  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.emulate_media(media="print")
        page.goto(funded.url + "/missions/mss/")
        section = page.locator("#funding")
        assert section.is_visible()
        assert "US$115.0M" in section.inner_text()
        assert page.locator("#funding .chart-wide svg").is_visible()
    finally:
        context.close()
