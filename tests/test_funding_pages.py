"""The funding section of a mission's dashboard, funding.svg, and a donor's country page:
what an analyst reads, in every language, as of any date."""

import datetime
import re

import pytest
from django.core.cache import cache

from mss_tracker.tracker.models import Country, FundingRecord
from mss_tracker.tracker.sample_data import load_sample_data

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def sample(db):
    load_sample_data()


def page(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def section(html: str) -> str:
    start = html.index('id="funding"')
    return html[start : html.index("</section>", start)]


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">(.*?)</dd>', html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).split()[0]


@pytest.mark.parametrize(
    ("slug", "as_of", "expected"),  # received, pledged, requirement, share, as shown
    [
        ("mss", "2024-03-01", ("US$10.8M", "US$88.8M", "US$600.0M", "1.8%")),
        ("mss", "2024-05-01", ("US$18.0M", "US$88.8M", "US$240.0M", "7.5%")),
        ("mss", "2024-10-15", ("US$68.0M", "US$85.0M", "US$240.0M", "28.3%")),
        ("mss", "", ("US$115.0M", "US$110.3M", "US$600.0M", "19.2%")),
        ("gsf", "", ("US$113.0M", "US$28.9M", "US$800.0M", "14.1%")),
        ("gsf", "2025-10-10", ("—", "US$28.9M", "—", "—")),
    ],
)
def test_the_trust_fund_as_of_any_date(client, sample, slug, as_of, expected):
    html = section(page(client, f"/missions/{slug}/", as_of=as_of))

    names = ("funding-received", "funding-pledged", "funding-requirement", "funding-share")
    assert tuple(figure(html, name) for name in names) == expected


def test_it_says_the_share_the_figure_date_and_its_sources(client, sample):
    html = section(page(client, "/missions/mss/"))

    assert "19.2% received so far, against the cost of one year." in html
    assert "Latest figure: 30 Sep 2025." in html
    assert 'href="https://pre.efe.com/en/latest-news/2025-09-30/' in html
    assert "US$115,000,000" in html  # the exact dollars beside the rounded card


def test_bilateral_support_is_apart_and_labelled(client, sample):
    html = section(page(client, "/missions/mss/"))
    bilateral = html[html.index("Bilateral support (outside the trust fund)") :]

    assert "Pledged US$300,000,000; received —. Not counted in the trust fund’s figures." in (
        bilateral
    )
    assert figure(html, "funding-pledged") == "US$110.3M"  # not 410.3


def test_disputed_figures_are_marked_and_linked(client, sample):
    html = section(page(client, "/missions/mss/"))

    assert html.count('href="#funding-disputed"') >= 2  # received (EFE) and Germany's pledge
    disputed = html[html.index('id="funding-disputed"') :]
    record = FundingRecord.objects.get(mission__slug="mss", date=D(2025, 9, 30), kind="received")
    assert f'id="funding-record-{record.uuid}"' in disputed
    assert "only 115 million dollars was raised" in disputed


def test_the_donors_table_names_each_latest_figure_and_its_source(client, sample):
    html = section(page(client, "/missions/mss/"))
    table = html[html.index('class="donors"') :]

    canada = table[table.index("Canada") : table.index("</tr>", table.index("Canada"))]
    assert "US$63,900,000" in canada and "US$8,700,000" in canada  # 59.7 + 4.2; deposits
    assert "26 Jun 2024" in canada and "miragenews.com" in canada
    assert table.count("United States") == 2  # trust fund and bilateral, one row each


def test_money_is_stale_after_180_days_for_a_running_mission_only(client, sample):
    gsf = section(page(client, "/missions/gsf/"))
    assert "No funding figure has been recorded for" in gsf  # last figure 8 Dec 2025
    fresh = section(page(client, "/missions/gsf/", as_of="2026-01-31"))
    assert "No funding figure has been recorded" not in fresh
    ended = section(page(client, "/missions/mss/"))  # ended: shown as it stood
    assert "No funding figure has been recorded" not in ended


def test_a_mission_without_money_says_so(client, mission):
    html = section(page(client, "/missions/mss/"))
    assert "No funding recorded by" in html
    assert 'data-figure="funding-received"' not in html


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        (
            "/fr",
            ["Financement", "Fonds d’affectation spéciale", "115,0 M$ US", "19,2\u00a0%"],
        ),
        ("/ht", ["Finansman", "Fon fidisyè", "115,0 milyon dola US", "Donatè yo"]),
    ],
)
def test_it_reads_in_french_and_creole(client, sample, prefix, words):
    html = section(page(client, f"{prefix}/missions/mss/"))
    for word in words:
        assert word in html, word


def test_the_chart_is_readable_without_colour(client, sample):
    response = client.get("/missions/mss/funding.svg", {"as_of": "2025-06-30"})
    svg = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    # each line its own stroke and marker, and its name written at its end and in the legend
    assert 'stroke-dasharray="7 4"' in svg and 'stroke-dasharray="2 3"' in svg
    assert "<circle" in svg and "<rect x=" in svg
    for name in ("Received", "Pledged", "Requirement"):
        assert svg.count(f">{name}</text>") == 2, name
    assert "30 Sep 2024: US$85,300,000 received" not in svg  # dated 23 Sep
    assert "23 Sep 2024: US$85,300,000 received" in svg
    assert "US$ millions" in svg
    assert "Fonds d’affectation spéciale" in page(client, "/fr/missions/mss/funding.svg")


def test_the_chart_is_on_the_page_with_its_download(client, sample):
    html = section(page(client, "/missions/mss/", as_of="2025-01-01"))
    assert html.count("funding-chart-svg") == 2  # wide and narrow
    assert 'href="/missions/mss/funding.svg?as_of=2025-01-01"' in html
    assert 'href="/missions/mss/export/funding_summary.csv?as_of=2025-01-01"' in html
    assert 'href="/missions/mss/export/funding.csv?as_of=2025-01-01"' in html


def test_a_donor_without_pledges_or_events_has_a_country_page(client, sample):
    html = page(client, "/missions/mss/countries/deu/")
    records = html[html.index('id="funding-records"') :]

    assert "Funding from Germany" in records
    assert "a pledge of US$10,000,000 (trust fund)" in records
    assert "tedactu.com" in records
    assert client.get("/missions/mss/countries/ITA/").status_code == 404
    assert client.get("/missions/gsf/countries/DEU/").status_code == 404  # not a GSF donor


def test_a_country_page_lists_its_funding_to_as_of(client, sample):
    html = page(client, "/missions/mss/countries/CAN/", as_of="2024-03-01")
    start = html.index('id="funding-records"')
    records = html[start : html.index("</section>", start)]
    assert records.count('class="pledge"') == 1  # the 4.2M of June is after as_of
    assert 'href="/missions/mss/export/funding.csv?as_of=2024-03-01&amp;country=CAN"' in records


def test_the_page_cache_follows_a_change_of_money(client, sample, settings):
    settings.DASHBOARD_CACHE_SECONDS = 3600
    cache.clear()
    try:
        assert figure(section(page(client, "/missions/gsf/")), "funding-received") == "US$113.0M"
        FundingRecord.objects.filter(mission__slug="gsf", kind="received").update(
            amount_usd=120_000_000
        )
        assert figure(section(page(client, "/missions/gsf/")), "funding-received") == "US$120.0M"
    finally:
        cache.clear()


def test_the_atom_feed_is_unaffected(client, sample):
    feed = client.get("/missions/mss/events.atom").content.decode()
    assert "funding" not in feed.lower() and "US$" not in feed


def test_the_funding_section_costs_one_query_whatever_the_records(
    client, sample, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        page(client, "/missions/mss/")
    canada = Country.objects.get(iso3="CAN")
    mission = FundingRecord.objects.filter(mission__slug="mss").first().mission
    source = FundingRecord.objects.first().source
    for day in range(1, 28):
        FundingRecord.objects.create(
            mission=mission,
            donor=canada,
            date=D(2025, 3, day),
            kind="received",
            measure="contribution",
            channel="trust_fund",
            amount_usd=1000 * day,
            source=source,
        )
    with django_assert_max_num_queries(len(before)):
        page(client, "/missions/mss/")
