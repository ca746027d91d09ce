"""The Content Security Policy in a real browser: every page, the admin's included, works
under it in Chromium with no violation.

Run with `uv run pytest -m browser`; Chromium is launched as in tests/test_browser.py.
A violation shows up twice: as the page's `securitypolicyviolation` event (reported to
the test through an exposed function) and as a console error; both are collected, and so
is every other console error.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect
from test_browser import browser  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber} on ${document.location.pathname}`
  );
});
"""


def assert_strict_policy(policy: str | None, where: str) -> None:
    assert policy, f"no Content-Security-Policy header on {where}"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, policy


class Browsing:
    """One browser context whose pages report every CSP violation and console error."""

    def __init__(self, browser, base_url: str) -> None:  # noqa: F811
        self.base_url = base_url
        self.violations: list[str] = []
        self.errors: list[str] = []
        self.expected_errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.expose_function(
            "reportCspViolation", lambda text: self.violations.append(text)
        )
        self.context.add_init_script(REPORT_VIOLATIONS)
        self.context.on("page", self._watch)  # this page and any popup it opens
        self.page = self.context.new_page()

    def _watch(self, page) -> None:
        page.set_default_timeout(10_000)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text:
            self.violations.append(text)
        elif message.type == "error" and not any(e in text for e in self.expected_errors):
            self.errors.append(text)

    def _on_response(self, response) -> None:
        if response.request.resource_type == "document":
            assert_strict_policy(response.headers.get("content-security-policy"), response.url)
        elif response.status >= 400:
            self.errors.append(f"{response.status} {response.url}")

    def goto(self, path: str, status: int = 200):
        # An error page's own status is reported as a console error; nothing else may be.
        self.expected_errors = [f"status of {status}"] if status >= 400 else []
        response = self.page.goto(self.base_url + path)
        assert response.status == status, path
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def browse(browser, live_server):  # noqa: F811
    sessions: list[Browsing] = []

    def browse() -> Browsing:
        sessions.append(Browsing(browser, live_server.url))
        return sessions[-1]

    yield browse
    for session in sessions:
        session.close()
    violations = [v for session in sessions for v in session.violations]
    errors = [e for session in sessions for e in session.errors]
    assert violations == [], f"CSP violations: {violations}"
    assert errors == [], f"console errors: {errors}"


@pytest.fixture
def editor_account(transactional_db) -> User:
    """An Editors staff member; the groups are made again (live_server flushes tables)."""
    from mss_tracker.tracker.roles import EDITORS, ensure_role_groups

    ensure_role_groups()
    user = User.objects.create_user("csp-editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def log_in(session: Browsing, username: str, password: str):
    page = session.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


# The public pages -----------------------------------------------------------------------


def test_the_public_pages_run_under_the_policy(browse, sample_missions):
    from dashboard_data import add_contributors

    session = browse()

    session.goto("/")
    page = session.goto("/missions/mss/?as_of=2025-01-05&type=police")
    page.fill("#as_of", "2024-08-01")  # an HTMX swap
    page.wait_for_url(re.compile(r"as_of=2024-08-01"))
    expect(page.locator('[data-figure="pledged"]')).to_have_text("1,000")
    page.get_by_role("link", name="Deployed", exact=True).click()  # sorting, HTMX too
    page.wait_for_url(re.compile(r"sort="))
    page.go_back()  # history restore
    page.wait_for_url(re.compile(r"as_of=2024-08-01&type=police$"))

    session.goto("/missions/mss/countries/KEN/?as_of=2025-01-05")
    add_contributors(sample_missions.mss, sample_missions.source, count=10, events_each=3)
    page = session.goto("/missions/mss/events/")
    page.get_by_role("link", name="Show more").click()
    expect(page.locator("li.event").nth(25)).to_be_attached()
    page.select_option("#kind", "arrival")
    page.wait_for_url(re.compile(r"kind=arrival"))

    for chart in ("/missions/mss/chart.svg", "/missions/mss/countries/KEN/chart.svg"):
        page = session.goto(chart)
        assert page.locator("svg").count() == 1

    session.goto("/missions/nowhere/", status=404)
    session.goto("/missions/mss/?as_of=2025-02-30", status=400)


def settled(page, url_pattern: str):
    """Wait for the address HTMX pushed (or history restored) and for quiet."""
    page.wait_for_url(re.compile(url_pattern))
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(150)  # htmx settles 20 ms after the swap; let it run
    return page


def back_and_forth(page, addresses: list[str]) -> None:
    """Back through every address visited (newest first), then forward to the last."""
    for address in reversed(addresses[:-1]):
        page.go_back()
        settled(page, address)
    for address in addresses[1:]:
        page.go_forward()
        settled(page, address)


def test_navigating_filters_sorts_pages_and_history_stays_within_the_policy(
    browse, sample_missions
):
    """htmx's settle step used to copy `style` attributes during a swap or a history
    restore, which the policy blocks. Every HTMX move of the three pages, then back and
    forward through all of them: no violation and no console error."""
    from dashboard_data import add_contributors

    add_contributors(sample_missions.mss, sample_missions.source, count=12, events_each=3)
    session = browse()

    # The dashboard: date, type, a quick choice, two sorts.
    page = session.goto("/missions/mss/?as_of=2025-01-05")
    visited = [r"/missions/mss/\?as_of=2025-01-05$"]
    # htmx as base.html configures it: its settle step copies no `style` attribute and it
    # adds no indicator <style>, either of which the policy blocks.
    config = page.evaluate(
        "({settle: htmx.config.attributesToSettle, indicator: htmx.config.includeIndicatorStyles})"
    )
    assert config == {"settle": ["class", "width", "height"], "indicator": False}
    page.fill("#as_of", "2024-08-01")
    visited.append(r"as_of=2024-08-01$")
    settled(page, visited[-1])
    page.get_by_role("radio", name="Police").check()
    visited.append(r"as_of=2024-08-01&type=police$")
    settled(page, visited[-1])
    page.get_by_role("link", name="Deployed", exact=True).click()
    visited.append(r"type=police&sort=deployed$")
    settled(page, visited[-1])
    page.get_by_role("link", name="Country", exact=True).click()
    visited.append(r"type=police&sort=country$")
    settled(page, visited[-1])
    page.locator(".filters a", has_text="Start").first.click()
    visited.append(r"as_of=2024-06-25&type=police&sort=country$")
    settled(page, visited[-1])
    back_and_forth(page, visited)

    # The country page: date and type.
    page = session.goto("/missions/mss/countries/KEN/")
    visited = [r"/countries/KEN/$"]
    page.fill("#as_of", "2024-09-30")
    visited.append(r"/countries/KEN/\?as_of=2024-09-30$")
    settled(page, visited[-1])
    page.get_by_role("radio", name="Police").check()
    visited.append(r"as_of=2024-09-30&type=police$")
    settled(page, visited[-1])
    back_and_forth(page, visited)

    # The timeline: filters, a page, "Show more".
    page = session.goto("/missions/mss/events/")
    visited = [r"/events/$"]
    page.get_by_role("link", name="Older →").click()
    visited.append(r"/events/\?page=2&older=\d{4}-\d\d-\d\d\.\d+$")
    settled(page, visited[-1])
    page.select_option("#kind", "arrival")
    visited.append(r"kind=arrival$")
    settled(page, visited[-1])
    page.select_option("#type", "police")
    visited.append(r"kind=arrival&type=police$|type=police&kind=arrival$")
    settled(page, visited[-1])
    page.get_by_role("link", name="Show more").click()
    expect(page.locator("li.event").nth(25)).to_be_attached()
    page.wait_for_timeout(150)
    back_and_forth(page, visited)
    page.reload()
    page.wait_for_load_state("networkidle")


# The admin ----------------------------------------------------------------------------------


def test_the_admin_pages_run_under_the_policy(browse, sample_missions, editor_account):
    from mss_tracker.tracker.models import DeploymentEvent, Pledge

    event = DeploymentEvent.objects.filter(mission=sample_missions.mss).first()
    pledge = Pledge.objects.filter(mission=sample_missions.mss).first()
    session = browse()

    page = log_in(session, editor_account.username, PASSWORD)
    assert page.url.endswith("/admin/")
    assert page.get_by_role("link", name="Deployment events").count()

    for model in ("deploymentevent", "pledge", "mission", "source", "country"):
        session.goto(f"/admin/tracker/{model}/")
    # Filters, the date hierarchy and a search.
    session.goto("/admin/tracker/deploymentevent/?kind__exact=arrival&date__year=2024&q=Kenya")
    session.goto("/admin/tracker/pledge/?personnel_type__exact=police&date__year=2023")

    # An add form with autocomplete widgets, and its related-object popup.
    page = session.goto("/admin/tracker/deploymentevent/add/")
    page.click("#id_country + .select2 .select2-selection")
    page.fill(".select2-search__field", "Ken")
    page.wait_for_selector(".select2-results__option:has-text('Kenya')")
    page.keyboard.press("Escape")
    with page.expect_popup() as popup_info:
        page.click("#add_id_source")
    popup = popup_info.value
    popup.wait_for_load_state("networkidle")
    popup.fill("#id_publisher", "Reuters")
    popup.fill("#id_title", "Added from a popup")
    popup.click("input[name=_save]")
    expect(page.locator("#id_source")).not_to_have_value("")

    for path in (
        f"/admin/tracker/deploymentevent/{event.pk}/change/",
        f"/admin/tracker/pledge/{pledge.pk}/change/",
        f"/admin/tracker/mission/{sample_missions.mss.pk}/change/",
        f"/admin/tracker/deploymentevent/{event.pk}/delete/",
        f"/admin/tracker/deploymentevent/{event.pk}/history/",
        "/admin/password_change/",
    ):
        session.goto(path)
    version = DeploymentEvent.history.filter(id=event.pk).first()  # simple-history's version page
    session.goto(f"/admin/tracker/deploymentevent/{event.pk}/history/{version.pk}/")

    # The bulk delete action's confirmation page.
    page = session.goto("/admin/tracker/pledge/")
    page.locator("input.action-select").first.check()
    page.select_option("select[name=action]", "delete_selected")
    page.click("button[name=index]")
    expect(page.get_by_role("heading", name="Delete multiple objects")).to_be_visible()

    # The CSV import: upload (csv_upload.js sends it), the import's page, the Imports list.
    page = session.goto("/admin/tracker/deploymentevent/import-csv/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "events.csv", "mimeType": "text/csv", "buffer": b"not,a,csv\n"}],
    )
    page.click("input[value='Upload and preview']")
    page.wait_for_selector("#csv-errors")
    exported = page.request.get(session.base_url + "/missions/mss/export/events.csv").body()
    page.get_by_role("link", name="Upload another file").click()
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "events.csv", "mimeType": "text/csv", "buffer": exported}],
    )
    page.click("input[value='Upload and preview']")
    page.wait_for_selector("#csv-counts")
    session.goto("/admin/tracker/importjob/")

    page.click("#logout-form button")
    page.wait_for_selector("text=Logged out")


def test_the_lockout_page_runs_under_the_policy(browse, editor_account, settings):
    settings.AXES_FAILURE_LIMIT = 1
    session = browse()
    page = session.goto("/admin/login/")
    session.expected_errors = ["status of 429"]
    page.fill("#id_username", editor_account.username)
    page.fill("#id_password", "wrong password")
    with page.expect_response(re.compile("/admin/login/")) as response:
        page.click("input[type=submit]")
    assert response.value.status == 429
    assert "Too many failed logins for this username from your address" in page.content()
