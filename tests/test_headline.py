"""The mission's headline (docs/rules.md): deployed against a pledge and without one, like for
like, on the dashboard and on `/`; the ceiling; freshness. Figures worked out by hand
from tests/gsf_data.py."""

from __future__ import annotations

import datetime

import pytest
from dashboard_data import event, pledge
from gsf_data import build_gsf
from test_dashboard import headline

from mss_tracker.tracker import explanations, figures
from mss_tracker.tracker.models import Mission, Source

D = datetime.date


@pytest.fixture
def gsf(db) -> Mission:
    return build_gsf()


# (query, pledged, deployed, against, without, percent, countries, without pledge, names)
#   3 Oct 2025: pledged GTM 150; deployed KEN 758 + GTM 150 + JAM 21 = 929; against GTM 150.
#   8 Dec 2025: deployed KEN 700+230 = 930, GTM 150 + 5, JAM 21 = 1,106; against GTM 155
#               (all types: GTM's civilians count, GTM has a pledge) → 155 ÷ 150 = 103.3%.
#   9 Dec 2025: + TCD 1,500 + BGD 1,500 = 3,150; KEN 830 → 1,006; against 155 → 4.9%.
#     police: BGD 1,500; KEN 830 + JAM 3 = 833, all without a pledge → 0.0%, 0 of 1.
#     military: GTM 150 + TCD 1,500 = 1,650; GTM 150 + JAM 18 = 168; against 150 → 9.1%.
#     civilian: no pledge; GTM 5 without one (its pledge is military) → percent blank.
CASES = [
    ("as_of=2025-10-03", "150", "929", "150", "779", "100.0%", "1 of 1", "2", "Jamaica, Kenya"),
    (
        "as_of=2025-12-08",
        "150",
        "1,106",
        "155",
        "951",
        "103.3%",
        "1 of 1",
        "2",
        "Jamaica, Kenya",
    ),
    ("as_of=2025-12-09", "3,150", "1,006", "155", "851", "4.9%", "1 of 3", "2", "Jamaica, Kenya"),
    (
        "as_of=2025-12-09&type=police",
        "1,500",
        "833",
        "0",
        "833",
        "0.0%",
        "0 of 1",
        "2",
        "Jamaica, Kenya",
    ),
    (
        "as_of=2025-12-09&type=military",
        "1,650",
        "168",
        "150",
        "18",
        "9.1%",
        "1 of 2",
        "1",
        "Jamaica",
    ),
    ("as_of=2025-12-09&type=civilian", "—", "5", "0", "5", "—", "0 of 0", "1", "Guatemala"),
]


@pytest.mark.parametrize(
    ("query", "pledged", "deployed", "against", "without", "percent", "countries", "n", "names"),
    CASES,
)
def test_the_dashboard_separates_deployed_against_a_pledge_from_deployed_without(
    client, gsf, query, pledged, deployed, against, without, percent, countries, n, names
):
    html = client.get(f"/missions/gsf/?{query}").content.decode()
    assert headline(html, "pledged").removesuffix(" disputed") == pledged
    assert headline(html, "deployed").removesuffix(" disputed") == deployed
    assert headline(html, "deployed-against-pledge") == against
    assert headline(html, "deployed-without-pledge") == without
    assert headline(html, "percent") == percent
    assert headline(html, "countries") == countries
    assert headline(html, "countries-without-pledge") == n
    assert "Deployed without a recorded pledge" in html and f": {names}." in html


@pytest.mark.parametrize(
    ("query", "pledged", "deployed", "against", "without", "percent", "countries", "n", "names"),
    CASES,
)
def test_the_missions_list_shows_the_same_headline(
    client, gsf, query, pledged, deployed, against, without, percent, countries, n, names
):
    html = client.get(f"/?{query}").content.decode()
    gsf_card = html[html.index('id="mission-gsf"') :]  # MSS started first, GSF comes last
    assert headline(gsf_card, "deployed-against-pledge") == against
    assert headline(gsf_card, "deployed-without-pledge") == without
    assert headline(gsf_card, "percent") == percent
    assert headline(gsf_card, "countries") == countries
    assert f": {names}." in gsf_card


def test_the_totals_name_who_pledged_without_a_number(gsf):
    totals = figures.mission_totals(gsf, D(2025, 12, 9), "military")
    assert totals.pledged_without_number_countries == ("Sri Lanka",)
    assert totals.deployed_without_pledge_countries == ("Jamaica",)
    assert totals.gap == 1500  # pledged − deployed against a pledge


def test_a_numeric_pledge_of_another_type_counts_under_all_types_only(gsf):
    everything = figures.mission_totals(gsf, D(2025, 11, 2))
    assert (everything.deployed_against_pledge, everything.deployed_without_pledge) == (155, 779)
    civilian = figures.mission_totals(gsf, D(2025, 11, 2), "civilian")
    assert (civilian.deployed_against_pledge, civilian.deployed_without_pledge) == (0, 5)


def test_the_ceiling_says_whom_it_covers_and_is_not_shown_per_type(client, gsf):
    html = client.get("/missions/gsf/?as_of=2025-12-09").content.decode()
    assert "Authorised ceiling (all personnel types)" in html
    assert headline(html, "ceiling") == "5,550"
    html = client.get("/missions/gsf/?as_of=2025-12-09&type=police").content.decode()
    assert 'data-figure="ceiling"' not in html
    assert "ceiling of 5,550 covers all personnel types together" in html


def test_the_missions_list_takes_the_same_queries_whatever_the_data(
    client, gsf, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get("/?as_of=2025-12-09")
    source = Source.objects.get()
    for iso3 in ["RWA", "BEN", "SLE", "BDI", "GMB", "BFA"]:
        pledge(gsf, iso3, "police", D(2025, 11, 1), 100, source)
        for day in range(1, 4):
            event(gsf, iso3, "arrival", "police", D(2025, 11, day), 10, source)
    for day in range(10, 28):
        event(gsf, "KEN", "arrival", "police", D(2025, 11, day), 1, source)
    with django_assert_max_num_queries(len(before)):
        client.get("/?as_of=2025-12-09")


@pytest.mark.parametrize("per_query", [1, 2, figures.MISSIONS_PER_QUERY])
def test_every_missions_headline_at_once_is_each_missions_headline(
    gsf, monkeypatch, per_query, django_assert_num_queries
):
    """figures.missions_totals (the missions list) reads each mission's rows at its own
    date, in one query per MISSIONS_PER_QUERY missions, and sums them like mission_totals."""
    monkeypatch.setattr(figures, "MISSIONS_PER_QUERY", per_query)
    mss = Mission.objects.get(slug="mss")
    asked = [(gsf, D(2025, 12, 9)), (mss, D(2025, 1, 5)), (gsf, D(2025, 10, 3))]
    for personnel_type in (None, "police", "civilian"):
        with django_assert_num_queries(-(-len(asked) // per_query)):
            together = figures.missions_totals(asked, personnel_type)
        assert together == [figures.mission_totals(m, day, personnel_type) for m, day in asked]
    assert figures.missions_totals([]) == []


# Freshness ---------------------------------------------------------------------------


def freshness_of(html: str) -> str:
    start = html.index('<p class="freshness')
    return " ".join(html[start : html.index("</p>", start)].split())


@pytest.mark.parametrize("url", ["/missions/gsf/", "/missions/gsf/countries/KEN/"])
def test_a_page_whose_latest_event_is_over_90_days_old_says_so(client, gsf, url):
    # The last GSF (and Kenyan) event: 9 Dec 2025. 9 Mar 2026 is 90 days later.
    text = freshness_of(client.get(f"{url}?as_of=2026-03-10").content.decode())
    assert "9 Dec 2025" in text
    assert "Nothing has been recorded for 91 days" in text and "out of date" in text
    text = freshness_of(client.get(f"{url}?as_of=2026-03-09").content.decode())
    assert "9 Dec 2025" in text and "out of date" not in text


def test_a_recent_event_shows_its_date_without_a_warning(client, gsf):
    html = client.get("/missions/gsf/?as_of=2025-12-20").content.decode()
    assert "Latest event recorded: <strong>9 Dec 2025</strong>" in freshness_of(html)
    assert "out of date" not in html


def test_the_type_filter_asks_for_the_latest_event_of_that_type(client, gsf):
    # The latest civilian event is 1 Nov 2025: 94 days before 3 Feb 2026.
    html = client.get("/missions/gsf/?as_of=2026-02-03&type=civilian").content.decode()
    assert "1 Nov 2025" in freshness_of(html) and "94 days" in freshness_of(html)
    html = client.get("/missions/gsf/?as_of=2026-02-03").content.decode()
    assert "out of date" not in html


def test_an_ended_mission_at_its_end_date_has_no_warning(client, gsf):
    mss = Mission.objects.get(slug="mss")
    event(mss, "KEN", "arrival", "police", D(2025, 3, 1), 10, Source.objects.get())
    # 215 days between the last event and the end date, but the mission has ended.
    html = client.get("/missions/mss/").content.decode()
    assert "1 Mar 2025" in freshness_of(html) and "out of date" not in html
    html = client.get("/missions/mss/?as_of=2025-10-02").content.decode()
    assert "out of date" not in html
    html = client.get("/missions/mss/?as_of=2025-09-01").content.decode()
    assert "Nothing has been recorded for 184 days" in html


def test_the_freshness_rule():
    mission = Mission(start_date=D(2025, 1, 1))
    assert not explanations.freshness(mission, D(2025, 4, 1), D(2025, 1, 1)).stale  # 90 days
    assert explanations.freshness(mission, D(2025, 4, 2), D(2025, 1, 1)).stale
    assert not explanations.freshness(mission, D(2025, 4, 2), None).stale
    mission.end_date = D(2025, 4, 2)
    assert not explanations.freshness(mission, D(2025, 4, 2), D(2025, 1, 1)).stale
