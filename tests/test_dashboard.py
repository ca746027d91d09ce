"""/ and /missions/<slug>/: the missions list and the mission dashboard."""

from __future__ import annotations

import datetime
import re

import pytest
from dashboard_data import add_contributors
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mss_tracker.tracker import figures
from mss_tracker.tracker.models import Mission

D = datetime.date
URL = "/missions/mss/"


def headline(html: str, name: str) -> str:
    """The text of a headline figure (`<dd data-figure="name">`), tags stripped."""
    match = re.search(rf'data-figure="{name}">(.*?)</dd>', html, re.S)
    assert match, f"no headline figure {name}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def row(html: str, iso3: str) -> str:
    match = re.search(rf'<tr id="country-{iso3}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {iso3}"
    return match.group(1)


def cell(row_html: str, label: str) -> str:
    match = re.search(rf'data-label="{label}">(.*?)</td>', row_html, re.S)
    assert match, f"no cell {label}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


# Figures worked out by hand from tests/dashboard_data.py:
#   2024-08-01, all: pledged KEN 1000 + BHS 150 + BEN 1500 (+ ATG, GTM no number) = 2,650;
#                    deployed KEN 400 → 15.1%.
#   2025-01-05, all: pledged + JAM 170+30, GTM 150 = 3,000; deployed KEN 400 (report of
#                    4 Jan), JAM 24, GTM 150, BHS 59 = 633 → 21.1%.
#   2025-01-05, police: pledged KEN 1000 + JAM 30 = 1,030; deployed 404 → 39.2%.
#   2025-10-02 (end), all: KEN 400+217−1 = 616, JAM 20+4−20+18 = 22, GTM 150 = 788 → 26.3%.
@pytest.mark.parametrize(
    ("query", "pledged", "deployed", "percent", "fatalities"),
    [
        ("as_of=2024-08-01", "2,650", "400", "15.1%", "0"),
        ("as_of=2025-01-05", "3,000", "633", "21.1%", "0"),
        ("as_of=2025-01-05&type=police", "1,030", "404", "39.2%", "0"),
        ("as_of=2025-01-05&type=military", "1,970", "229", "11.6%", "0"),
        ("as_of=2025-01-05&type=civilian", "—", "0", "—", "0"),
        ("as_of=2025-10-02", "3,000", "788", "26.3%", "1"),
        ("as_of=2025-10-02&type=police", "1,030", "620", "60.2%", "1"),
    ],
)
def test_it_shows_the_headline_figures_on_any_date_and_type(
    client, sample_missions, query, pledged, deployed, percent, fatalities
):
    html = client.get(f"{URL}?{query}").content.decode()
    assert headline(html, "pledged").removesuffix(" disputed") == pledged
    assert headline(html, "deployed").removesuffix(" disputed") == deployed
    assert headline(html, "percent") == percent
    assert headline(html, "fatalities") == fatalities


@pytest.mark.parametrize(
    ("as_of", "personnel_type"),
    [(D(2024, 8, 1), None), (D(2025, 1, 5), "police"), (D(2025, 3, 1), "military")],
)
def test_its_figures_are_the_arithmetics_figures(client, sample_missions, as_of, personnel_type):
    mss = sample_missions.mss
    query = f"as_of={as_of.isoformat()}" + (f"&type={personnel_type}" if personnel_type else "")
    html = client.get(f"{URL}?{query}").content.decode()
    totals = figures.mission_totals(mss, as_of, personnel_type)
    assert headline(html, "deployed").removesuffix(" disputed") == f"{totals.deployed:,}"
    assert headline(html, "percent") == (
        f"{totals.percent_of_pledge}%" if totals.percent_of_pledge is not None else "—"
    )
    assert headline(html, "countries") == (
        f"{totals.countries_pledged_deployed} of {totals.countries_pledged}"
    )
    for country in figures.country_figures(mss, as_of, personnel_type):
        country_row = row(html, country.iso3)
        assert cell(country_row, "Deployed").startswith(f"{country.deployed:,}")
        pledged = "—" if country.pledged is None else f"{country.pledged:,}"
        assert cell(country_row, "Pledged").startswith(pledged)
        assert cell(country_row, "Gap") == ("—" if country.gap is None else f"{country.gap:,}")


def test_it_shows_one_row_per_country_with_a_progress_bar(client, sample_missions):
    html = client.get(f"{URL}?as_of=2025-01-05").content.decode()
    kenya = row(html, "KEN")
    assert "Kenya" in kenya and "KEN" in kenya
    assert '<progress max="1000" value="400"' in kenya
    assert "40.0%" in cell(kenya, "Toward pledge")
    assert cell(kenya, "First arrival") == "25 Jun 2024"
    assert cell(kenya, "Last event") == "4 Jan 2025"
    assert cell(kenya, "Gap") == "600"


def test_it_shows_a_pledge_without_a_number_as_a_dash(client, sample_missions):
    html = client.get(f"{URL}?as_of=2025-01-05").content.decode()
    antigua = row(html, "ATG")
    assert cell(antigua, "Pledged") == "—"
    assert cell(antigua, "Gap") == "—"
    assert "<progress" not in antigua


def test_it_marks_disputed_figures_with_a_link_to_the_note(client, sample_missions):
    html = client.get(f"{URL}?as_of=2024-07-01").content.decode()
    benin = row(html, "BEN")
    assert "disputed" in cell(benin, "Pledged")
    assert re.search(
        r'href="/missions/mss/countries/BEN/\?as_of=2024-07-01#disputed-pledge-\d+"', benin
    )
    kenya = row(html, "KEN")  # its only event so far, the arrival of 25 Jun 2024, is disputed
    assert re.search(r"#disputed-event-\d+", kenya) and "disputed" in cell(kenya, "Deployed")
    # The undisputed headcount of 16 Jul 2024 clears it.
    html = client.get(f"{URL}?as_of=2025-01-05").content.decode()
    assert "disputed" not in cell(row(html, "KEN"), "Deployed")


def test_it_sorts_by_any_column_with_plain_links(client, sample_missions):
    html = client.get(f"{URL}?as_of=2025-01-05&sort=country").content.decode()
    order = re.findall(r'<tr id="country-(\w{3})">', html)
    assert order == ["ATG", "BHS", "BEN", "GTM", "JAM", "KEN"]
    assert 'aria-sort="ascending"' in html
    html = client.get(f"{URL}?as_of=2025-01-05&sort=-pledged").content.decode()
    order = re.findall(r'<tr id="country-(\w{3})">', html)
    assert order == ["BEN", "KEN", "JAM", "BHS", "GTM", "ATG"]
    assert 'href="/missions/mss/?as_of=2025-01-05&amp;sort=pledged"' in html


def test_it_sorts_by_deployed_by_default(client, sample_missions):
    html = client.get(f"{URL}?as_of=2025-01-05").content.decode()
    order = re.findall(r'<tr id="country-(\w{3})">', html)
    assert order[:4] == ["KEN", "GTM", "BHS", "JAM"]


def test_it_rejects_an_unknown_sort_column(client, sample_missions):
    response = client.get(f"{URL}?sort=colour")
    assert response.status_code == 400
    assert "sort" in response.content.decode()


def test_it_shows_the_countries_days_ceiling_and_successor(client, sample_missions):
    html = client.get(f"{URL}?as_of=2025-01-05").content.decode()
    # KEN, JAM, GTM, BHS deployed, of the five with a numeric pledge (ATG gave no number).
    assert headline(html, "countries") == "4 of 5"
    assert headline(html, "days") == f"{(D(2025, 1, 5) - D(2024, 6, 25)).days}"
    assert 'data-figure="ceiling"' not in html  # MSS had no ceiling
    assert 'href="/missions/gsf/"' in html
    gsf = client.get("/missions/gsf/?as_of=2025-12-31").content.decode()
    assert headline(gsf, "ceiling") == "5,550"
    assert 'href="/missions/mss/"' in gsf  # predecessor


def test_an_ended_mission_is_shown_as_it_stood_on_its_end_date(client, sample_missions):
    html = client.get(f"{URL}?as_of=2030-01-01").content.decode()
    assert headline(html, "deployed") == "788"
    assert "ended on 2 Oct 2025" in html
    assert "you asked for 1 Jan 2030" in html
    assert "Its successor is" in html and 'href="/missions/gsf/"' in html
    default = client.get(URL).content.decode()
    assert headline(default, "deployed") == "788"
    assert "ended on 2 Oct 2025" in default


def test_it_lists_the_latest_events_with_their_sources(client, sample_missions):
    html = client.get(f"{URL}?as_of=2025-01-05").content.decode()
    latest = html.split('id="events-heading"')[1]
    assert (
        latest.index("4 Jan 2025") < latest.index("25 Jun 2024")
        if "25 Jun 2024" in latest
        else True
    )
    assert '<a href="https://krdo.com/news/2024/06/25/contingent/"' in latest
    assert "KRDO (Associated Press)" in latest


def test_it_offers_quick_dates_for_each_milestone(client, sample_missions):
    html = client.get(f"{URL}?type=police").content.decode()
    for day in ("2023-10-02", "2024-06-25", "2025-10-02", "2025-10-03"):
        assert f'href="/missions/mss/?as_of={day}&amp;type=police"' in html
    assert 'href="/missions/mss/?type=police"' in html  # today


def test_it_links_csv_downloads_with_the_current_filters(client, sample_missions):
    html = client.get(f"{URL}?as_of=2025-01-05&type=police").content.decode()
    for name in ("export-events", "export-pledges"):
        url = reverse(f"dashboards:{name}", args=["mss"])
        assert f'href="{url}?as_of=2025-01-05&amp;type=police"' in html
    # The table's own download keeps its sort too (tests/test_download_sort.py).
    url = reverse("dashboards:export-summary", args=["mss"])
    assert f'href="{url}?as_of=2025-01-05&amp;type=police&amp;sort=-deployed"' in html
    assert "Download CSV" in html


def test_it_links_the_chart_for_download_with_the_same_filters(client, sample_missions):
    html = client.get(f"{URL}?as_of=2025-01-05&type=police").content.decode()
    assert 'href="/missions/mss/chart.svg?as_of=2025-01-05&amp;type=police"' in html
    assert "Download chart" in html
    assert html.count("<svg") == 2  # wide and narrow drawings of the same chart


def test_it_treats_the_slug_case_insensitively(client, sample_missions):
    assert client.get("/missions/MSS/?as_of=2025-01-05").status_code == 200


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("as_of=2025-02-30", "as_of"),
        ("as_of=yesterday", "as_of"),
        ("type=navy", "type"),
    ],
)
def test_it_answers_a_bad_parameter_with_a_400_naming_it(client, sample_missions, query, parameter):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert f"<code>{parameter}</code>" in html
    assert 'href="/static/css/site.css"' in html  # in the site's design


def test_an_unknown_mission_is_a_404_in_the_site_design(client, sample_missions):
    response = client.get("/missions/unknown/")
    assert response.status_code == 404
    assert "There is no such page" in response.content.decode()
    assert "site.css" in response.content.decode()


class TestHtmx:
    def test_it_swaps_only_the_regions_that_change(self, client, sample_missions):
        response = client.get(f"{URL}?as_of=2025-01-05", headers={"HX-Request": "true"})
        html = response.content.decode()
        assert "<html" not in html and "<h1" not in html
        assert html.lstrip().startswith('<div id="results"')
        assert 'id="filters"' in html and 'hx-swap-oob="true"' in html
        assert headline(html, "deployed") == "633"
        assert response["HX-Push-Url"] == "/missions/mss/?as_of=2025-01-05"
        assert "HX-Request" in response["Vary"]

    def test_a_history_restore_request_gets_the_whole_page(self, client, sample_missions):
        response = client.get(
            f"{URL}?as_of=2025-01-05",
            headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
        )
        html = response.content.decode()
        assert "<html" in html and "<h1" in html
        assert "HX-Request" in response["Vary"]

    def test_a_plain_request_gets_the_whole_page(self, client, sample_missions):
        response = client.get(f"{URL}?as_of=2025-01-05")
        assert "<html" in response.content.decode()
        assert "HX-Request" in response["Vary"]

    def test_the_pushed_url_keeps_a_chosen_sort(self, client, sample_missions):
        response = client.get(f"{URL}?as_of=&type=all&sort=country", headers={"HX-Request": "true"})
        assert response["HX-Push-Url"] == "/missions/mss/?sort=country"


class TestMissionsList:
    def test_it_lists_each_mission_with_its_headline(self, client, sample_missions):
        html = client.get("/").content.decode()
        mss, gsf = html.split('id="mission-gsf"')  # MSS is listed first (earlier start)
        assert headline(mss, "deployed") == "788"
        assert headline(mss, "pledged") == "3,000"
        assert headline(mss, "percent") == "26.3%"
        assert "ended 2 Oct 2025" in mss
        assert "succeeded by" in mss
        assert "ongoing" in gsf

    def test_it_links_the_missions_csv(self, client, sample_missions):
        html = client.get("/").content.decode()
        assert f'href="{reverse("dashboards:export-missions")}"' in html

    def test_it_works_with_no_missions(self, client, db):
        response = client.get("/")
        assert response.status_code == 200
        assert "No missions recorded yet" in response.content.decode()


class TestQueryCounts:
    """Each page's query count is pinned and does not grow with countries or events."""

    # mission, rows (the totals are their sum), two series and the precision of their
    # drawn dates, events, funding
    DASHBOARD_QUERIES = 7
    MISSIONS_LIST_QUERIES = 2  # the missions, every mission's headline

    def count(self, client, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def test_the_dashboard_query_count_is_flat(
        self, client, sample_missions, django_assert_num_queries
    ):
        url = f"{URL}?as_of=2025-01-05"
        with django_assert_num_queries(self.DASHBOARD_QUERIES):
            client.get(url)
        add_contributors(sample_missions.mss, sample_missions.source, count=40, events_each=4)
        with django_assert_num_queries(self.DASHBOARD_QUERIES):
            response = client.get(url)
        assert response.content.decode().count('<tr id="country-') == 46

    def test_the_missions_list_takes_two_queries_whatever_the_missions_and_countries(
        self, client, mission, source, django_assert_num_queries
    ):
        """The missions, then every mission's headline in one query (figures.missions_totals),
        each at its own date: 1 mission or 5, with 40 contributors or none, the same two."""
        with django_assert_num_queries(self.MISSIONS_LIST_QUERIES):
            client.get("/")
        for number in range(4):
            other = Mission.objects.create(
                slug=f"m{number}",
                acronym=f"M{number}",
                name=f"Mission {number}",
                host_country=mission.host_country,
                authorized_by="A resolution",
                authorized_on=datetime.date(2023, 10, 2),
                start_date=datetime.date(2024, 6, 25),
                # two of them ended: their headline is read at their own end date
                end_date=datetime.date(2024, 8, 10 + number) if number % 2 else None,
            )
            add_contributors(other, source, count=10, events_each=2 + number)
        assert Mission.objects.count() == 5
        with django_assert_num_queries(self.MISSIONS_LIST_QUERIES):
            html = client.get("/").content.decode()
        for listed in Mission.objects.all():  # each card shows its own mission's headline
            card = html[html.index(f'id="mission-{listed.slug}"') :]
            totals = figures.mission_totals(listed, listed.effective_as_of(None))
            assert headline(card, "deployed") == f"{totals.deployed:,}"
            assert headline(card, "pledged") == (f"{totals.pledged:,}" if totals.pledged else "—")


def test_the_500_page_renders_without_a_request_in_the_site_design():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")  # Django renders it with an empty context
    assert "Something went wrong" in html and "site.css" in html
