"""The `transfer` event kind: personnel carried over from the predecessor mission."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from mss_tracker.tracker import figures
from mss_tracker.tracker.models import Country, DeploymentEvent, Mission, TimelinePoint

D = datetime.date


@pytest.fixture
def gsf(mission, haiti) -> Mission:
    """A successor of the conftest mission (MSS), started the day after MSS ended."""
    successor = Mission.objects.create(
        slug="gsf",
        acronym="GSF",
        name="Gang Suppression Force",
        host_country=haiti,
        authorized_by="UN Security Council resolution 2793",
        authorized_on=D(2025, 9, 30),
        start_date=D(2025, 10, 3),
        authorized_ceiling=5550,
    )
    mission.end_date = D(2025, 10, 2)
    mission.successor = successor
    mission.save()
    return successor


def event(mission, country, day, kind, personnel, source, personnel_type="police", **extra):
    return DeploymentEvent.objects.create(
        mission=mission,
        country=country,
        source=source,
        date=day,
        kind=kind,
        personnel=personnel,
        personnel_type=personnel_type,
        **extra,
    )


def test_a_transfer_adds_like_an_arrival_and_counts_as_first_arrival(gsf, kenya, source):
    event(gsf, kenya, D(2025, 10, 3), "transfer", 758, source)
    event(gsf, kenya, D(2025, 12, 8), "arrival", 230, source)
    event(gsf, kenya, D(2025, 12, 9), "departure", 100, source)
    row = figures.country_figures(gsf, D(2025, 10, 3)).get(iso3="KEN")
    assert (row.deployed, row.first_arrival) == (758, D(2025, 10, 3))
    row = figures.country_figures(gsf, D(2025, 12, 9), "police").get(iso3="KEN")
    assert (row.deployed, row.first_arrival) == (888, D(2025, 10, 3))
    assert figures.strength_series(gsf, D(2025, 12, 31))[0] == (D(2025, 10, 3), 758)


def test_a_strength_report_after_a_transfer_overrides_it(gsf, kenya, source):
    event(gsf, kenya, D(2025, 10, 3), "transfer", 758, source)
    event(gsf, kenya, D(2025, 12, 7), "strength_report", 700, source)
    assert figures.mission_totals(gsf, D(2025, 12, 7)).deployed == 700


def test_a_departure_may_draw_on_transferred_personnel(gsf, kenya, source):
    event(gsf, kenya, D(2025, 10, 3), "transfer", 10, source)
    event(gsf, kenya, D(2025, 10, 4), "departure", 10, source)
    assert TimelinePoint.objects.get(personnel_type="police", date=D(2025, 10, 4)).deployed == 0


def test_the_database_refuses_a_transfer_of_nobody(gsf, kenya, source):
    with pytest.raises(IntegrityError), transaction.atomic():
        event(gsf, kenya, D(2025, 10, 3), "transfer", 0, source)


def test_a_report_after_a_transfer_is_not_shown_as_unaccounted(gsf, kenya, source, client):
    event(gsf, kenya, D(2025, 10, 3), "transfer", 700, source)
    event(gsf, kenya, D(2025, 12, 7), "strength_report", 700, source)
    page = client.get("/missions/gsf/countries/KEN/?as_of=2025-12-31").content.decode()
    assert "unaccounted" not in page and "do not add up" not in page


def test_the_timeline_says_carried_over_from_the_predecessor(gsf, kenya, source, client):
    event(gsf, kenya, D(2025, 10, 3), "transfer", 758, source)
    jamaica = Country.objects.get_or_create_from_iso3("JAM")
    event(gsf, jamaica, D(2025, 10, 3), "transfer", 3, source)
    for url in ("/missions/gsf/events/?as_of=2025-12-31", "/missions/gsf/countries/KEN/"):
        page = client.get(url).content.decode()
        assert "carried over from" in page and ">MSS</a>" in page, url
    page = client.get("/missions/gsf/events/?kind=transfer&as_of=2025-12-31").content.decode()
    assert page.count('class="kind kind-transfer"') == 2


def test_a_month_precision_event_shows_the_months_end_figure(mission, kenya, source, client):
    """Month-precision changes are applied together: no single day ever had 20 + 18."""
    event(mission, kenya, D(2024, 9, 12), "arrival", 20, source, personnel_type="military")
    event(
        mission, kenya, D(2025, 4, 1), "departure", 20, source, "military", date_precision="month"
    )
    event(mission, kenya, D(2025, 4, 1), "arrival", 18, source, "military", date_precision="month")
    event(mission, kenya, D(2025, 4, 20), "arrival", 5, source, personnel_type="military")
    page = client.get("/missions/mss/events/?as_of=2025-05-01").content.decode()
    assert page.count("→ 23 deployed at the end of Apr 2025") == 2  # 20 − 20 + 18 + 5
    assert "→ 23 deployed</span>" in page  # the day-precision arrival of 20 Apr
    assert "→ 20 deployed</span>" in page
    after = {
        (e.kind, e.date_precision): e.strength_after
        for e in DeploymentEvent.objects.filter(date__gte=D(2025, 4, 1)).with_strength_after()
    }
    assert after == {("departure", "month"): 23, ("arrival", "month"): 23, ("arrival", "day"): 23}
