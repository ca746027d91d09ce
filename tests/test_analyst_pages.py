"""What the pages give the analyst's browser, read from the HTML: the filter form
left alone when it sent the request, the live region's sentence, stable ids for focus, the
date fields' range and hints, the printed address and filters, the site's own 404.

The same behaviour in a real browser: tests/test_browser_analyst.py.
"""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

URL = "/missions/mss/"
HTMX = {"HX-Request": "true"}
FROM_FORM = {"HX-Request": "true", "HX-Trigger": "filters"}


def oob_ids(html: str) -> list[str]:
    """The ids of the elements an HTMX answer swaps out of band (but the language
    switcher, which every answer updates with the new address)."""
    ids = re.findall(r'<\w+ id="([\w-]+)"[^>]*hx-swap-oob=', html)
    return [name for name in ids if name != "languages"]


class TestTheFilterFormIsNotRedrawnUnderTheUser:
    def test_a_request_from_the_form_leaves_the_form_and_refreshes_its_quick_dates(
        self, client, sample_missions
    ):
        html = client.get(f"{URL}?as_of=2025-01-04&type=police", headers=FROM_FORM).content
        html = html.decode()
        assert 'id="as_of"' not in html and 'name="type"' not in html
        assert oob_ids(html) == ["quick-dates", "announcer"]
        # The quick dates follow the chosen type.
        assert 'href="/missions/mss/?as_of=2025-10-02&amp;type=police"' in html

    def test_a_quick_date_or_sort_link_redraws_the_form_with_the_new_values(
        self, client, sample_missions
    ):
        headers = {**HTMX, "HX-Trigger": "quick-2025-10-02"}
        html = client.get(f"{URL}?as_of=2025-10-02", headers=headers).content.decode()
        assert oob_ids(html) == ["filters", "announcer"]
        assert 'id="as_of" name="as_of" value="2025-10-02"' in html

    def test_the_country_page_does_the_same(self, client, sample_missions):
        html = client.get(f"{URL}countries/KEN/?as_of=2025-01-04", headers=FROM_FORM)
        assert oob_ids(html.content.decode()) == ["quick-dates", "announcer"]

    def test_the_timeline_form_is_left_alone_when_it_sent_the_request(
        self, client, sample_missions
    ):
        html = client.get(f"{URL}events/?from=2025-01-04", headers=FROM_FORM).content.decode()
        assert oob_ids(html) == ["announcer"]
        html = client.get(f"{URL}events/", headers={**HTMX, "HX-Trigger": "clear-filters"})
        assert oob_ids(html.content.decode()) == ["filters", "announcer"]

    def test_answers_vary_on_the_trigger(self, client, sample_missions):
        assert "HX-Trigger" in client.get(URL, headers=FROM_FORM)["Vary"]

    @override_settings(DASHBOARD_CACHE_SECONDS=60)
    def test_the_page_cache_keeps_the_two_answers_apart(self, client, sample_missions):
        by_link = client.get(f"{URL}?as_of=2025-01-04", headers={**HTMX, "HX-Trigger": "x"})
        by_form = client.get(f"{URL}?as_of=2025-01-04", headers=FROM_FORM)
        assert "filters" in oob_ids(by_link.content.decode())
        assert "filters" not in oob_ids(by_form.content.decode())


class TestAnnouncements:
    def test_the_dashboard_announces_its_headline_in_words(self, client, sample_missions):
        html = client.get(f"{URL}?as_of=2025-01-05", headers=FROM_FORM).content.decode()
        announcer = re.search(
            r'<div id="announcer" hx-swap-oob="innerHTML">(.*?)</div>', html, re.S
        )
        deployed = re.search(r'data-figure="deployed">([\d,]+)<', html)[1]
        pledged = re.search(r'data-figure="pledged">([\d,]+)<', html)[1]
        assert deployed == "633"  # the sentence says what the headline shows
        expected = f"As of 5 Jan 2025: {deployed} deployed of {pledged} pledged"
        assert " ".join(announcer[1].split()) == expected

    def test_it_names_the_type_and_the_country(self, client, sample_missions):
        html = client.get(
            f"{URL}countries/KEN/?as_of=2025-01-05&type=police", headers=FROM_FORM
        ).content.decode()
        assert "As of 5 Jan 2025: Kenya, 400 deployed of 1,000 pledged" in html
        assert "(police personnel only)" in html

    def test_the_timeline_announces_its_count(self, client, sample_missions):
        html = client.get(f"{URL}events/?kind=arrival", headers=FROM_FORM).content.decode()
        assert re.search(
            r'id="announcer"[^>]*>\d+ events? up to <strong>2 Oct 2025</strong><', html
        )

    def test_the_live_region_is_on_every_page_and_empty_at_first(self, client, sample_missions):
        for path in ("/", URL, f"{URL}countries/KEN/", f"{URL}events/"):
            html = client.get(path).content.decode()
            assert (
                '<div id="announcer" class="visually-hidden" role="status" aria-live="polite" '
                'aria-atomic="true"></div>'
            ) in html


class TestControlsHaveStableIds:
    def test_radios_sort_headers_and_quick_dates(self, client, sample_missions):
        html = client.get(f"{URL}?as_of=2025-01-05").content.decode()
        for control in ("type-all", "type-police", "sort-deployed", "quick-today"):
            assert f'id="{control}"' in html
        assert 'id="quick-2025-10-02"' in html

    def test_pagination(self, client, sample_missions):
        from dashboard_data import add_contributors

        add_contributors(sample_missions.mss, sample_missions.source, count=10, events_each=3)
        html = client.get(f"{URL}events/").content.decode()
        assert 'id="page-older"' in html and 'id="show-more-link"' in html
        html = client.get(f"{URL}events/?page=2").content.decode()
        assert 'id="page-newer" data-focus-fallback="page-older"' in html


class TestDateFields:
    @pytest.mark.parametrize("path", [URL, f"{URL}countries/KEN/", f"{URL}events/"])
    def test_each_date_field_has_a_range_and_a_hint(self, client, sample_missions, path):
        html = client.get(path).content.decode()
        fields = re.findall(r'<input type="date"[^>]*>', html)
        assert fields
        for field in fields:
            assert 'min="1900-01-01" max="2100-12-31"' in field
            name = re.search(r'id="(\w+)"', field)[1]
            assert f'aria-describedby="{name}-hint"' in field
            assert f'<p class="field-hint" id="{name}-hint" aria-live="polite"' in html

    def test_to_may_not_precede_from(self, client, sample_missions):
        html = client.get(f"{URL}events/").content.decode()
        assert 'data-not-before="from"' in re.search(r'<input[^>]*id="to"[^>]*>', html)[0]

    @pytest.mark.parametrize("query", ["as_of=0002-01-04", "as_of=0202-01-04", "as_of=1899-12-31"])
    def test_a_year_still_being_typed_is_a_bad_parameter(self, client, sample_missions, query):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 400
        assert "dates run from 1900-01-01 to 2100-12-31" in response.content.decode()

    def test_the_timeline_range_too(self, client, sample_missions):
        response = client.get(f"{URL}events/?from=0020-01-04")
        assert response.status_code == 400
        assert "from" in response.content.decode()


class TestPrint:
    def test_the_address_and_the_filters_print_at_the_top(self, client, sample_missions):
        html = client.get(f"{URL}?as_of=2025-01-05&type=police&sort=-pledged").content.decode()
        context = html[html.index('class="print-context') : html.index('id="headline-heading"')]
        text = " ".join(re.sub(r"<[^>]+>", " ", context).split())
        assert "Printed from http://testserver/missions/mss/?as_of=2025-01-05&amp;type=police" in (
            text
        )
        assert "sort=-pledged" in text
        assert "As of 5 Jan 2025 · Personnel type: Police" in text
        assert "Sorted by Pledged ▼" in text

    def test_a_swap_updates_the_printed_address(self, client, sample_missions):
        html = client.get(f"{URL}events/?kind=arrival", headers=FROM_FORM).content.decode()
        assert "http://testserver/missions/mss/events/?kind=arrival" in html
        assert "Event: Arrival" in html

    def test_print_styles_are_a_print_stylesheet(self, client, sample_missions):
        html = client.get(URL).content.decode()
        assert re.search(r'<link rel="stylesheet" href="[^"]*print[^"]*\.css" media="print">', html)


def test_the_timeline_list_has_a_heading(client, sample_missions):
    html = client.get(f"{URL}events/").content.decode()
    assert '<section aria-labelledby="event-list-heading"' in html
    assert '<h2 id="event-list-heading">Events</h2>' in html


@override_settings(DEBUG=True)
@pytest.mark.parametrize(
    "path", ["/missions/nowhere/", "/no/such/page/", "/missions/mss/countries/ZZZ/"]
)
def test_with_debug_on_a_404_is_the_sites_own_page(client, sample_missions, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no such page" in html
    assert "URLconf" not in html and "Using the URLconf" not in html
