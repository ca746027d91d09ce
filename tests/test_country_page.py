"""/missions/<slug>/countries/<iso3>/: one country's pledges, events, chart and totals."""

from __future__ import annotations

import datetime
import re

import pytest
from dashboard_data import event
from django.db import connection
from django.test.utils import CaptureQueriesContext
from test_dashboard import headline

from mss_tracker.tracker import figures
from mss_tracker.tracker.models import Country, DeploymentEvent

D = datetime.date
KENYA = "/missions/mss/countries/KEN/"


def test_it_shows_the_countrys_figures(client, sample_missions):
    html = client.get(f"{KENYA}?as_of=2025-01-05").content.decode()
    assert headline(html, "pledged") == "1,000"
    assert headline(html, "deployed") == "400"
    assert headline(html, "gap") == "600"
    assert headline(html, "percent") == "40.0%"
    assert headline(html, "first-arrival") == "25 Jun 2024"
    assert headline(html, "last-event") == "4 Jan 2025"


@pytest.mark.parametrize(
    ("iso3", "as_of", "personnel_type"),
    [
        ("KEN", D(2025, 3, 1), None),
        ("JAM", D(2025, 5, 1), "military"),
        ("GTM", D(2025, 1, 4), None),
    ],
)
def test_its_figures_are_the_arithmetics_figures(
    client, sample_missions, iso3, as_of, personnel_type
):
    query = f"as_of={as_of}" + (f"&type={personnel_type}" if personnel_type else "")
    html = client.get(f"/missions/mss/countries/{iso3}/?{query}").content.decode()
    expected = figures.country_figures(sample_missions.mss, as_of, personnel_type).get(pk=iso3)
    assert headline(html, "deployed") == f"{expected.deployed:,}"
    assert headline(html, "fatalities") == f"{expected.fatalities:,}"


def test_its_code_is_case_insensitive(client, sample_missions):
    lower = client.get("/missions/mss/countries/ken/?as_of=2025-01-05")
    upper = client.get("/missions/MSS/countries/KEN/?as_of=2025-01-05")
    assert lower.status_code == upper.status_code == 200
    assert headline(lower.content.decode(), "deployed") == "400"


@pytest.mark.parametrize(
    "path",
    [
        "/missions/mss/countries/XYZ/",
        "/missions/mss/countries/USA/",
        "/missions/mss/countries/TCD/",
        "/missions/nope/countries/KEN/",
    ],
)
def test_an_unknown_country_or_one_outside_the_mission_is_a_404(client, sample_missions, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "There is no such page" in response.content.decode()


def test_it_shows_the_totals_by_personnel_type(client, sample_missions):
    html = client.get("/missions/mss/countries/JAM/?as_of=2025-05-01").content.decode()
    section = html.split('id="types-heading"')[1].split("</table>")[0]
    military = section.split('<th scope="row">Military</th>')[1].split("</tr>")[0]
    police = section.split('<th scope="row">Police</th>')[1].split("</tr>")[0]
    assert ">170<" in military and ">18<" in military  # pledged 170, deployed 20 − 20 + 18
    assert ">30<" in police and ">4<" in police
    assert "Civilian" not in section


def test_it_shows_what_superseded_what_in_the_pledge_history(client, sample_missions):
    html = client.get("/missions/mss/countries/GTM/?as_of=2025-01-05").content.decode()
    history = html.split('id="pledges-heading"')[1].split("</section>")[0]
    assert "superseded on 24 Sep 2024 by 150" in history
    assert "in force" in history
    assert "Jun 2024" in history  # month precision
    assert '<abbr title="number not announced">—</abbr>' in history


def test_it_lists_the_events_with_sources_and_notes(client, sample_missions):
    html = client.get(f"{KENYA}?as_of=2025-10-02").content.decode()
    events = html.split('id="events-heading"')[1]
    assert events.index("23 Feb 2025") < events.index("25 Jun 2024")  # newest first
    assert '<a href="https://krdo.com/news/2024/06/25/contingent/"' in events
    assert "AFP said 400." in events and "Why disputed" in events
    assert re.search(r'<li class="event" id="event-\d+">', events)


def test_it_states_where_a_strength_report_does_not_add_up(client, sample_missions):
    html = client.get(f"{KENYA}?as_of=2025-10-02").content.decode()
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert (
        "Reported 400 police on 4 Jan 2025, against 382 from the records before it: the "
        "headcount of 382 on 26 Sep 2024, and nothing recorded since. 18 unaccounted for." in text
    )
    assert (
        "Reported 382 police on 26 Sep 2024, against 400 from the records before it: the "
        "headcount of 400 on 16 Jul 2024, and nothing recorded since. 18 fewer than that." in text
    )
    assert "Reported 400 police on 16 Jul 2024" not in text  # 200 + 200: it adds up


def strength_report_discrepancies(mission, country, as_of, personnel_type=None):
    return DeploymentEvent.objects.strength_discrepancies(mission, country, as_of, personnel_type)


def test_the_discrepancy_query_is_one_query_and_ignores_same_day_arrivals(sample_missions):
    mss, kenya = sample_missions.mss, Country.objects.get(pk="KEN")
    with CaptureQueriesContext(connection) as queries:
        found = [
            (r.date, r.personnel, r.expected, r.unaccounted)
            for r in strength_report_discrepancies(mss, kenya, D(2025, 10, 2))
        ]
    assert len(queries) == 1
    assert found == [(D(2025, 1, 4), 400, 382, 18), (D(2024, 9, 26), 382, 400, -18)]
    guatemala = Country.objects.get(pk="GTM")  # 75, then 75 + a report of 150 on one day
    assert not strength_report_discrepancies(mss, guatemala, D(2025, 10, 2)).exists()
    assert not strength_report_discrepancies(mss, kenya, D(2025, 1, 1), "military").exists()


def test_it_links_its_chart_and_csv_with_the_filters(client, sample_missions):
    html = client.get(f"{KENYA}?as_of=2025-01-05&type=police").content.decode()
    assert 'href="/missions/mss/countries/KEN/chart.svg?as_of=2025-01-05&amp;type=police"' in html
    assert (
        'href="/missions/mss/export/events.csv?as_of=2025-01-05&amp;type=police&amp;country=KEN"'
        in html
    )
    assert "Download CSV" in html


def test_it_answers_htmx_with_the_changed_regions(client, sample_missions):
    response = client.get(f"{KENYA}?as_of=2025-01-05", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and 'id="results"' in html and 'hx-swap-oob="true"' in html
    assert "HX-Request" in response["Vary"]


def test_its_query_count_does_not_grow_with_events(
    client, sample_missions, django_assert_num_queries
):
    url = f"{KENYA}?as_of=2025-10-02"
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    mss, source = sample_missions.mss, sample_missions.source
    for day in range(1, 29):
        event(mss, "KEN", "arrival", "civilian", D(2025, 3, day), day, source)
        event(mss, "KEN", "strength_report", "civilian", D(2025, 5, day), 500 + day, source)
    with django_assert_num_queries(len(before)):
        response = client.get(url)
    html = response.content.decode()
    assert html.count('class="event"') == 50  # the latest 50 of 7 + 56
    assert "All 63 events →" in html
    # mission, country, its figures for the filter and by type (one query), pledges,
    # events: count and page, discrepancies, 2 series and the precision of their drawn
    # dates, its funding records as a donor
    assert len(before) == 11


def test_it_lists_the_latest_events_and_links_the_rest_with_its_filters(client, sample_missions):
    mss, source = sample_missions.mss, sample_missions.source
    for day in range(1, 29):
        event(mss, "KEN", "arrival", "police", D(2025, 3, day), day, source)
        event(mss, "KEN", "strength_report", "police", D(2025, 5, day), 700 + day, source)
    html = client.get(f"{KENYA}?as_of=2025-10-02&type=police").content.decode()
    events = html.split('id="events-heading"')[1].split("</section>")[0]
    assert events.count('class="event"') == 50
    assert "The latest 50 of" in events
    assert events.index("28 May 2025") < events.index("1 May 2025")  # newest first
    assert 'datetime="2024-06-25"' not in events  # the oldest are on the timeline
    link = re.search(r'href="([^"]+)">All ([\d,]+) events →', events)
    assert link.group(1) == "/missions/mss/events/?as_of=2025-10-02&amp;type=police&amp;country=KEN"
    timeline = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert f"{link.group(2)} events up to" in timeline
    # A report that does not add up, older than the latest 50: its link opens the timeline
    # up to its date, where it is on the first page.
    old = re.search(r'<li id="discrepancy-(\d+)"><a href="([^"]+)">Reported 382', html)
    assert old.group(2) == (
        "/missions/mss/events/?as_of=2025-10-02&amp;type=police&amp;country=KEN"
        f"&amp;to=2024-09-26#event-{old.group(1)}"
    )
    page = client.get(old.group(2).split("#")[0].replace("&amp;", "&")).content.decode()
    assert f'id="event-{old.group(1)}"' in page


def test_a_short_history_is_listed_whole(client, sample_missions):
    html = client.get(f"{KENYA}?as_of=2025-10-02").content.decode()
    events = html.split('id="events-heading"')[1].split("</section>")[0]
    assert "All " not in events and "The latest" not in events
    assert "Filter Kenya’s events on the timeline →" in events
    assert re.search(r'<li id="discrepancy-(\d+)"><a href="#event-\1">', html)


@pytest.mark.parametrize("personnel_type", ["", "police", "military", "civilian"])
def test_it_answers_for_a_date_before_the_country_has_any_record(
    client, sample_missions, personnel_type
):
    response = client.get(f"/missions/mss/countries/JAM/?as_of=2024-06-30&type={personnel_type}")
    assert response.status_code == 200
    assert "Nothing pledged or deployed by 30 Jun 2024" in response.content.decode()


def test_it_shows_the_latest_reports_that_do_not_add_up_and_links_the_older(
    client, sample_missions, monkeypatch
):
    monkeypatch.setattr("mss_tracker.dashboards.views.COUNTRY_EVENTS", 1)
    html = client.get(f"{KENYA}?as_of=2025-10-02").content.decode()
    section = html.split('id="discrepancies-heading"')[1].split("</section>")[0]
    assert section.count('id="discrepancy-') == 1 and "Reported 400 police on 4 Jan 2025" in section
    assert "These are the latest 1; older reports are on the timeline" in section
    assert (
        'href="/missions/mss/events/?as_of=2025-10-02&amp;country=KEN&amp;kind=strength_report"'
        in section
    )
