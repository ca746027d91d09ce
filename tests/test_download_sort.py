"""The dashboard table's downloads keep the page's sort: the summary.csv and summary.json
links carry the table's `sort` (after an HTMX swap too), and the file's rows come in the
order of the table's rows."""

import csv
import html as html_module
import io
import json
import re

import pytest
from django.http import QueryDict

from mss_tracker.dashboards.exports import summary_parameters
from mss_tracker.lib.bad_requests import BadParameter

URL = "/missions/mss/"
AS_OF = "2025-01-05"


def table_order(page: str) -> list[str]:
    return re.findall(r'<tr id="country-(\w{3})">', page)


def links(page: str, name: str) -> list[str]:
    """The page's links to `name` (summary.csv, summary.json), unescaped."""
    found = re.findall(rf'href="(/missions/mss/export/{re.escape(name)}[^"]*)"', page)
    return [html_module.unescape(link) for link in found]


def csv_rows(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def json_rows(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))["rows"]


@pytest.mark.parametrize("sort", ["", "-pledged", "gap", "-percent", "first_arrival", "country"])
def test_the_downloads_carry_the_tables_sort_and_keep_its_order(client, sample_missions, sort):
    page = client.get(URL, {"as_of": AS_OF, **({"sort": sort} if sort else {})}).content.decode()
    shown = sort or "-deployed"  # the table's default
    csv_links, json_links = links(page, "summary.csv"), links(page, "summary.json")
    assert len(csv_links) == 2 and len(json_links) == 2  # CSV, for spreadsheets; JSON, alternate
    for link in csv_links + json_links:
        assert QueryDict(link.partition("?")[2])["sort"] == shown
        assert QueryDict(link.partition("?")[2])["as_of"] == AS_OF
    order = table_order(page)
    assert len(order) == 6
    for link in csv_links:
        assert [row["country_iso3"] for row in csv_rows(client, link)] == order
    assert [row["country_iso3"] for row in json_rows(client, json_links[0])] == order


def test_the_order_is_the_columns_own(client, sample_missions):
    """Independently of the page: descending pledges, the countries without one last."""
    rows = csv_rows(client, f"/missions/mss/export/summary.csv?as_of={AS_OF}&sort=-pledged")
    pledged = [int(row["pledged"]) for row in rows if row["pledged"]]
    assert pledged == sorted(pledged, reverse=True)
    blanks = [index for index, row in enumerate(rows) if not row["pledged"]]
    assert blanks == list(range(len(pledged), len(rows)))


def test_without_a_sort_the_rows_stay_in_country_name_order(client, sample_missions):
    rows = csv_rows(client, f"/missions/mss/export/summary.csv?as_of={AS_OF}")
    names = [row["country"] for row in rows]
    assert names == sorted(names)


def test_an_htmx_sort_swaps_in_links_with_the_new_sort(client, sample_missions):
    response = client.get(URL, {"as_of": AS_OF, "sort": "gap"}, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert "<html" not in fragment  # only the regions that change
    for link in links(fragment, "summary.csv") + links(fragment, "summary.json"):
        assert QueryDict(link.partition("?")[2])["sort"] == "gap"
    assert links(fragment, "summary.csv")


def test_the_page_cache_keys_a_download_on_its_sort():
    assert summary_parameters(QueryDict("")) == {}
    # Unlike the page's, the default sort is kept: it orders differently from none.
    assert summary_parameters(QueryDict("sort=-deployed")) == {"sort": "-deployed"}
    assert summary_parameters(QueryDict("sort=gap&as_of=2025-01-05")) == {
        "sort": "gap",
        "as_of": "2025-01-05",
    }
    with pytest.raises(BadParameter):
        summary_parameters(QueryDict("sort=colour"))


def test_a_bad_sort_is_a_400_naming_it(client, sample_missions):
    response = client.get("/missions/mss/export/summary.csv?sort=colour")
    assert response.status_code == 400
    assert "sort" in response.content.decode()
