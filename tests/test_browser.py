"""The dashboards in a real browser: Debian's Chromium driven by Playwright's sync API.

Run with `uv run pytest -m browser`. Without /usr/bin/chromium these tests skip, except
under CI=true, where they fail: CI must run them. `UPDATE_SCREENSHOTS=1` also writes
docs/dashboard.png (the README's screenshot) from the bundled sample data.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures
# are still plain synchronous calls, so Django's async guard must stand down.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DOCS = Path(__file__).resolve().parent.parent / "docs"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server):
    """Open a new page (a fresh context) that fails the test on any console error."""
    contexts, errors = [], []

    def open_page(
        path: str, *, width: int = 1280, height: int = 900, javascript: bool = True, status=200
    ):
        context = browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        # An error page's own status is reported as a console error; nothing else may be.
        expected = f"status of {status}" if status != 200 else None

        def on_console(message) -> None:
            if message.type == "error" and not (expected and expected in message.text):
                errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(str(error)))
        response = page.goto(live_server.url + path)
        assert response.status == status
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == [], f"console errors: {errors}"


def figure(page, name: str) -> str:
    return " ".join(page.locator(f'[data-figure="{name}"]').inner_text().split())


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_changing_the_filters_swaps_the_figures_and_pushes_the_url(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2025-01-05")
    assert figure(page, "deployed") == "633"
    # Mark the heading: a full page load would lose the mark, an HTMX swap keeps it.
    page.evaluate("document.querySelector('h1').dataset.kept = 'yes'")

    page.fill("#as_of", "2024-08-01")
    page.wait_for_url(re.compile(r"as_of=2024-08-01"))
    expect(page.locator('[data-figure="deployed"]')).to_have_text("400")
    assert figure(page, "pledged") == "2,650"

    page.get_by_role("radio", name="Police").check()
    page.wait_for_url(re.compile(r"as_of=2024-08-01&type=police"))
    expect(page.locator('[data-figure="pledged"]')).to_have_text("1,000")
    assert page.evaluate("document.querySelector('h1').dataset.kept") == "yes"

    page.get_by_role("link", name=re.compile(r"^End \(2 Oct 2025\)")).click()
    page.wait_for_url(re.compile(r"as_of=2025-10-02&type=police"))
    expect(page.locator('[data-figure="deployed"]')).to_have_text("620")
    assert page.input_value("#as_of") == "2025-10-02"  # the form follows the quick choice


def test_the_back_button_restores_the_previous_view(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2025-01-05")
    page.fill("#as_of", "2024-08-01")
    page.wait_for_url(re.compile(r"as_of=2024-08-01"))
    expect(page.locator('[data-figure="deployed"]')).to_have_text("400")
    page.go_back()
    page.wait_for_url(re.compile(r"as_of=2025-01-05"))
    expect(page.locator('[data-figure="deployed"]')).to_have_text("633")
    assert page.input_value("#as_of") == "2025-01-05"


def test_sorting_a_column_reorders_the_table(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2025-01-05")
    page.get_by_role("link", name="Pledged", exact=True).click()
    page.wait_for_url(re.compile(r"sort=-pledged"))
    expect(page.locator("tbody tr").first).to_have_id("country-BEN")
    # The swapped-in downloads keep the new sort (tests/test_download_sort.py: their order).
    download = page.get_by_role("link", name=re.compile(r"this table \(summary\.csv\)"))
    expect(download).to_have_attribute("href", re.compile(r"as_of=2025-01-05&sort=-pledged$"))


def test_opening_a_country_shows_its_page(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2025-01-05")
    page.get_by_role("link", name=re.compile("Kenya")).first.click()
    page.wait_for_url(re.compile(r"/missions/mss/countries/KEN/\?as_of=2025-01-05"))
    assert page.locator("h1").inner_text().strip().endswith("Kenya in MSS")
    assert figure(page, "deployed") == "400"
    assert "18 unaccounted for" in page.locator(".discrepancies").inner_text()
    page.fill("#as_of", "2025-10-02")
    expect(page.locator('[data-figure="deployed"]')).to_have_text("616")


def test_it_works_without_javascript(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2025-01-05", javascript=False)
    assert figure(page, "deployed") == "633"
    page.fill("#as_of", "2024-08-01")
    page.get_by_role("radio", name="Police").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"as_of=2024-08-01&type=police"))
    assert figure(page, "pledged") == "1,000"
    page.get_by_role("link", name="Deployed", exact=True).click()
    page.wait_for_url(re.compile(r"sort="))
    page.get_by_role("link", name=re.compile("Kenya")).first.click()
    assert figure(page, "deployed") == "400"


def test_show_more_loads_the_next_events_in_place(open_page, sample_missions):
    from dashboard_data import add_contributors

    add_contributors(sample_missions.mss, sample_missions.source, count=10, events_each=3)
    page = open_page("/missions/mss/events/")
    assert page.locator("li.event").count() == 25
    page.get_by_role("link", name="Show more").click()
    expect(page.locator("li.event")).to_have_count(46)
    assert page.url.endswith("/missions/mss/events/")
    page.select_option("#kind", "strength_report")
    page.wait_for_url(re.compile(r"kind=strength_report"))
    expect(page.locator("li.event")).to_have_count(4)


def test_without_javascript_the_events_page_has_page_links(open_page, sample_missions):
    from dashboard_data import add_contributors

    add_contributors(sample_missions.mss, sample_missions.source, count=10, events_each=3)
    page = open_page("/missions/mss/events/", javascript=False)
    page.get_by_role("link", name="Older →").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator("li.event").count() == 21


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/missions/mss/?as_of=2025-01-05", 200),
        ("/missions/mss/countries/KEN/", 200),
        ("/missions/mss/events/", 200),
        ("/missions/gsf/", 200),
        ("/missions/mss/?as_of=2025-02-30", 400),
        ("/missions/nowhere/", 404),
    ],
)
def test_at_phone_width_nothing_scrolls_sideways(open_page, sample_missions, path, status):
    page = open_page(path, width=390, status=status)
    assert no_horizontal_scroll(page)
    assert page.locator("main h1").count() == 1


def test_it_saves_a_screenshot_of_the_dashboard(open_page, db, tmp_path):
    from mss_tracker.tracker.sample_data import load_sample_data

    load_sample_data()
    page = open_page("/missions/gsf/", height=1700)  # the live mission: the new headline
    page.wait_for_load_state("networkidle")
    target = DOCS / "dashboard.png" if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path / "d.png"
    target.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(target))  # the first screen: figures, table, chart
    assert target.stat().st_size > 10_000
