"""The admin action "Carry over personnel from <predecessor>" on a successor mission."""

from __future__ import annotations

import datetime
import re

import pytest
from dashboard_data import event
from django.urls import reverse

from mss_tracker.tracker import figures
from mss_tracker.tracker.carry_over import proposed_transfers
from mss_tracker.tracker.models import DeploymentEvent, Mission, Source

D = datetime.date


@pytest.fixture
def missions(db):
    """MSS (25 Jun 2024 – 2 Oct 2025) with Kenyan police and Jamaican troops and police on
    its end date, succeeded by GSF (from 3 Oct 2025) with nothing recorded yet."""
    from gsf_data import build_gsf

    gsf = build_gsf()
    DeploymentEvent.objects.filter(mission=gsf).delete()
    mss = Mission.objects.get(slug="mss")
    source = Source.objects.get()
    event(mss, "KEN", "arrival", "police", D(2024, 6, 25), 400, source)
    event(mss, "KEN", "departure", "police", D(2025, 9, 1), 42, source)
    event(mss, "JAM", "arrival", "military", D(2024, 9, 12), 20, source)
    event(mss, "JAM", "arrival", "police", D(2024, 9, 12), 4, source)
    event(mss, "JAM", "departure", "police", D(2025, 4, 1), 4, source, date_precision="month")
    return mss, gsf


def url(mission: Mission) -> str:
    return reverse("admin:tracker_mission_carry_over", args=[mission.pk])


def test_it_proposes_the_predecessors_end_date_strength_per_country_and_type(missions):
    _mss, gsf = missions
    rows = [(r.country.iso3, r.personnel_type, r.personnel) for r in proposed_transfers(gsf)]
    assert rows == [("JAM", "military", 20), ("KEN", "police", 358)]  # JAM police: all gone


def test_the_change_page_offers_it_on_a_successor_only(editor_client, missions):
    mss, gsf = missions
    page = editor_client.get(reverse("admin:tracker_mission_change", args=[gsf.pk]))
    assert "Carry over personnel from MSS" in page.content.decode()
    page = editor_client.get(reverse("admin:tracker_mission_change", args=[mss.pk]))
    assert "Carry over personnel" not in page.content.decode()


def test_the_editor_picks_the_source_and_confirms_and_the_chart_starts_there(
    editor_client, missions, client
):
    _mss, gsf = missions
    page = editor_client.get(url(gsf)).content.decode()
    assert re.search(r'name="rows" value="KEN-police"[^>]*checked', page)
    assert "358" in page and "2 Oct 2025" in page
    source = Source.objects.get()
    response = editor_client.post(
        url(gsf),
        {"rows": ["KEN-police", "JAM-military"], "source": source.pk, "disputed": "on"},
    )
    assert response.status_code == 302
    transfers = DeploymentEvent.objects.filter(mission=gsf, kind="transfer").order_by("country")
    assert [(t.country_id, t.personnel, t.date, t.disputed) for t in transfers] == [
        ("JAM", 20, D(2025, 10, 3), True),
        ("KEN", 358, D(2025, 10, 3), True),
    ]
    assert all(
        t.history.first().history_change_reason == "Carried over from MSS" for t in transfers
    )
    assert transfers[0].history.first().history_user.username == "editor"
    assert figures.strength_series(gsf, D(2025, 12, 31))[0] == (D(2025, 10, 3), 378)
    # Offered again, the recorded rows are shown as such and cannot be chosen twice.
    page = editor_client.get(url(gsf)).content.decode()
    assert "a transfer of 358" in page
    editor_client.post(url(gsf), {"rows": ["KEN-police"], "source": source.pk})
    assert DeploymentEvent.objects.filter(mission=gsf, kind="transfer").count() == 2


def test_unticked_rows_are_not_written_and_a_source_is_required(editor_client, missions):
    _mss, gsf = missions
    response = editor_client.post(url(gsf), {"rows": ["KEN-police"]})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    editor_client.post(url(gsf), {"rows": ["KEN-police"], "source": Source.objects.get().pk})
    assert list(
        DeploymentEvent.objects.filter(mission=gsf).values_list("country_id", flat=True)
    ) == ["KEN"]


def test_an_analyst_may_not_carry_over(analyst_client, missions):
    _mss, gsf = missions
    assert analyst_client.get(url(gsf)).status_code == 403
