"""Staff corrections in a real browser: the pledge confirmation, the reason
prompt, Recent changes with a deleted record restored, ISO dates, month precision, the CSV
preview of rows and corrections, a semicolon file, a double confirmation, and the events
list at 1280 px without sideways scrolling."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from playwright.sync_api import expect

from mss_tracker.tracker.models import DeploymentEvent, Pledge
from mss_tracker.tracker.roles import ensure_role_groups
from tests.test_browser import browser, no_horizontal_scroll  # noqa: F401 (fixture)
from tests.test_import_csv import events_file

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_page(browser, live_server, transactional_db):  # noqa: F811
    """Open an admin page logged in as an editor; fails the test on a page error."""
    ensure_role_groups()  # the live server's database is flushed between tests
    editor = User.objects.create_user("editor", password="correct horse battery", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)
    contexts, errors = [], []

    def open_admin(path: str, width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_server.url + path)
        return page

    yield open_admin
    for context in contexts:
        context.close()
    assert errors == [], f"page errors: {errors}"


def save(page) -> None:
    page.locator('input[name="_save"]').click()


def test_a_number_less_pledge_asks_for_confirmation(admin_page, kenya_pledge, mission, source):
    page = admin_page(
        f"/admin/tracker/pledge/add/?mission={mission.pk}&country=KEN&source={source.pk}"
        "&personnel_type=police&date=2024-01-10"
    )
    save(page)

    expect(page.locator(".errorlist")).to_contain_text(
        "This makes Kenya's pledged police unknown, replacing 1,000 pledged on 25 Jul 2023"
    )
    assert Pledge.objects.count() == 1
    page.locator("#id_confirm_unknown").check()
    save(page)
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Pledge.objects.filter(personnel=None).count() == 1


def test_a_change_asks_for_a_reason_kept_in_the_history(admin_page, kenya_pledge):
    page = admin_page(f"/admin/tracker/pledge/{kenya_pledge.pk}/change/")
    page.locator("#id_personnel").fill("1200")
    save(page)
    expect(page.locator(".field-change_reason .errorlist")).to_contain_text("Say why")

    page.locator("#id_change_reason").fill("Per the cabinet statement")
    save(page)
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(page.url.split("/admin/")[0] + f"/admin/tracker/pledge/{kenya_pledge.pk}/history/")
    expect(page.locator("#change-history")).to_contain_text("Per the cabinet statement")


def test_dates_are_entered_as_iso_and_month_precision_is_moved_to_the_first(
    admin_page, mission, kenya, source
):
    page = admin_page(
        f"/admin/tracker/deploymentevent/add/?mission={mission.pk}&country=KEN"
        f"&source={source.pk}&personnel_type=police&kind=arrival"
    )
    expect(page.locator(".field-date .help")).to_contain_text("Format YYYY-MM-DD")
    page.locator("#id_personnel").fill("40")
    page.locator("#id_date").fill("15/08/2024")
    save(page)
    expect(page.locator(".field-date .errorlist")).to_contain_text(
        "“15/08/2024” is not a date written YYYY-MM-DD"
    )

    page.locator("#id_date").fill("2024-08-15")
    page.locator("#id_date_precision").select_option("month")
    save(page)
    expect(page.locator(".messagelist")).to_contain_text(
        "The date is stored as 2024-08-01 (you typed 2024-08-15)"
    )
    assert DeploymentEvent.objects.get().date == datetime.date(2024, 8, 1)


def test_a_deleted_record_is_restored_from_recent_changes(admin_page, kenya_pledge):
    page = admin_page(f"/admin/tracker/pledge/{kenya_pledge.pk}/delete/")
    page.locator("#id_change_reason").fill("Entered twice")
    page.locator('input[type="submit"]').click()
    expect(page.locator(".messagelist")).to_contain_text("was deleted successfully")
    assert not Pledge.objects.exists()

    page.goto(page.url.split("/admin/")[0] + "/admin/recent-changes/")
    row = page.locator("tr.change-deleted")
    expect(row).to_contain_text("Entered twice")
    row.locator("a.restore-link").click()
    page.locator('input[name="_save"]').click()  # simple-history's Revert

    expect(page.locator(".messagelist")).to_be_visible()
    restored = Pledge.objects.get()
    assert (restored.uuid, restored.personnel) == (kenya_pledge.uuid, 1000)
    assert restored.history.latest("history_date").history_change_reason.startswith(
        "Reverted to the version of"
    )


def _exported_events(live_server) -> list[dict]:
    text = b"".join(Client().get("/missions/mss/export/events.csv").streaming_content)
    return list(csv.DictReader(io.StringIO(text.decode(), newline="")))


def _upload(page, name: str, data: bytes) -> None:
    page.locator('input[type="file"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )
    page.locator('#content-main form input[type="submit"]').click()


def test_the_preview_shows_rows_and_corrections_and_a_second_confirm_is_explained(
    admin_page, live_server, record_event
):
    record_event(datetime.date(2024, 6, 25), "arrival", 400)
    (row,) = _exported_events(live_server)
    row["personnel"] = "390"
    added = dict(row, id="", date="2024-07-16", personnel="200")
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, list(row), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows([row, added])
    page = admin_page("/admin/tracker/deploymentevent/import-csv/")

    _upload(page, "events.csv", out.getvalue().encode())

    expect(page.locator("#csv-updates")).to_contain_text("personnel: 400 → 390")
    expect(page.locator("#csv-new-rows")).to_contain_text("2024-07-16")
    confirm = page.get_by_role("button", name="Confirm: import 1 events and update 1")
    job_page = page.url
    # A second confirmation (a double click, a resubmitted form): the form as it was.
    form = page.locator("#import-job form").evaluate("form => form.outerHTML")
    confirm.click()
    expect(page.locator("#import-status")).to_have_text("Imported")
    expect(page.locator(".import-done")).to_contain_text("1 updated")

    page.goto(job_page)
    page.evaluate(
        """html => {
            document.body.insertAdjacentHTML('beforeend', html);
            const form = document.body.lastElementChild;
            const button = form.querySelector('button[value=confirm]');
            form.requestSubmit(button);
        }""",
        form,
    )
    expect(page.locator(".messagelist")).to_contain_text("This file was already imported")
    expect(page.locator(".import-done")).to_contain_text("See the events")
    assert DeploymentEvent.objects.count() == 2


def test_a_semicolon_separated_file_is_read(admin_page, mission):
    page = admin_page("/admin/tracker/deploymentevent/import-csv/")

    _upload(page, "events.csv", events_file({}).replace(b",", b";"))

    expect(page.locator("#csv-counts")).to_contain_text("1 row to create")
    expect(page.locator("#csv-new-rows")).to_contain_text("2024-06-25")


def test_the_events_list_fits_1280_px(admin_page, db):
    from mss_tracker.tracker.sample_data import load_sample_data

    load_sample_data()
    page = admin_page("/admin/tracker/deploymentevent/", width=1280)

    expect(page.locator("#result_list")).to_be_visible()
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert no_horizontal_scroll(page), widths
    # nor does the table scroll inside the page: its last column is on screen
    results = page.evaluate(
        "(() => { const r = document.querySelector('.results');"
        " return [r.scrollWidth, r.clientWidth]; })()"
    )
    assert results[0] <= results[1], results
