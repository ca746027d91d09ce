"""The analyst's pages in a real browser (Debian's Chromium, as tests/test_browser.py): a
date typed digit by digit, focus after every swap, the live region, print, and axe-core.

axe-core comes from the `axe-playwright-python` development dependency and is injected by
the test through the DevTools protocol, which the page's Content Security Policy does not
govern: production keeps its strict policy and loads no third-party script.
"""

from __future__ import annotations

import io
import re
import unicodedata
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from test_browser import browser  # noqa: F401 (the module's Chromium, a fixture)

pytestmark = pytest.mark.browser

DATE_PARAMETERS = ("as_of", "from", "to")


@pytest.fixture
def open_page(browser, live_server):  # noqa: F811 (browser is the imported fixture)
    """Open a page in a fresh context (a locale, a width) that records the dashboards'
    requests in `page.requests` and fails the test on any console error."""
    contexts, errors = [], []

    def open_page(
        path: str,
        *,
        width: int = 1366,
        height: int = 900,
        locale: str = "en-US",
        status: int = 200,
    ):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.requests = []
        page.on(
            "request",
            lambda request: (
                page.requests.append(request.url) if "/missions/" in request.url else None
            ),
        )
        expected = f"status of {status}" if status != 200 else None

        def on_console(message) -> None:
            if message.type == "error" and not (expected and expected in message.text):
                errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(str(error)))
        response = page.goto(live_server.url + path)
        assert response.status == status
        page.requests.clear()
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == [], f"console errors: {errors}"


def dates_requested(page) -> list[str]:
    """Every date parameter the page has asked the server for since it was opened."""
    return [
        value
        for url in page.requests
        for name, values in parse_qs(urlparse(url).query).items()
        if name in DATE_PARAMETERS
        for value in values
    ]


def click_first_part(page, selector: str) -> None:
    """Click the first part of a date field (the month in en-US, the day in en-GB)."""
    box = page.locator(selector).bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + box["height"] / 2)


def expect_swap(page):
    """A promise, in the page, that resolves once the next HTMX swap has settled."""
    page.evaluate(
        """() => { window.settled = new Promise((resolve) => document.addEventListener(
            'htmx:afterSettle', () => setTimeout(resolve, 50), {once: true})); }"""
    )


def wait_for_swap(page) -> None:
    page.evaluate("window.settled")


def active_id(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


# Typing a date -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/missions/mss/?as_of=2024-08-01", "#as_of"),
        ("/missions/mss/countries/KEN/?as_of=2024-08-01", "#as_of"),
        ("/missions/mss/events/", "#from"),
    ],
)
def test_a_date_typed_digit_by_digit_is_sent_once_whole(open_page, sample_missions, path, field):
    page = open_page(path)
    click_first_part(page, field)
    for digit in "01042025":  # 01/04/2025 in en-US: 4 Jan 2025
        page.keyboard.type(digit)
        page.wait_for_timeout(60)
    name = field.lstrip("#")
    page.wait_for_url(re.compile(rf"{name}=2025-01-04"))
    expect(page.locator("#announcer")).not_to_be_empty()
    assert dates_requested(page) == ["2025-01-04"]  # nothing in between, no year 0002
    assert active_id(page) == name  # the field was not redrawn under the typing
    assert page.input_value(field) == "2025-01-04"
    if name == "as_of":
        expect(page.locator(".as-of").first).to_contain_text("Figures as of 4 Jan 2025")
        assert page.locator("#announcer").inner_text().startswith("As of 4 Jan 2025: ")


def test_a_typed_day_alone_waits_for_enter(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2025-01-05")
    click_first_part(page, "#as_of")
    page.keyboard.press("Tab")  # the day, in en-US
    page.keyboard.type("04")
    page.wait_for_timeout(400)
    assert page.requests == []  # a day typed is not yet a date chosen
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"as_of=2025-01-04"))
    assert dates_requested(page) == ["2025-01-04"]


def test_a_partial_date_leaves_the_page_and_says_why(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2024-08-01")
    before = page.locator("#results").inner_html()
    click_first_part(page, "#as_of")
    page.keyboard.type("0104202")  # year 0202
    page.locator("#type-all").focus()  # leave the field
    expect(page.locator("#as_of-hint")).to_have_text("Type a four-digit year from 1900 to 2100.")
    assert page.locator("#as_of").get_attribute("aria-invalid") == "true"
    click_first_part(page, "#as_of")
    page.keyboard.press("Backspace")  # the month cleared: no date at all
    page.keyboard.press("Enter")
    expect(page.locator("#as_of-hint")).to_have_text(
        "Type the whole date: day, month and a four-digit year."
    )
    page.get_by_role("button", name="Show").click()
    page.wait_for_timeout(300)
    assert page.requests == []
    assert page.url.endswith("?as_of=2024-08-01")
    assert page.locator("#results").inner_html() == before
    assert active_id(page) == "as_of"


def test_to_before_from_is_held_back(open_page, sample_missions):
    page = open_page("/missions/mss/events/?from=2025-01-04")
    click_first_part(page, "#to")
    page.keyboard.type("01032025")
    expect(page.locator("#to-hint")).to_have_text("This date is before the From date.")
    assert page.requests == []


def test_a_pasted_iso_date_is_sent(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2024-08-01")
    page.evaluate("navigator.clipboard.writeText('2025-01-04')")
    click_first_part(page, "#as_of")
    page.keyboard.press("Control+V")
    page.wait_for_url(re.compile(r"as_of=2025-01-04"))
    assert dates_requested(page) == ["2025-01-04"]
    assert page.input_value("#as_of") == "2025-01-04"


def test_a_date_picked_in_the_calendar_is_sent_at_once(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2024-08-01")
    page.fill("#as_of", "2025-01-04")  # what the picker does: one whole value, one change
    page.wait_for_url(re.compile(r"as_of=2025-01-04"))
    assert dates_requested(page) == ["2025-01-04"]


def test_back_restores_the_typed_date_of_each_step(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2024-08-01")
    click_first_part(page, "#as_of")
    page.keyboard.type("01042025")
    page.wait_for_url(re.compile(r"as_of=2025-01-04"))
    page.get_by_role("radio", name="Police").check()
    page.wait_for_url(re.compile(r"type=police"))
    page.go_back()
    page.wait_for_url(re.compile(r"as_of=2025-01-04$"))
    assert page.input_value("#as_of") == "2025-01-04"
    assert page.locator("#type-all").is_checked()
    page.go_back()
    page.wait_for_url(re.compile(r"as_of=2024-08-01$"))
    assert page.input_value("#as_of") == "2024-08-01"


# Focus and announcements ------------------------------------------------------------------


def test_arrowing_through_the_type_radios_keeps_focus_and_announces(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2025-01-05")
    page.locator("#type-all").focus()
    for key, radio, word in [
        ("ArrowRight", "type-police", "police"),
        ("ArrowRight", "type-military", "military"),
        ("ArrowLeft", "type-police", "police"),
        ("ArrowLeft", "type-all", None),
    ]:
        expect_swap(page)
        page.keyboard.press(key)
        wait_for_swap(page)
        assert active_id(page) == radio
        deployed = page.locator('[data-figure="deployed"]').inner_text()
        pledged = page.locator('[data-figure="pledged"]').inner_text()
        announced = f"As of 5 Jan 2025: {deployed} deployed of {pledged} pledged"
        if word:
            announced += f" ({word} personnel only)"
        assert " ".join(page.locator("#announcer").inner_text().split()) == announced


def test_the_announcement_reads_as_the_issue_asks(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2025-01-05")
    expect_swap(page)
    page.fill("#as_of", "2025-01-04")
    wait_for_swap(page)
    assert re.fullmatch(
        r"As of 4 Jan 2025: [\d,]+ deployed of [\d,]+ pledged",
        page.locator("#announcer").inner_text().strip(),
    )
    assert page.locator("#announcer").get_attribute("aria-live") == "polite"


@pytest.mark.parametrize(
    "link", ["sort-pledged", "sort-country", "quick-2025-10-02", "quick-today"]
)
def test_sort_headers_and_quick_dates_keep_focus(open_page, sample_missions, link):
    page = open_page("/missions/mss/?as_of=2025-01-05")
    page.locator(f"#{link}").focus()
    expect_swap(page)
    page.keyboard.press("Enter")
    wait_for_swap(page)
    assert active_id(page) == link
    expect(page.locator("#announcer")).to_contain_text("deployed of")


def test_the_country_pages_controls_keep_focus(open_page, sample_missions):
    page = open_page("/missions/mss/countries/KEN/?as_of=2025-01-05")
    page.locator("#type-all").focus()
    expect_swap(page)
    page.keyboard.press("ArrowRight")
    wait_for_swap(page)
    assert active_id(page) == "type-police"
    page.locator("#quick-2025-10-02").focus()
    expect_swap(page)
    page.keyboard.press("Enter")
    wait_for_swap(page)
    assert active_id(page) == "quick-2025-10-02"
    assert page.input_value("#as_of") == "2025-10-02"


def test_the_timeline_select_keeps_focus(open_page, sample_missions):
    page = open_page("/missions/mss/events/")
    for select in ("#kind", "#type", "#country"):
        page.locator(select).focus()
        expect_swap(page)
        page.keyboard.press("ArrowDown")
        wait_for_swap(page)
        assert active_id(page) == select.lstrip("#")
    assert re.fullmatch(r"\d+ events? up to 2 Oct 2025", page.locator("#announcer").inner_text())


def test_pagination_keeps_focus(open_page, sample_missions):
    from dashboard_data import add_contributors

    add_contributors(sample_missions.mss, sample_missions.source, count=20, events_each=3)
    page = open_page("/missions/mss/events/")
    page.locator("#page-older").focus()
    expect_swap(page)
    page.keyboard.press("Enter")
    wait_for_swap(page)
    assert "page=2&older=" in page.url  # seeks from the first page's last event
    assert active_id(page) == "page-older"
    assert "Page 2 of" in page.locator("#announcer").inner_text()
    while page.locator("#page-older").count():
        expect_swap(page)
        page.keyboard.press("Enter")  # on to the last page, which has no "Older" link
        wait_for_swap(page)
    assert active_id(page) == "page-newer"
    expect_swap(page)
    page.keyboard.press("Enter")
    wait_for_swap(page)
    assert active_id(page) == "page-newer"

    page.goto(page.url.split("?")[0])
    page.locator("#show-more-link").focus()
    expect_swap(page)
    page.keyboard.press("Enter")
    wait_for_swap(page)
    assert active_id(page) == "show-more-link"
    assert re.fullmatch(r"50 of \d+ events shown", page.locator("#announcer").inner_text())


def test_clearing_the_timeline_filters_puts_focus_on_the_count(open_page, sample_missions):
    page = open_page("/missions/mss/events/?kind=arrival")
    page.locator("#clear-filters").focus()
    expect_swap(page)
    page.keyboard.press("Enter")
    wait_for_swap(page)
    assert active_id(page) == "results-summary"
    assert page.input_value("#kind") == ""


def test_the_calendar_button_has_a_focus_ring(open_page, sample_missions):
    page = open_page("/missions/mss/?as_of=2025-01-05")
    page.locator("#as_of").focus()  # the month
    for _ in range(3):  # day, year, then the calendar button
        page.keyboard.press("Tab")
    assert active_id(page) == "as_of"
    assert not page.evaluate("document.activeElement.matches(':focus-visible')")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineWidth") == "3px"
    page.keyboard.press("Tab")
    assert active_id(page) == "type-all"  # the next stop after the button


# Print ---------------------------------------------------------------------------------------


def test_print_shows_the_notes_sources_and_address(open_page, sample_missions):
    page = open_page("/missions/mss/countries/KEN/?as_of=2025-10-02")
    note = page.locator("details.notes").first
    assert not note.locator("p").is_visible()
    page.emulate_media(media="print")
    assert note.locator("p").is_visible()
    assert page.locator(".print-url").is_visible()
    assert page.locator(".print-url").inner_text() == page.url
    assert not page.locator("#filters").is_visible()
    source = page.locator(".event-source a[href^='http']").first
    after = source.evaluate("a => getComputedStyle(a, '::after').content")
    assert source.get_attribute("href") in after
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details.notes:not([open])").count() == 0
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details.notes[open]").count() == 0


@pytest.fixture
def sample_data(transactional_db):
    from mss_tracker.tracker.sample_data import load_sample_data

    load_sample_data()


def pdf_pages(page) -> list[str]:
    """The page printed to PDF by Chromium, as the text of each PDF page, spaces removed
    (a long address wraps wherever the line ends)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    # NFKC: the PDF's ligatures (ﬃ in "oﬃcers") read as their letters.
    return [
        re.sub(r"\s+", "", unicodedata.normalize("NFKC", sheet.extract_text()))
        for sheet in reader.pages
    ]


@pytest.mark.parametrize(
    "path", ["/missions/mss/?as_of=2025-10-02", "/missions/mss/countries/KEN/?as_of=2025-10-02"]
)
def test_a_printed_page_carries_every_note_and_source_address(open_page, sample_data, path):
    import datetime

    from mss_tracker.tracker.models import DeploymentEvent, Pledge

    page = open_page(path)
    notes = [note.text_content() for note in page.locator("details.notes p").all()]
    addresses = {a.get_attribute("href") for a in page.locator(".event-source a").all()}
    assert notes and addresses
    text = "".join(pdf_pages(page))

    def squeeze(value: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))

    assert squeeze(page.url) in text  # the address that reproduces the view, at the top
    assert text.index(squeeze(page.url)) < text.index("Pledged")
    for note in notes:
        assert squeeze(note) in text
    for address in addresses:
        assert squeeze(address) in text
    if "countries" in path:  # every note of the country's records, from the database
        as_of = datetime.date(2025, 10, 2)
        for model in (Pledge, DeploymentEvent):
            records = model.objects.filter(mission__slug="mss", country="KEN", date__lte=as_of)
            for record in records.exclude(notes=""):
                assert squeeze(record.notes) in text, record
                if record.source.url:
                    assert squeeze(record.source.url) in text, record


def test_the_chart_prints_with_its_heading(open_page, sample_data):
    page = open_page("/missions/mss/countries/KEN/?as_of=2025-10-02")
    sheets = pdf_pages(page)
    heading = [i for i, sheet in enumerate(sheets) if "Strengthovertime" in sheet]
    caption = [
        i
        for i, sheet in enumerate(sheets)
        if "Downloadchart" in sheet or "againstitspledge" in sheet
    ]
    assert heading and caption and heading[0] == caption[0]


# axe-core -----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/missions/mss/?as_of=2025-01-05", 200),
        ("/missions/gsf/", 200),
        ("/missions/mss/countries/KEN/?as_of=2025-01-05", 200),
        ("/missions/mss/events/", 200),
        ("/missions/mss/changes/?from=2024-12-31&to=2025-03-31", 200),
        ("/missions/mss/report-an-error/", 200),
        ("/missions/mss/?as_of=2025-02-30", 400),
    ],
)
def test_axe_finds_no_wcag_a_or_aa_violation(open_page, sample_missions, path, status, width):
    from axe_playwright_python.sync_playwright import Axe

    page = open_page(path, width=width, status=status)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}})
    assert results.violations_count == 0, results.generate_report()
