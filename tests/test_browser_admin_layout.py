"""The admin pages an editor works in fit the window at 1280 px and at 390 px: no page
scrolls sideways (a wide table scrolls inside its own box), and the breadcrumbs are the
admin's styled ones. Checked in Chromium, with screenshots kept by the test run."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mss_tracker.tracker.carry_over import stale_transfers
from mss_tracker.tracker.import_jobs import ImportJob
from mss_tracker.tracker.models import DeploymentEvent, Mission
from tests.test_browser import browser, no_horizontal_scroll  # noqa: F401 (fixture)
from tests.test_browser_corrections import admin_page  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def working_day(admin_page, db):  # noqa: F811
    """The sample data, a transfer gone stale, and an import previewed with corrections."""
    from django.contrib.auth.models import User

    from mss_tracker.tracker import tasks
    from mss_tracker.tracker.sample_data import load_sample_data

    load_sample_data()
    mss, gsf = Mission.objects.get(slug="mss"), Mission.objects.get(slug="gsf")
    arrival = (
        DeploymentEvent.objects.filter(mission=mss, country="KEN", kind="arrival")
        .order_by("-date")
        .first()
    )
    arrival.personnel += 10
    arrival._change_reason = "corrected"
    arrival.save()
    assert stale_transfers(gsf)
    editor = User.objects.get(username="editor")
    events = DeploymentEvent.objects.filter(mission=mss).order_by("date")[:3]
    data = (
        "date,date_precision,mission,country_iso3,country,event,personnel_type,personnel,"
        "disputed,source_publisher,source_title,source_url,source_date,notes,id\r\n"
    )
    for event in events:
        data += (
            f"{event.date},{event.date_precision},mss,{event.country_id},,{event.kind},"
            f"{event.personnel_type},{event.personnel},true,{event.source.publisher},"
            f'"{event.source.title}",{event.source.url},,"{event.notes} (checked)",{event.uuid}\r\n'
        )
    job = ImportJob.from_upload(
        "events", "events-corrected-" + "long-name-" * 8 + ".csv", data.encode(), editor
    )
    tasks.preview_import.call(job.pk)
    return gsf, job


@pytest.mark.parametrize("width", [1280, 390])
def test_the_editor_s_admin_pages_fit_without_page_wide_scroll(
    admin_page,  # noqa: F811
    working_day,
    width,
    tmp_path,
):
    gsf, job = working_day
    pages = {
        "imports": "/admin/tracker/importjob/",
        "missions": "/admin/tracker/mission/",
        "import-preview": f"/admin/tracker/importjob/{job.pk}/change/",
        "carry-over": f"/admin/tracker/mission/{gsf.pk}/carry-over/",
        "mission": f"/admin/tracker/mission/{gsf.pk}/change/",
    }
    for name, path in pages.items():
        page = admin_page(path, width=width)
        expect(page.locator("ol.breadcrumbs")).to_be_visible()
        page.screenshot(path=tmp_path / f"{name}-{width}.png", full_page=True)
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert no_horizontal_scroll(page), (name, width, widths)
        # The breadcrumbs are Django's styled bar, not bare links.
        background = page.evaluate(
            "getComputedStyle(document.querySelector('ol.breadcrumbs')).backgroundColor"
        )
        assert background not in ("rgba(0, 0, 0, 0)", "transparent"), (name, background)
