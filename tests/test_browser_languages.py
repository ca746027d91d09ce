"""The pages in French and Haitian Creole in a real browser: the language switcher keeps
the view and its filters, HTMX swaps stay in the page's language, and the phone layout
holds with the longer French labels.

Run with `uv run pytest -m browser`; the fixtures are those of tests/test_browser.py.
`UPDATE_SCREENSHOTS=1` also writes docs/dashboard-fr.png (the README's French screenshot).
"""

from __future__ import annotations

import os
import re

import pytest
import test_browser
from playwright.sync_api import expect
from test_browser import DOCS, no_horizontal_scroll

pytestmark = pytest.mark.browser
# The same browser and pages as tests/test_browser.py (fixtures are found by name).
browser = test_browser.browser
open_page = test_browser.open_page
NBSP = "\xa0"


def test_switching_language_on_a_filtered_view_keeps_the_filters(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2025-01-05")
    page.get_by_role("radio", name="Police").check()
    page.wait_for_url(re.compile(r"/missions/mss/\?as_of=2025-01-05&type=police$"))
    expect(page.locator('[data-figure="pledged"]')).to_have_text("1,030")

    # The switcher follows the HTMX swap: it links to the filtered view, not the first one.
    page.get_by_role("link", name="Français").click()
    page.wait_for_url(re.compile(r"/fr/missions/mss/\?as_of=2025-01-05&type=police$"))
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.locator('[data-figure="pledged"]')).to_have_text(f"1{NBSP}030")
    assert page.locator('input[name="type"][value="police"]').is_checked()
    assert page.input_value("#as_of") == "2025-01-05"
    expect(page.locator("p.as-of").first).to_contain_text("policiers uniquement")

    # An HTMX swap on the French page answers in French and keeps the switcher current.
    page.get_by_role("radio", name="Militaires").check()
    page.wait_for_url(re.compile(r"/fr/missions/mss/\?as_of=2025-01-05&type=military$"))
    expect(page.locator("p.as-of").first).to_contain_text("militaires uniquement")
    expect(page.locator("h2#chart-heading")).to_have_text("Évolution des effectifs")
    page.get_by_role("link", name="Kreyòl ayisyen").click()
    page.wait_for_url(re.compile(r"/ht/missions/mss/\?as_of=2025-01-05&type=military$"))
    assert page.locator("html").get_attribute("lang") == "ht"
    expect(page.locator("p.as-of").first).to_contain_text("militè sèlman")

    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/missions/mss/\?as_of=2025-01-05&type=military$"))
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_events_filters_survive_a_change_of_language(open_page, sample_missions):
    page = open_page("/fr/missions/mss/events/")
    page.select_option("#kind", "arrival")
    page.wait_for_url(re.compile(r"/fr/missions/mss/events/\?kind=arrival$"))
    page.select_option("#country", "KEN")
    page.wait_for_url(re.compile(r"kind=arrival&country=KEN|country=KEN&kind=arrival"))
    expect(page.locator("li.event").first).to_contain_text("Arrivée")
    page.get_by_role("link", name="Kreyòl ayisyen").click()
    page.wait_for_url(re.compile(r"/ht/missions/mss/events/\?.*kind=arrival"))
    assert "country=KEN" in page.url
    assert page.locator("#kind").input_value() == "arrival"
    assert page.locator("#country").input_value() == "KEN"
    expect(page.locator("li.event").first).to_contain_text("Rive")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/fr/", 200),
        ("/fr/missions/mss/?as_of=2025-01-05", 200),
        ("/fr/missions/mss/?as_of=2025-01-05&type=police&sort=-gap", 200),
        ("/fr/missions/mss/countries/KEN/", 200),
        ("/fr/missions/mss/countries/JAM/", 200),
        ("/fr/missions/mss/events/", 200),
        ("/fr/missions/gsf/", 200),
        ("/ht/missions/mss/?as_of=2025-01-05", 200),
        ("/ht/missions/mss/countries/KEN/", 200),
        ("/ht/missions/mss/events/", 200),
        ("/fr/use-the-data/", 200),
        ("/ht/use-the-data/", 200),
        ("/fr/missions/mss/?as_of=2025-02-30", 400),
        ("/fr/missions/nowhere/", 404),
    ],
)
def test_at_phone_width_the_translated_pages_do_not_scroll_sideways(
    open_page, sample_missions, path, status
):
    page = open_page(path, width=390, status=status)
    assert no_horizontal_scroll(page)
    assert page.locator("main h1").count() == 1


def test_it_saves_a_screenshot_of_the_french_dashboard(open_page, db, tmp_path):
    from mss_tracker.tracker.sample_data import load_sample_data

    load_sample_data()
    page = open_page("/fr/missions/mss/", height=1480)
    page.wait_for_load_state("networkidle")
    expect(page.locator("h2#chart-heading")).to_have_text("Évolution des effectifs")
    name = "dashboard-fr.png"
    target = DOCS / name if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path / name
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
