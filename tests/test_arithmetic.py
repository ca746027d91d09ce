"""The rules of docs/rules.md, "The arithmetic", one example each, through the real write path."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from mss_tracker.dashboards.templatetags.dashboard_format import percent_of_pledge
from mss_tracker.tracker import figures
from mss_tracker.tracker.models import Country, DeploymentEvent, Pledge
from mss_tracker.tracker.timelines import NegativeStrength

D = datetime.date


def kenya_row(mission, as_of, personnel_type=None):
    return figures.country_figures(mission, as_of, personnel_type).get(iso3="KEN")


def test_a_later_pledge_supersedes_an_earlier_one(mission, record_pledge):
    record_pledge(D(2023, 7, 29), 1000)
    record_pledge(D(2024, 3, 1), 600)
    assert kenya_row(mission, D(2024, 2, 1)).pledged == 1000
    assert kenya_row(mission, D(2024, 3, 1)).pledged == 600


def test_a_pledge_without_a_number_counts_the_country_but_adds_nothing(mission, record_pledge):
    record_pledge(D(2024, 3, 1), None)
    row = kenya_row(mission, D(2024, 4, 1))
    assert row.has_pledge and row.pledged is None and row.gap is None
    assert percent_of_pledge(row) is None
    assert figures.mission_totals(mission, D(2024, 4, 1)).pledged is None


def test_pledges_sum_over_types_ignoring_those_without_a_number(mission, record_pledge):
    record_pledge(D(2024, 3, 1), 100, "police")
    record_pledge(D(2024, 3, 1), None, "military")
    record_pledge(D(2024, 3, 1), 20, "civilian")
    assert kenya_row(mission, D(2024, 4, 1)).pledged == 120
    assert kenya_row(mission, D(2024, 4, 1), "military").pledged is None


def test_a_strength_report_overrides_the_same_days_arrivals(mission, record_event):
    record_event(D(2024, 6, 25), "arrival", 200)
    record_event(D(2024, 7, 16), "arrival", 200)
    record_event(D(2024, 7, 16), "strength_report", 380)
    record_event(D(2024, 7, 20), "arrival", 10)
    assert kenya_row(mission, D(2024, 7, 15)).deployed == 200
    assert kenya_row(mission, D(2024, 7, 16)).deployed == 380
    assert kenya_row(mission, D(2024, 7, 20)).deployed == 390


def test_a_zero_strength_report_resets_to_zero(mission, record_event):
    record_event(D(2024, 6, 25), "arrival", 200)
    record_event(D(2024, 8, 1), "strength_report", 0)
    assert kenya_row(mission, D(2024, 8, 1)).deployed == 0


def test_fatalities_reduce_strength_and_are_counted(mission, record_event):
    record_event(D(2024, 6, 25), "arrival", 200)
    record_event(D(2025, 2, 23), "fatality", 1)
    record_event(D(2025, 3, 25), "fatality", 1)
    row = kenya_row(mission, D(2025, 3, 1))
    assert (row.deployed, row.fatalities) == (199, 1)
    assert kenya_row(mission, D(2025, 4, 1)).fatalities == 2


def test_first_arrival_and_last_event_respect_date_and_type(mission, record_event):
    record_event(D(2024, 6, 25), "arrival", 200, "police")
    record_event(D(2024, 9, 1), "arrival", 5, "military")
    record_event(D(2024, 10, 1), "departure", 5, "military")
    row = kenya_row(mission, D(2024, 9, 15))
    assert (row.first_arrival, row.last_event) == (D(2024, 6, 25), D(2024, 9, 1))
    military = kenya_row(mission, D(2024, 12, 1), "military")
    assert (military.first_arrival, military.last_event, military.deployed) == (
        D(2024, 9, 1),
        D(2024, 10, 1),
        0,
    )


def test_gap_and_percent_of_pledge(mission, record_event, record_pledge):
    record_pledge(D(2023, 7, 29), 1000)
    record_event(D(2024, 6, 25), "arrival", 750)
    row = kenya_row(mission, D(2024, 7, 1))
    assert row.gap == 250
    assert str(percent_of_pledge(row)) == "75.0"  # the pages' filter, figures' one rule


def test_percent_is_blank_when_the_pledge_is_zero():
    assert figures.percent_of_pledge(10, 0) is None
    assert str(figures.percent_of_pledge(1, 3)) == "33.3"
    assert str(figures.percent_of_pledge(2, 3)) == "66.7"


def test_a_country_appears_only_once_it_has_a_pledge_or_event(
    mission, record_event, record_pledge, kenya
):
    jamaica = Country.objects.get_or_create_from_iso3("JAM")
    record_pledge(D(2024, 9, 1), 200, country=jamaica)
    record_event(D(2024, 6, 25), "arrival", 200)
    assert list(figures.country_figures(mission, D(2024, 7, 1)).values_list("iso3", flat=True)) == [
        "KEN"
    ]
    assert set(figures.country_figures(mission, D(2024, 9, 1)).values_list("iso3", flat=True)) == {
        "KEN",
        "JAM",
    }


def test_a_back_dated_departure_that_would_go_negative_is_refused(mission, record_event):
    record_event(D(2024, 6, 25), "arrival", 200)
    record_event(D(2024, 7, 16), "strength_report", 400)
    with pytest.raises(NegativeStrength) as refused:
        record_event(D(2024, 7, 1), "departure", 250)
    message = refused.value.messages[0]
    assert "1 Jul 2024" in message and "shortfall of 50" in message
    assert DeploymentEvent.objects.count() == 2


def test_deleting_the_arrival_a_departure_depends_on_is_refused(mission, record_event):
    arrival = record_event(D(2024, 6, 25), "arrival", 200)
    record_event(D(2024, 9, 1), "departure", 100)
    with pytest.raises(NegativeStrength, match="shortfall of 100"):
        arrival.delete()
    with pytest.raises(NegativeStrength):
        DeploymentEvent.objects.filter(kind="arrival").delete()
    assert DeploymentEvent.objects.count() == 2


def test_changing_an_event_rebuilds_both_timelines(mission, record_event):
    event = record_event(D(2024, 6, 25), "arrival", 200, "police")
    event.personnel_type = "military"
    event.save()
    assert not figures.country_figures(mission, D(2024, 7, 1), "police").exists()
    assert kenya_row(mission, D(2024, 7, 1), "military").deployed == 200


def test_validate_timeline_checks_without_writing(mission, record_event, kenya, source):
    record_event(D(2024, 6, 25), "arrival", 10)
    departure = DeploymentEvent(
        mission=mission,
        country=kenya,
        source=source,
        date=D(2024, 7, 1),
        kind="departure",
        personnel=11,
        personnel_type="police",
    )
    with pytest.raises(NegativeStrength, match="shortfall of 1"):
        departure.validate_timeline()
    assert departure.pk is None and departure._state.adding
    assert DeploymentEvent.objects.count() == 1


def test_the_database_refuses_a_second_strength_report_on_one_date(mission, record_event):
    record_event(D(2024, 7, 16), "strength_report", 400)
    with pytest.raises(IntegrityError), transaction.atomic():
        record_event(D(2024, 7, 16), "strength_report", 380)


def test_the_database_refuses_an_arrival_of_nobody(mission, record_event):
    with pytest.raises(IntegrityError), transaction.atomic():
        record_event(D(2024, 7, 16), "arrival", 0)


def test_the_database_refuses_a_month_precision_date_that_is_not_the_first(mission, kenya, source):
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(
            mission=mission,
            country=kenya,
            source=source,
            date=D(2023, 8, 3),
            date_precision="month",
            personnel=200,
            personnel_type="police",
        )


def test_an_ended_mission_shows_its_end_date(mission):
    mission.end_date = D(2025, 10, 2)
    assert mission.effective_as_of(D(2026, 1, 1)) == D(2025, 10, 2)
    assert mission.effective_as_of(D(2025, 1, 1)) == D(2025, 1, 1)
    assert mission.effective_as_of() == D(2025, 10, 2)


def test_country_figures_and_totals_take_one_query_each_whatever_the_size(
    mission, source, django_assert_num_queries
):
    for code in ["KEN", "JAM", "GTM", "SLV", "BHS", "BLZ", "BEN", "TCD"]:
        country = Country.objects.get_or_create_from_iso3(code)
        Pledge.objects.create(
            mission=mission,
            country=country,
            source=source,
            date=D(2024, 1, 1),
            personnel=100,
            personnel_type="police",
        )
        for day in range(1, 20):
            DeploymentEvent.objects.create(
                mission=mission,
                country=country,
                source=source,
                date=D(2024, 7, day),
                kind="arrival",
                personnel=1,
                personnel_type="police",
            )
    with django_assert_num_queries(1):
        rows = list(figures.country_figures(mission, D(2024, 8, 1)))
    assert len(rows) == 8 and all(row.deployed == 19 for row in rows)
    with django_assert_num_queries(1):
        assert figures.mission_totals(mission, D(2024, 8, 1)).deployed == 8 * 19
    with django_assert_num_queries(1):
        assert figures.strength_series(mission, D(2024, 8, 1))[-1] == (D(2024, 7, 19), 152)
