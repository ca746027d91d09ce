"""The changes page and the error report form in a real browser (Chromium, Playwright):
dates typed, the back button, no JavaScript; a report sent with and without JavaScript,
and refused with the field named. axe-core runs on both in test_browser_analyst.py.
`SCREENSHOTS=dir` saves each page at 390 and 1280 px wide into that folder."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect
from test_browser import browser, open_page  # noqa: F401 (fixtures)

# ruff: noqa: F811 (open_page is the imported fixture)
from mss_tracker.tracker.models import DeploymentEvent, ErrorReport

pytestmark = pytest.mark.browser
URL = "/missions/mss/changes/"


def total(page, column: int) -> str:
    return page.locator("#changes-total td").nth(column).inner_text().strip()


def test_typing_the_dates_swaps_the_table_and_pushes_the_address(open_page, sample_missions):
    page = open_page(f"{URL}?from=2024-12-31&to=2025-03-31")
    expect(page.locator(".changes-sentence")).to_contain_text("rose from 465 to 790")
    page.fill("#from", "2024-06-30")
    page.wait_for_url(re.compile(r"from=2024-06-30&to=2025-03-31"))
    expect(page.locator(".changes-sentence")).to_contain_text("rose from 200 to 790")
    assert total(page, 0) == "200"  # deployed at from: Kenya's first 200 arrived on 25 Jun 2024
    page.get_by_role("radio", name="Police").check()
    page.wait_for_url(re.compile(r"type=police"))
    expect(page.locator(".changes-sentence")).to_contain_text("to 620")


def test_the_back_button_restores_the_previous_dates(open_page, sample_missions):
    page = open_page(f"{URL}?from=2024-12-31&to=2025-03-31")
    page.fill("#to", "2025-01-31")
    page.wait_for_url(re.compile(r"to=2025-01-31"))
    expect(page.locator(".changes-sentence")).to_contain_text("to 31 Jan 2025")
    page.go_back()
    page.wait_for_url(re.compile(r"to=2025-03-31"))
    expect(page.locator(".changes-sentence")).to_contain_text("rose from 465 to 790")
    assert page.input_value("#to") == "2025-03-31"


def test_a_count_opens_the_events_it_counts(open_page, sample_missions):
    page = open_page(f"{URL}?from=2024-12-31&to=2025-03-31")
    page.locator("#changes-total td").nth(10).get_by_role("link").click()
    page.wait_for_url(re.compile(r"/events/\?from=2025-01-01&to=2025-03-31"))
    expect(page.locator("li.event")).to_have_count(7)


def test_the_changes_page_works_without_javascript(open_page, sample_missions):
    page = open_page(URL, javascript=False)
    page.fill("#from", "2024-12-31")
    page.fill("#to", "2025-03-31")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"from=2024-12-31&to=2025-03-31"))
    assert "rose from 465 to 790" in page.locator(".changes-sentence").inner_text()
    page.go_back()
    page.wait_for_url(re.compile(r"/changes/$"))


@pytest.mark.parametrize("javascript", [True, False])
def test_a_reader_sends_a_report_from_an_event(open_page, sample_missions, javascript):
    event = DeploymentEvent.objects.filter(mission__slug="mss", country_id="KEN").first()
    page = open_page("/missions/mss/events/?country=KEN", javascript=javascript)
    page.locator(f"#event-{event.pk}").get_by_role("link", name="Report an error").click()
    page.wait_for_url(re.compile(rf"report-an-error/\?id={event.uuid}"))
    page.get_by_role("button", name="Send the report").click()  # empty: refused
    expect(page.locator(".notice-error")).to_contain_text("The report was not sent")
    assert page.get_attribute("#id_message", "aria-invalid") == "true"
    page.fill("#id_message", "The UN said 391.")
    page.fill("#id_source_url", "https://press.un.org/x")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url(re.compile(r"\?sent=1$"))
    expect(page.get_by_role("status").first).to_contain_text("reached the staff")
    report = ErrorReport.objects.get()
    assert report.record_id == event.uuid and report.message == "The UN said 391."


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="SCREENSHOTS=dir to save them")
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("changes", f"{URL}?from=2024-12-31&to=2025-03-31"),
        ("changes-fr", f"/fr{URL}?from=2024-12-31&to=2025-03-31"),
        ("report", "/missions/mss/report-an-error/"),
        ("dashboard-cite", "/missions/mss/?as_of=2025-01-05"),
    ],
)
def test_screenshots(open_page, sample_missions, name, path, width):
    page = open_page(path, width=width)
    for details in page.locator("details.citation").all():
        details.evaluate("element => element.open = true")
    page.screenshot(path=f"{os.environ['SCREENSHOTS']}/{name}-{width}.png", full_page=True)
