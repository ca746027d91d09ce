"""/missions/<slug>/events/: the timeline, filtered and paginated."""

from __future__ import annotations

import datetime
import re

import pytest
from dashboard_data import add_contributors, event

D = datetime.date
URL = "/missions/mss/events/"


def dates(html: str) -> list[str]:
    return re.findall(r'<time datetime="([\d-]+)">', html)


def test_it_lists_the_events_newest_first(client, sample_missions):
    html = client.get(URL).content.decode()
    listed = dates(html)
    assert len(listed) == 16
    assert listed == sorted(listed, reverse=True)
    assert "16 events up to <strong>2 Oct 2025</strong>" in html


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("country=KEN", 7),
        ("country=ken", 7),
        ("kind=strength_report", 4),
        ("type=military", 8),
        ("from=2025-01-01&to=2025-01-31", 5),
        ("country=JAM&kind=arrival&type=military", 2),
        ("as_of=2024-12-31", 7),
    ],
)
def test_it_filters_by_country_kind_type_and_dates(client, sample_missions, query, count):
    html = client.get(f"{URL}?{query}").content.decode()
    assert len(dates(html)) == count


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("country=XXX", "country"),
        ("kind=birth", "kind"),
        ("type=navy", "type"),
        ("from=2025-13-01", "from"),
        ("from=2025-02-01&to=2025-01-01", "from"),
        ("page=99", "page"),
        ("page=two", "page"),
        ("older=2025-02-30.4", "older"),
        ("newer=yesterday", "newer"),
    ],
)
def test_it_answers_a_bad_parameter_with_a_400(client, sample_missions, query, parameter):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert f"<code>{parameter}</code>" in response.content.decode()


def test_it_shows_each_events_source_and_notes(client, sample_missions):
    html = client.get(f"{URL}?country=KEN&kind=arrival").content.decode()
    assert (
        '<a href="https://krdo.com/news/2024/06/25/contingent/" rel="noopener noreferrer">' in html
    )
    assert "AFP said 400." in html
    assert 'href="/missions/mss/countries/KEN/"' in html


def link(html: str, rel: str) -> str:
    """The address of the pagination's `rel` ("next" or "prev") link, unescaped."""
    return re.search(rf'href="([^"]+)" rel="{rel}"', html).group(1).replace("&amp;", "&")


def event_ids(html: str) -> list[str]:
    return re.findall(r'<li class="event" id="event-(\d+)"', html)


class TestPagination:
    @pytest.fixture
    def many(self, sample_missions):
        add_contributors(sample_missions.mss, sample_missions.source, count=10, events_each=3)
        return sample_missions  # 16 + 30 = 46 events: two pages of 25

    def test_it_paginates_with_real_links(self, client, many):
        html = client.get(URL).content.decode()
        assert len(dates(html)) == 25
        assert "Page 1 of 2" in html
        older = link(html, "next")
        assert older.startswith(f"{URL}?page=2&older=")  # from the page's last event
        second = client.get(older).content.decode()
        assert len(dates(second)) == 21
        assert "Page 2 of 2" in second and 'rel="next"' not in second
        assert link(second, "prev") == URL  # the newest page has one address

    def test_a_page_seeks_from_its_cursor_and_an_old_page_link_still_answers(self, client, many):
        by_offset = client.get(f"{URL}?page=2").content.decode()  # a link from before
        by_cursor = client.get(link(client.get(URL).content.decode(), "next")).content.decode()
        assert event_ids(by_offset) == event_ids(by_cursor) and len(event_ids(by_cursor)) == 21

    def test_the_newer_link_goes_back_to_the_same_events(self, client, sample_missions):
        add_contributors(sample_missions.mss, sample_missions.source, count=20, events_each=3)
        pages = [client.get(URL).content.decode()]  # 16 + 60 = 76 events: four pages
        while 'rel="next"' in pages[-1]:
            pages.append(client.get(link(pages[-1], "next")).content.decode())
        assert [len(event_ids(page)) for page in pages] == [25, 25, 25, 1]
        assert "Page 4 of 4" in pages[-1]
        back = client.get(link(pages[-1], "prev")).content.decode()
        assert event_ids(back) == event_ids(pages[2]) and "Page 3 of 4" in back
        back = client.get(link(back, "prev")).content.decode()
        assert event_ids(back) == event_ids(pages[1]) and "Page 2 of 4" in back
        every = [pk for page in pages for pk in event_ids(page)]
        assert len(every) == len(set(every)) == 76  # no event twice, none left out

    def test_show_more_loads_the_next_page_in_place(self, client, many):
        html = client.get(URL).content.decode()
        assert 'id="show-more"' in html and 'hx-target="#show-more"' in html
        response = client.get(
            link(html, "next"), headers={"HX-Request": "true", "HX-Target": "show-more"}
        )
        part = response.content.decode()
        assert "<html" not in part and 'id="results"' not in part
        assert len(dates(part)) == 21
        assert part.lstrip().startswith('<li class="event"')
        assert 'id="show-more"' not in part  # the last page
        assert 'id="pagination"' in part and 'hx-swap-oob="true"' in part
        assert "HX-Push-Url" not in response

    def test_the_filters_carry_over_to_the_next_page(self, client, many):
        html = client.get(f"{URL}?type=police").content.decode()
        assert link(html, "next").startswith(f"{URL}?type=police&page=2&older=")

    def test_a_filter_change_over_htmx_pushes_the_url(self, client, many):
        response = client.get(
            f"{URL}?country=&kind=arrival&type=all&from=&to=", headers={"HX-Request": "true"}
        )
        assert response["HX-Push-Url"] == f"{URL}?kind=arrival"
        assert response.content.decode().lstrip().startswith('<div id="results"')


def test_its_query_count_does_not_grow_with_events(
    client, sample_missions, django_assert_num_queries
):
    # mission, count, page of events, countries for the filter
    with django_assert_num_queries(4):
        client.get(URL)
    add_contributors(sample_missions.mss, sample_missions.source, count=20, events_each=5)
    for day in range(1, 20):
        event(
            sample_missions.mss,
            "KEN",
            "arrival",
            "civilian",
            D(2025, 6, day),
            2,
            sample_missions.source,
        )
    with django_assert_num_queries(4):
        response = client.get(URL)
    assert len(dates(response.content.decode())) == 25
