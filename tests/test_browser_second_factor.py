"""The second-factor pages in Chromium, with the second factor required: a new editor signs
in, is led to enrol an authenticator app, sees its recovery codes and then the admin; an
editor with a factor is asked for its code. No CSP violation, no console error, and axe
finds no WCAG A/AA violation on any of these pages, at desktop and phone widths."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from second_factor import code, enforced, give_authenticator_app
from test_browser import browser  # noqa: F401 (the fixture)
from test_csp import PASSWORD, browse, editor_account, log_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def assert_accessible(page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}})
    assert results.violations_count == 0, results.generate_report()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_new_editor_enrols_then_opens_the_admin(browse, editor_account, settings, width):  # noqa: F811
    enforced(settings)
    session = browse()
    session.page.set_viewport_size({"width": width, "height": 900})
    assert_accessible(session.goto("/admin/login/"))

    page = log_in(session, editor_account.username, PASSWORD)
    assert "/admin/second-factor/security/" in page.url
    assert page.get_by_text("Two-factor authentication is required for your account").count()
    assert_accessible(page)
    assert no_horizontal_scroll(page)

    page.get_by_role("link", name="Authenticator app").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    assert no_horizontal_scroll(page)
    secret = page.locator(".mfa-secret code").inner_text().strip()
    page.fill("#id_code", code(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.wait_for_load_state("networkidle")

    assert "/admin/second-factor/recovery/codes/" in page.url
    assert page.locator(".recovery-code").count() == 10
    assert page.get_by_role("link", name="Download").get_attribute("href").startswith("blob:")
    assert_accessible(page)
    page.get_by_role("link", name="Done").click()
    page.wait_for_load_state("networkidle")
    session.goto("/admin/")
    assert page.get_by_role("link", name="Deployment events").count()


def test_an_editor_with_a_factor_is_asked_for_its_code(browse, editor_account, settings):  # noqa: F811
    enforced(settings)
    give_authenticator_app(editor_account)
    session = browse()

    page = log_in(session, editor_account.username, PASSWORD)
    assert re.search(r"/admin/second-factor/verify/totp/", page.url)
    assert_accessible(page)
    session.expected_errors = ["status of 400"]
    page.fill("#id_code", "000000")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_code_error").inner_text().strip()
    page.fill("#id_code", code())
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state("networkidle")

    assert page.url.endswith("/admin/")
    session.goto("/admin/second-factor/security/")
    assert_accessible(session.page)
