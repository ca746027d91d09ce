"""The staff editor's day without surprises: headings, field order, filters, history
links and timestamps, old versions, the carry-over page."""

from __future__ import annotations

import datetime
import re

import pytest
from admin_forms import event_form, pledge_form
from dashboard_data import event
from django.urls import reverse
from django.utils import timezone

from mss_tracker.tracker.models import Country, DeploymentEvent, Mission, Pledge, Source

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_change_form_heading_shows_the_saved_figure_after_an_error(
    editor_client, mission, source, record_event
):
    arrival = record_event(D(2024, 7, 16), "arrival", 200)
    url = reverse("admin:tracker_deploymentevent_change", args=[arrival.pk])
    # A figure that the form refuses (no reason given): the heading keeps the stored one.
    response = editor_client.post(
        url, event_form(mission, source, personnel="999", change_reason="")
    )
    assert response.status_code == 200
    heading = re.search(r"<h2>(.*?)</h2>", response.text).group(1)
    assert "200" in heading and "999" not in heading


def test_the_pledge_form_reads_mission_country_type_figure_date_source(editor_client):
    page = editor_client.get("/admin/tracker/pledge/add/").text
    order = [
        page.index(f'name="{name}"')
        for name in ("mission", "country", "personnel_type", "personnel", "date", "source")
    ]
    assert order == sorted(order)


def test_the_host_country_filter_lists_only_hosts(admin_client, mission):
    Mission.objects.create(
        slug="other",
        acronym="OTH",
        name="Another mission",
        host_country=Country.objects.get_or_create_from_iso3("JAM"),
        authorized_by="a resolution",
        authorized_on=D(2024, 1, 1),
        start_date=D(2024, 2, 1),
    )
    Country.objects.get_or_create_from_iso3("BEN")  # recorded, hosts nothing
    page = admin_client.get("/admin/tracker/mission/").text
    filter_block = page[page.index('id="changelist-filter"') :]
    assert "host_country__iso3__exact=HTI" in filter_block
    assert "host_country__iso3__exact=JAM" in filter_block
    assert "host_country__iso3__exact=BEN" not in filter_block
    assert "host_country__iso3__exact=KEN" not in filter_block  # a lead, not a host


def _history(client, record) -> str:
    return client.get(reverse("admin:tracker_deploymentevent_history", args=[record.pk])).text


def test_changed_by_links_to_the_user_only_for_whoever_may_see_users(
    editor_client, admin_client, editor, mission, source, record_event
):
    arrival = record_event(D(2024, 7, 16), "arrival", 200)
    editor_client.post(
        reverse("admin:tracker_deploymentevent_change", args=[arrival.pk]),
        event_form(mission, source, personnel="210"),
    )
    user_url = reverse("admin:auth_user_change", args=[editor.pk])
    page = _history(editor_client, arrival)
    assert ">editor<" in page.replace("\n", "").replace(" ", "")
    assert user_url not in page
    assert editor_client.get(user_url).status_code == 403  # why there is no link
    assert user_url in _history(admin_client, arrival)


def test_the_history_writes_times_as_the_rest_of_the_admin(editor_client, record_event):
    arrival = record_event(D(2024, 7, 16), "arrival", 200)
    moment = timezone.localtime(arrival.history.first().history_date)
    page = _history(editor_client, arrival)
    assert moment.strftime("%-d %b %Y, %H:%M") in page
    assert "a.m." not in page and "p.m." not in page


def test_an_analyst_sees_an_old_version_as_a_record_not_a_form(
    analyst_client, editor_client, mission, source, kenya_pledge
):
    editor_client.post(
        reverse("admin:tracker_pledge_change", args=[kenya_pledge.pk]),
        pledge_form(mission, source, personnel="1200", change_reason="corrected"),
    )
    first = kenya_pledge.history.order_by("history_date").first()
    url = reverse("admin:tracker_pledge_simple_history", args=[kenya_pledge.pk, first.history_id])
    page = analyst_client.get(url).text
    assert 'name="personnel"' not in page
    assert '<div class="readonly">1000</div>' in page
    assert 'name="personnel"' in editor_client.get(url).text  # the editor may revert


# The carry-over page ---------------------------------------------------------------------


@pytest.fixture
def successor(db):
    from gsf_data import build_gsf

    gsf = build_gsf()
    DeploymentEvent.objects.filter(mission=gsf).delete()
    mss = Mission.objects.get(slug="mss")
    source = Source.objects.get()
    event(mss, "KEN", "arrival", "police", D(2024, 6, 25), 1010, source)
    event(mss, "JAM", "arrival", "military", D(2024, 9, 12), 20, source)
    return gsf


def _carry_over_url(mission) -> str:
    return reverse("admin:tracker_mission_carry_over", args=[mission.pk])


def test_the_carry_over_page_writes_figures_with_thousands(editor_client, successor):
    page = editor_client.get(_carry_over_url(successor)).text
    assert '<td class="num">1,010</td>' in page


def test_the_carry_over_page_keeps_unticked_rows_unticked(editor_client, successor):
    # Sent without a source: the page comes back with the error, and JAM stays unticked.
    page = editor_client.post(_carry_over_url(successor), {"rows": ["KEN-police"]}).text
    assert "This field is required" in page
    assert re.search(r'value="KEN-police"[^>]*checked', page)
    assert not re.search(r'value="JAM-military"[^>]*checked', page)


def test_the_carry_over_page_has_a_plus_to_add_a_source(editor_client, successor):
    page = editor_client.get(_carry_over_url(successor)).text
    add_source = reverse("admin:tracker_source_add")
    assert re.search(rf'<a[^>]+id="add_id_source"[^>]+href="{add_source}\?', page) or (
        f'href="{add_source}?_to_field=id&amp;_popup=1"' in page
    )
    assert "RelatedObjectLookups.js" in page


def test_the_pledge_list_is_unchanged_by_the_new_order(editor_client, kenya_pledge):
    assert editor_client.get("/admin/tracker/pledge/").status_code == 200
    assert Pledge.objects.count() == 1
