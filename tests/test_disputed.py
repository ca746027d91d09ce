"""docs/rules.md, "Disputed follows the figure", through `figures` (the one rule) and the pages.

A pledged figure is disputed when the pledge in force is; a deployed figure when the
latest strength report dated ≤ D or a change after it is; a total when any part is.
"""

from __future__ import annotations

import datetime
import re

import pytest
from test_dashboard import cell, row

from mss_tracker.tracker import figures
from mss_tracker.tracker.models import Country, DeploymentEvent, Pledge

D = datetime.date


@pytest.fixture
def record(mission, source):
    def record_event(day, kind, personnel, disputed=False, personnel_type="police", iso3="KEN"):
        return DeploymentEvent.objects.create(
            mission=mission,
            country=Country.objects.get_or_create_from_iso3(iso3),
            source=source,
            date=day,
            kind=kind,
            personnel=personnel,
            personnel_type=personnel_type,
            disputed=disputed,
            notes="Sources disagree." if disputed else "",
        )

    return record_event


@pytest.fixture
def pledge(mission, source):
    def record_pledge(day, personnel, disputed=False, personnel_type="police", iso3="KEN"):
        return Pledge.objects.create(
            mission=mission,
            country=Country.objects.get_or_create_from_iso3(iso3),
            source=source,
            date=day,
            personnel=personnel,
            personnel_type=personnel_type,
            disputed=disputed,
            notes="The US said 2,000." if disputed else "",
        )

    return record_pledge


def kenya(mission, day, personnel_type=None):
    return figures.country_figures(mission, day, personnel_type).get(iso3="KEN")


def test_an_undisputed_report_the_same_day_clears_a_disputed_arrival(mission, record):
    """Guatemala, 4 Jan 2025: a disputed arrival of 75 and an undisputed headcount of 150."""
    record(D(2025, 1, 3), "arrival", 75)
    arrival = record(D(2025, 1, 4), "arrival", 75, disputed=True)
    record(D(2025, 1, 4), "strength_report", 150)
    assert kenya(mission, D(2025, 1, 3)).deployed_disputed_by is None
    assert kenya(mission, D(2025, 1, 4)).deployed_disputed_by is None
    assert kenya(mission, D(2025, 1, 5)).deployed == 150
    # Before the report existed, the arrival made the figure disputed.
    DeploymentEvent.objects.filter(kind="strength_report").delete()
    assert kenya(mission, D(2025, 1, 4)).deployed_disputed_by == arrival.pk


def test_an_undisputed_report_on_a_later_day_clears_earlier_doubts(mission, record):
    arrival = record(D(2024, 6, 25), "arrival", 200, disputed=True)
    record(D(2024, 7, 16), "strength_report", 400)
    assert kenya(mission, D(2024, 7, 15)).deployed_disputed_by == arrival.pk
    assert kenya(mission, D(2024, 7, 16)).deployed_disputed_by is None


def test_a_disputed_departure_after_an_undisputed_report_makes_it_disputed(mission, record):
    record(D(2025, 1, 4), "strength_report", 400)
    departure = record(D(2025, 3, 25), "departure", 1, disputed=True)
    assert kenya(mission, D(2025, 3, 24)).deployed_disputed_by is None
    assert kenya(mission, D(2025, 3, 25)).deployed_disputed_by == departure.pk
    record(D(2025, 6, 1), "strength_report", 399)
    assert kenya(mission, D(2025, 6, 1)).deployed_disputed_by is None


def test_a_disputed_report_is_disputed_until_the_next_report(mission, record):
    report = record(D(2025, 12, 7), "strength_report", 700, disputed=True)
    record(D(2025, 12, 8), "arrival", 230)
    later = record(D(2025, 12, 9), "transfer", 5, disputed=True)
    assert kenya(mission, D(2025, 12, 8)).deployed_disputed_by == report.pk
    assert kenya(mission, D(2025, 12, 9)).deployed_disputed_by == later.pk  # the latest
    record(D(2025, 12, 10), "strength_report", 700)
    assert kenya(mission, D(2025, 12, 10)).deployed_disputed_by is None


def test_a_disputed_fatality_before_the_report_no_longer_counts(mission, record):
    record(D(2025, 1, 4), "arrival", 400)
    record(D(2025, 2, 1), "fatality", 1, disputed=True)
    record(D(2025, 3, 1), "strength_report", 399)
    row = kenya(mission, D(2025, 3, 1))
    assert row.deployed_disputed_by is None and row.fatalities == 1


def test_a_disputed_pledge_superseded_by_an_undisputed_one_is_no_longer_disputed(mission, pledge):
    disputed = pledge(D(2024, 2, 29), 1500, disputed=True)
    assert kenya(mission, D(2024, 3, 1)).pledged_disputed_by == disputed.pk
    pledge(D(2024, 9, 1), 1200)
    assert kenya(mission, D(2024, 9, 1)).pledged_disputed_by is None
    later = pledge(D(2025, 1, 1), 1000, disputed=True)
    assert kenya(mission, D(2025, 1, 1)).pledged_disputed_by == later.pk


def test_each_type_follows_its_own_figures_and_all_types_any_of_them(mission, record, pledge):
    record(D(2024, 7, 1), "arrival", 10, personnel_type="military", disputed=True)
    record(D(2024, 7, 1), "arrival", 100, personnel_type="police")
    pledge(D(2024, 1, 1), 50, personnel_type="military", disputed=True)
    pledge(D(2024, 1, 1), 500, personnel_type="police")
    day = D(2024, 7, 2)
    assert kenya(mission, day, "police").deployed_disputed_by is None
    assert kenya(mission, day, "police").pledged_disputed_by is None
    assert kenya(mission, day, "military").deployed_disputed_by is not None
    assert kenya(mission, day).deployed_disputed_by is not None
    assert kenya(mission, day).pledged_disputed_by is not None


def test_a_total_is_disputed_when_any_part_is(mission, record, pledge):
    record(D(2024, 7, 1), "arrival", 100)
    record(D(2024, 7, 1), "arrival", 20, iso3="JAM")
    pledge(D(2024, 1, 1), 1000)
    pledge(D(2024, 1, 1), 200, iso3="JAM")
    totals = figures.mission_totals(mission, D(2024, 7, 2))
    assert not totals.deployed_disputed and not totals.pledged_disputed
    record(D(2024, 7, 3), "departure", 5, iso3="JAM", disputed=True)
    pledge(D(2024, 7, 3), 150, iso3="JAM", disputed=True)
    totals = figures.mission_totals(mission, D(2024, 7, 3))
    assert totals.deployed_disputed and totals.pledged_disputed
    assert not figures.mission_totals(mission, D(2024, 7, 3), "military").deployed_disputed


def test_the_badge_links_to_the_record_and_its_reason_is_shown_open(
    client, mission, record, pledge
):
    record(D(2025, 1, 4), "strength_report", 400)
    departure = record(D(2025, 3, 25), "fatality", 1, disputed=True)
    disputed_pledge = pledge(D(2024, 2, 29), 1500, disputed=True)
    html = client.get("/missions/mss/?as_of=2025-04-01").content.decode()
    deployed = cell(row(html, "KEN"), "Deployed")
    assert deployed == "399 disputed"
    link = f'href="/missions/mss/countries/KEN/?as_of=2025-04-01#disputed-event-{departure.pk}"'
    assert link in row(html, "KEN")
    assert f"#disputed-pledge-{disputed_pledge.pk}" in row(html, "KEN")
    assert 'data-disputed="deployed"' in html and 'data-disputed="pledged"' in html

    page = client.get("/missions/mss/countries/KEN/?as_of=2025-04-01").content.decode()
    item = re.search(rf'<li id="disputed-event-{departure.pk}">(.*?)</li>', page, re.S)
    assert item and '<details class="notes" open>' in item.group(1)
    assert "Sources disagree." in item.group(1) and f'href="#event-{departure.pk}"' in item.group(1)
    assert f'<li id="disputed-pledge-{disputed_pledge.pk}">' in page
    assert f'href="#disputed-event-{departure.pk}"' in page  # the country's own headline


def test_an_undisputed_figure_has_no_badge(client, mission, record):
    record(D(2025, 1, 4), "arrival", 75, disputed=True)
    record(D(2025, 1, 4), "strength_report", 150)
    html = client.get("/missions/mss/?as_of=2025-01-05").content.decode()
    assert cell(row(html, "KEN"), "Deployed") == "150"
    assert (
        "Why these figures are disputed"
        not in client.get("/missions/mss/countries/KEN/?as_of=2025-01-05").content.decode()
    )


def test_summary_csv_carries_the_marks_the_page_shows(client, mission, record, pledge):
    import csv
    import io

    record(D(2025, 1, 4), "arrival", 75, disputed=True, iso3="GTM", personnel_type="military")
    record(D(2025, 1, 4), "strength_report", 150, iso3="GTM", personnel_type="military")
    record(D(2025, 1, 4), "strength_report", 400)
    record(D(2025, 3, 25), "fatality", 1, disputed=True)
    pledge(D(2024, 2, 29), 1500, disputed=True, iso3="BEN", personnel_type="military")
    for query in ("as_of=2025-04-01", "as_of=2025-04-01&type=military"):
        response = client.get(f"/missions/mss/export/summary.csv?{query}")
        text = b"".join(response.streaming_content).decode()
        rows = list(csv.DictReader(io.StringIO(text)))
        assert list(rows[0])[-4:] == [
            "pledged_disputed",
            "deployed_disputed",
            "pledged_unconfirmed",
            "deployed_unconfirmed",
        ]
        html = client.get(f"/missions/mss/?{query}").content.decode()
        for line in rows:
            page_row = row(html, line["country_iso3"])
            assert line["pledged_disputed"] == str("disputed" in cell(page_row, "Pledged")).lower()
            assert (
                line["deployed_disputed"] == str("disputed" in cell(page_row, "Deployed")).lower()
            )
        marks = {line["country_iso3"]: line["deployed_disputed"] for line in rows}
        assert marks.get("GTM") == "false"
    response = client.get("/missions/mss/export/summary.csv?as_of=2025-04-01")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_code = {line["country_iso3"]: line for line in rows}
    assert by_code["KEN"]["deployed_disputed"] == "true"
    assert by_code["BEN"]["pledged_disputed"] == "true"
    assert by_code["KEN"]["pledged_disputed"] == "false"
    # How much is in doubt: Kenya's whole deployed figure, Benin's whole pledge, no more.
    assert (by_code["KEN"]["deployed_unconfirmed"], by_code["KEN"]["pledged_unconfirmed"]) == (
        "399",
        "0",
    )
    assert (by_code["BEN"]["pledged_unconfirmed"], by_code["GTM"]["deployed_unconfirmed"]) == (
        "1500",
        "0",
    )
