"""In Chromium: a chart's points are reached by keyboard and show their figure on focus
(CSS only, within the site's Content Security Policy), and the table beside the chart
opens without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_browser import browser  # noqa: F401 (the module's Chromium, a fixture)
from test_browser_analyst import open_page  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def test_a_chart_point_shows_its_figure_on_focus(open_page, sample_missions):  # noqa: F811
    page = open_page("/missions/mss/?as_of=2025-10-02")
    points = page.locator("#chart-heading ~ figure .chart-wide .chart-point")
    assert points.count() > 3
    point = points.nth(2)
    label = point.locator(".chart-point-label")
    expect(label).to_be_hidden()
    point.focus()
    expect(label).to_be_visible()
    assert label.text_content() == point.get_attribute("aria-label")
    page.keyboard.press("Tab")
    expect(label).to_be_hidden()
    expect(points.nth(3).locator(".chart-point-label")).to_be_visible()


def test_the_charts_table_opens_without_javascript(browser, live_server, sample_missions):  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/missions/mss/?as_of=2025-10-02")
    table = page.locator("#chart-heading ~ figure .chart-table")
    expect(table.locator("table")).to_be_hidden()
    table.locator("summary").click()
    expect(table.locator("table")).to_be_visible()
    assert table.locator("tbody tr").count() > 3
    context.close()
