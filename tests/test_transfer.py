"""The `transfer` event kind: personnel carried over from the predecessor mission."""

import datetime

import pytest
from dashboard_data import create_gsf
from django.db import IntegrityError, transaction

from mss_tracker.tracker import figures
from mss_tracker.tracker.models import Country, DeploymentEvent, Mission, TimelinePoint

D = datetime.date


@pytest.fixture
def gsf(mission) -> Mission:
    """A successor of the conftest mission (MSS), started the day after MSS ended."""
    successor = create_gsf()
    mission.end_date = D(2025, 10, 2)
    mission.successor = successor
    mission.save()
    return successor


def test_a_transfer_adds_like_an_arrival_and_counts_as_first_arrival(gsf, record_event):
    record_event(D(2025, 10, 3), "transfer", 758, mission=gsf)
    record_event(D(2025, 12, 8), "arrival", 230, mission=gsf)
    record_event(D(2025, 12, 9), "departure", 100, mission=gsf)
    row = figures.country_figures(gsf, D(2025, 10, 3)).get(iso3="KEN")
    assert (row.deployed, row.first_arrival) == (758, D(2025, 10, 3))
    row = figures.country_figures(gsf, D(2025, 12, 9), "police").get(iso3="KEN")
    assert (row.deployed, row.first_arrival) == (888, D(2025, 10, 3))
    assert figures.strength_series(gsf, D(2025, 12, 31))[0] == (D(2025, 10, 3), 758)


def test_a_strength_report_after_a_transfer_overrides_it(gsf, record_event):
    record_event(D(2025, 10, 3), "transfer", 758, mission=gsf)
    record_event(D(2025, 12, 7), "strength_report", 700, mission=gsf)
    assert figures.mission_totals(gsf, D(2025, 12, 7)).deployed == 700


def test_a_departure_may_draw_on_transferred_personnel(gsf, record_event):
    record_event(D(2025, 10, 3), "transfer", 10, mission=gsf)
    record_event(D(2025, 10, 4), "departure", 10, mission=gsf)
    assert TimelinePoint.objects.get(personnel_type="police", date=D(2025, 10, 4)).deployed == 0


def test_the_database_refuses_a_transfer_of_nobody(gsf, record_event):
    with pytest.raises(IntegrityError), transaction.atomic():
        record_event(D(2025, 10, 3), "transfer", 0, mission=gsf)


def test_a_report_after_a_transfer_is_not_shown_as_unaccounted(gsf, record_event, client):
    record_event(D(2025, 10, 3), "transfer", 700, mission=gsf)
    record_event(D(2025, 12, 7), "strength_report", 700, mission=gsf)
    page = client.get("/missions/gsf/countries/KEN/?as_of=2025-12-31").content.decode()
    assert "unaccounted" not in page and "do not add up" not in page


def test_the_timeline_says_carried_over_from_the_predecessor(gsf, record_event, client):
    record_event(D(2025, 10, 3), "transfer", 758, mission=gsf)
    jamaica = Country.objects.get_or_create_from_iso3("JAM")
    record_event(D(2025, 10, 3), "transfer", 3, country=jamaica, mission=gsf)
    for url in ("/missions/gsf/events/?as_of=2025-12-31", "/missions/gsf/countries/KEN/"):
        page = client.get(url).content.decode()
        assert "carried over from" in page and ">MSS</a>" in page, url
    page = client.get("/missions/gsf/events/?kind=transfer&as_of=2025-12-31").content.decode()
    assert page.count('class="kind kind-transfer"') == 2


def test_a_month_precision_event_shows_the_months_end_figure(record_event, client):
    """Month-precision changes are applied together: no single day ever had 20 + 18."""
    record_event(D(2024, 9, 12), "arrival", 20, personnel_type="military")
    record_event(D(2025, 4, 1), "departure", 20, "military", date_precision="month")
    record_event(D(2025, 4, 1), "arrival", 18, "military", date_precision="month")
    record_event(D(2025, 4, 20), "arrival", 5, personnel_type="military")
    page = client.get("/missions/mss/events/?as_of=2025-05-01").content.decode()
    assert page.count("→ 23 deployed at the end of Apr 2025") == 2  # 20 − 20 + 18 + 5
    assert "→ 23 deployed</span>" in page  # the day-precision arrival of 20 Apr
    assert "→ 20 deployed</span>" in page
    after = {
        (e.kind, e.date_precision): e.strength_after
        for e in DeploymentEvent.objects.filter(date__gte=D(2025, 4, 1)).with_strength_after()
    }
    assert after == {("departure", "month"): 23, ("arrival", "month"): 23, ("arrival", "day"): 23}
