"""Carried-over transfers never go stale silently: when the predecessor's end-date strength
is corrected after the carry-over, the successor's admin page and its dashboard (staff
only) say which transfers differ, and the editor updates them with a reason."""

from __future__ import annotations

import datetime
import re

import pytest
from dashboard_data import event
from django.urls import reverse

from mss_tracker.tracker.carry_over import carry_over, proposed_transfers, stale_transfers
from mss_tracker.tracker.models import DeploymentEvent, Mission, Source

D = datetime.date


@pytest.fixture
def carried(db):
    """MSS with Kenyan police (358) and Jamaican troops (20) on its end date, carried over
    into GSF; then an editor corrects MSS's Kenyan departure from 42 to 50."""
    from gsf_data import build_gsf

    gsf = build_gsf()
    DeploymentEvent.objects.filter(mission=gsf).delete()
    mss = Mission.objects.get(slug="mss")
    source = Source.objects.get()
    event(mss, "KEN", "arrival", "police", D(2024, 6, 25), 400, source)
    departure = event(mss, "KEN", "departure", "police", D(2025, 9, 1), 42, source)
    event(mss, "JAM", "arrival", "military", D(2024, 9, 12), 20, source)
    carry_over(gsf, proposed_transfers(gsf), source)
    return mss, gsf, departure


def correct(record: DeploymentEvent, personnel: int) -> None:
    record.personnel = personnel
    record._change_reason = "figure corrected"
    record.save()


def test_nothing_is_stale_right_after_the_carry_over(carried):
    _mss, gsf, _departure = carried
    assert stale_transfers(gsf) == []


def test_a_correction_of_the_predecessor_makes_its_transfer_stale(carried):
    _mss, gsf, departure = carried
    correct(departure, 50)
    stale = stale_transfers(gsf)
    assert [(s.event.country_id, s.event.personnel, s.personnel_now) for s in stale] == [
        ("KEN", 358, 350)
    ]
    assert str(stale[0]) == (
        "Kenya police: a transfer of 358, while MSS now has 350 on its end date"
    )


def test_a_transfer_set_on_purpose_after_the_correction_is_not_stale(carried):
    _mss, gsf, departure = carried
    correct(departure, 50)
    transfer = DeploymentEvent.objects.get(mission=gsf, country="KEN")
    correct(transfer, 300)  # only 300 stayed on: the editor's own figure
    assert stale_transfers(gsf) == []


def test_a_predecessor_with_no_one_left_offers_deletion_not_an_update(carried):
    mss, gsf, _departure = carried
    jamaica = DeploymentEvent.objects.get(mission=mss, country="JAM")
    jamaica._change_reason = "never arrived"
    jamaica.delete()
    (stale,) = stale_transfers(gsf)
    assert (stale.event.country_id, stale.personnel_now, stale.can_update) == ("JAM", 0, False)


def test_a_changed_end_date_makes_transfers_stale(carried):
    mss, gsf, _departure = carried
    mss.end_date = D(2025, 8, 31)  # before the Kenyan departure: 400, not 358
    mss._change_reason = "end date corrected"
    mss.save()
    gsf.start_date = D(2025, 9, 1)
    assert [(s.event.country_id, s.personnel_now) for s in stale_transfers(gsf)] == [("KEN", 400)]


def test_stale_transfers_takes_a_fixed_number_of_queries(carried, django_assert_num_queries):
    _mss, gsf, departure = carried
    correct(departure, 50)
    # predecessor, transfers, three types' end-date figures, two histories
    with django_assert_num_queries(7):
        stale_transfers(gsf)


def test_the_successor_s_admin_page_says_which_transfers_differ(editor_client, carried):
    _mss, gsf, departure = carried
    page = editor_client.get(reverse("admin:tracker_mission_change", args=[gsf.pk])).text
    assert "stale-transfers" not in page
    correct(departure, 50)
    page = editor_client.get(reverse("admin:tracker_mission_change", args=[gsf.pk])).text
    assert "1 transfer carried over from MSS differs from its end-date strength" in page
    assert "Kenya police: a transfer of 358, while MSS now has 350 on its end date" in page
    carry_over_url = reverse("admin:tracker_mission_carry_over", args=[gsf.pk])
    assert f'href="{carry_over_url}#stale"' in page


def test_the_editor_updates_them_with_a_reason_kept_in_the_history(editor_client, carried):
    _mss, gsf, departure = carried
    correct(departure, 50)
    url = reverse("admin:tracker_mission_carry_over", args=[gsf.pk])
    page = editor_client.get(url).text
    transfer = DeploymentEvent.objects.get(mission=gsf, country="KEN")
    assert re.search(rf'name="stale" value="{transfer.pk}"[^>]*checked', page)
    assert "358" in page and "350" in page

    # A reason is required.
    editor_client.post(url, {"action": "update_stale", "stale": [transfer.pk]})
    transfer.refresh_from_db()
    assert transfer.personnel == 358

    response = editor_client.post(
        url,
        {
            "action": "update_stale",
            "stale": [transfer.pk],
            "change_reason": "MSS departure corrected to 50",
        },
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.personnel == 350
    latest = transfer.history.first()
    assert latest.history_change_reason == "MSS departure corrected to 50"
    assert latest.history_user.username == "editor"
    assert stale_transfers(gsf) == []
    assert "stale-transfers" not in editor_client.get(url).text.split("<h2>Carry over")[0]


def test_an_analyst_may_not_update_them(analyst_client, carried):
    _mss, gsf, departure = carried
    correct(departure, 50)
    url = reverse("admin:tracker_mission_carry_over", args=[gsf.pk])
    transfer = DeploymentEvent.objects.get(mission=gsf, country="KEN")
    response = analyst_client.post(
        url, {"action": "update_stale", "stale": [transfer.pk], "change_reason": "x"}
    )
    assert response.status_code == 403
    transfer.refresh_from_db()
    assert transfer.personnel == 358


def test_the_dashboard_tells_staff_only(editor_client, analyst_client, client, carried):
    _mss, gsf, departure = carried
    correct(departure, 50)
    url = "/missions/gsf/"
    staff_page = editor_client.get(url).text
    assert "For staff: 1 transfer carried over from MSS differs" in staff_page
    assert "Kenya, Police: 358 carried over; MSS now has 350 on its end date." in staff_page
    assert reverse("admin:tracker_mission_carry_over", args=[gsf.pk]) in staff_page
    analyst_page = analyst_client.get(url).text
    assert "For staff: 1 transfer" in analyst_page
    assert reverse("admin:tracker_mission_carry_over", args=[gsf.pk]) not in analyst_page
    assert "stale-transfers" not in client.get(url).text
    assert "stale-transfers" not in client.get("/fr/missions/gsf/").text


def test_the_staff_notice_is_never_served_from_the_cache(settings, editor_client, client, carried):
    settings.DASHBOARD_CACHE_SECONDS = 60
    _mss, _gsf, departure = carried
    correct(departure, 50)
    assert "stale-transfers" in editor_client.get("/missions/gsf/").text
    assert "stale-transfers" not in client.get("/missions/gsf/").text
    assert "stale-transfers" in editor_client.get("/missions/gsf/").text
