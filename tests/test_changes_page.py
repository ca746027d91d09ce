"""/missions/<slug>/changes/: what changed between two dates, per country and in total."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

D = datetime.date
URL = "/missions/mss/changes/"


def row_of(html: str, row_id: str) -> str:
    return re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S).group(1)


def cells(row: str) -> list[str]:
    """The visible text of each cell of a row (links and badges flattened)."""
    found = re.findall(r'<span class="cell">(.*?)</span></td>', row, re.S)
    return [re.sub(r"<[^>]+>", "", cell).replace("disputed", "").strip() for cell in found]


def test_it_shows_each_country_and_the_total_at_both_dates(client, sample_missions):
    html = client.get(f"{URL}?from=2024-12-31&to=2025-03-31").content.decode()
    # Kenya: 382 police on 31 Dec 2024 (the report of 26 Sep); reported 400 on 4 Jan,
    # then 217 arrived and 1 was killed: 616.
    assert cells(row_of(html, "country-KEN")) == [
        "382", "616", "+234", "1,000", "1,000", "0", "217", "0", "0", "1", "3",
    ]  # fmt: skip
    # The Bahamas: 59 arrived on 28 Dec and left on 8 Feb.
    assert cells(row_of(html, "country-BHS"))[:3] == ["59", "0", "−59"]
    total = cells(row_of(html, "changes-total"))
    assert total[:3] == ["465", "790", "+325"]
    assert total[6:] == ["367", "59", "0", "1", "7"]


def test_the_sentence_says_it_in_words(client, sample_missions):
    html = client.get(f"{URL}?from=2024-12-31&to=2025-03-31").content.decode()
    assert (
        "From 31 Dec 2024 to 31 Mar 2025, deployed personnel rose from 465 to 790: "
        "367 arrived, 59 left, 1 killed."
    ) in html


def test_the_sentence_in_french(client, sample_missions):
    html = client.get(f"/fr{URL}?from=2024-12-31&to=2025-03-31").content.decode()
    assert "les effectifs déployés sont passés de 465 à 790" in html


def test_the_counts_link_to_the_events_list_from_the_day_after(client, sample_missions):
    html = client.get(f"{URL}?from=2024-12-31&to=2025-03-31&type=military").content.decode()
    assert (
        "/missions/mss/events/?type=military&amp;country=GTM&amp;kind=arrival"
        "&amp;from=2025-01-01&amp;to=2025-03-31"
    ) in html


def test_each_event_count_equals_the_events_list_of_the_same_range(client, sample_missions):
    html = client.get(f"{URL}?from=2024-09-12&to=2025-04-01").content.decode()
    links = re.findall(r'href="(/missions/mss/events/\?[^"]+)">([\d,]+)</a>', html)
    assert links
    for link, shown in links:
        link = link.replace("&amp;", "&")
        listed = client.get(link).content.decode()
        if "kind=" in link:  # arrivals etc. are personnel: add up the listed figures
            figures = re.findall(r'<span class="event-figure"><strong>([\d,]+)</strong>', listed)
            assert sum(int(n.replace(",", "")) for n in figures) == int(shown.replace(",", ""))
        else:
            assert len(re.findall(r'<li class="event"', listed)) == int(shown.replace(",", ""))


def test_the_defaults_are_90_days_up_to_the_end_of_an_ended_mission(client, sample_missions):
    html = client.get(URL).content.decode()
    assert 'name="to" value="2025-10-02"' in html
    assert 'name="from" value="2025-07-04"' in html


def test_only_to_given_sets_from_90_days_before(client, sample_missions):
    html = client.get(f"{URL}?to=2025-01-31").content.decode()
    assert 'name="from" value="2024-11-02"' in html


@pytest.mark.parametrize(
    "query",
    ["from=2025-03-01&to=2025-01-01", "from=2025-01-01&to=2025-01-01", "from=2025-12-01"],
)
def test_from_on_or_after_to_is_a_400_naming_both(client, sample_missions, query):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<code>from</code>" in html and "to=" in html


@pytest.mark.parametrize("query", ["type=navy", "country=XXX", "to=2025-02-30"])
def test_a_bad_parameter_is_a_400(client, sample_missions, query):
    assert client.get(f"{URL}?{query}").status_code == 400


def test_it_filters_by_country(client, sample_missions):
    html = client.get(f"{URL}?from=2024-12-31&to=2025-03-31&country=KEN").content.decode()
    assert 'id="country-BHS"' not in html
    assert cells(row_of(html, "changes-total"))[:3] == ["382", "616", "+234"]


def test_htmx_gets_the_results_and_the_address(client, sample_missions):
    response = client.get(
        f"{URL}?from=2024-12-31&to=2025-03-31",
        headers={"HX-Request": "true", "HX-Trigger": "filters"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert response["HX-Push-Url"] == f"{URL}?from=2024-12-31&to=2025-03-31"
    assert "<html" not in html


def test_it_speaks_french_and_creole(client, sample_missions):
    for prefix in ("/fr", "/ht"):
        response = client.get(f"{prefix}{URL}")
        assert response.status_code == 200


def test_the_query_count_does_not_grow_with_countries(
    client, sample_missions, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        client.get(f"{URL}?from=2024-12-31&to=2025-03-31")
    from dashboard_data import add_contributors

    add_contributors(sample_missions.mss, sample_missions.source, 12)
    with CaptureQueriesContext(connection) as many:
        client.get(f"{URL}?from=2024-12-31&to=2025-03-31")
    assert len(many) == len(few) <= 8
