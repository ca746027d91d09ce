"""The sentences around the figures, read on the sample data as an analyst would, in
English, French and Creole: what a report that does not add up is compared with, every
disputed record behind a figure, freshness and carry-over notes.

Numbers are checked against a replay of the sample events in Python
(test_reconciliation_properties.replay_reconciliation), never against the template.
"""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from test_arithmetic_properties import (
    reference_deployed,
    reference_determining_disputed,
    reference_pledge_in_force,
)
from test_reconciliation_properties import number, read_reconciliations, replay_reconciliation

from mss_tracker.tracker.models import DeploymentEvent, Pledge
from mss_tracker.tracker.sample_data import load_sample_data


@pytest.fixture
def sample(db):
    load_sample_data()


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" .", ".").replace(" ,", ",")


def rows_of(slug: str, iso3: str) -> list[SimpleNamespace]:
    """The country's events in the mission, in the replay's terms."""
    return [
        SimpleNamespace(
            pk=e.pk,
            country=e.country_id,
            ptype=e.personnel_type,
            day=e.date,
            kind=e.kind,
            personnel=e.personnel,
            disputed=e.disputed,
        )
        for e in DeploymentEvent.objects.filter(mission__slug=slug, country_id=iso3)
    ]


def section(html: str, heading: str) -> str:
    return html.split(f'id="{heading}"')[1].split("</section>")[0]


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", ["against 758 from the records before it", "+758 carried over from MSS"]),
        ("/fr", ["contre 758 selon les données antérieures", "+758 transférés de la MSS"]),
        ("/ht", ["kont 758 dapre sa ki te anrejistre anvan l", "+758 transfere soti nan MSS"]),
    ],
)
def test_a_report_after_a_carry_over_names_the_transfer(client, sample, prefix, words):
    html = client.get(f"{prefix}/missions/gsf/countries/KEN/?as_of=2025-12-31").content.decode()
    said = text_of(section(html, "discrepancies-heading"))
    for word in words:
        assert word in said
    assert "add up to" not in said


@pytest.mark.parametrize(("slug", "as_of"), [("mss", "2025-10-02"), ("gsf", "2025-12-31")])
def test_every_reconciliation_of_kenya_is_the_replays(client, sample, slug, as_of):
    html = client.get(f"/missions/{slug}/countries/KEN/?as_of={as_of}").content.decode()
    rows = rows_of(slug, "KEN")
    replays = {
        str(row.pk): replay
        for row in rows
        if row.kind == "strength_report"
        and row.day.isoformat() <= as_of
        and (replay := replay_reconciliation(rows, row))["unaccounted"]
    }
    stated = read_reconciliations(html)
    assert set(stated) == set(replays) and stated
    for pk, replay in replays.items():
        assert stated[pk]["expected"] == replay["expected"]
        assert stated[pk]["base"] == replay["base"]
        assert stated[pk]["terms"] == replay["terms"]
        assert stated[pk]["unaccounted"] == replay["unaccounted"]


def test_the_mss_headcount_of_january_2025_is_compared_with_the_running_figure(client, sample):
    html = client.get("/missions/mss/countries/KEN/?as_of=2025-10-02").content.decode()
    said = text_of(section(html, "discrepancies-heading"))
    assert (
        "Reported 400 police on 4 Jan 2025, against 382 from the records before it: the "
        "headcount of 382 on 26 Sep 2024, and nothing recorded since. 18 unaccounted for."
    ) in said


@pytest.mark.parametrize("prefix", ["", "/fr", "/ht"])
def test_why_disputed_lists_every_record_behind_the_figure(client, sample, prefix):
    """Kenya in the MSS on its end date: three disputed records after the undisputed
    headcount of 4 Jan 2025 (the arrivals of 18 Jan and 6 Feb 2025, a fatality)."""
    html = client.get(f"{prefix}/missions/mss/countries/KEN/?as_of=2025-10-02").content.decode()
    rows = rows_of("mss", "KEN")
    behind = reference_determining_disputed(rows, "KEN", "police", datetime.date(2025, 10, 2))
    listed = [int(pk) for pk in re.findall(r'<li id="disputed-event-(\d+)">', html)]
    assert sorted(listed) == sorted(row.pk for row in behind) and len(listed) == 3
    for row in behind:
        item = html.split(f'<li id="disputed-event-{row.pk}">')[1].split("</li>")[0]
        note = DeploymentEvent.objects.get(pk=row.pk).notes
        assert note[:40].replace("'", "&#x27;") in item  # its reason


def freshness_of(html: str) -> str:
    match = re.search(r'<p class="freshness[^"]*"[^>]*>(.*?)</p>', html, re.S)
    assert match, "no freshness line"
    return text_of(match.group(1))


def card_of(html: str, slug: str) -> str:
    return html.split(f'id="mission-{slug}"')[1].split("</article>")[0]


@pytest.mark.parametrize(
    ("prefix", "warning"),
    [
        ("", "these figures may be out of date"),
        ("/fr", "ces chiffres ne sont peut-être plus à jour"),
        ("/ht", "chif sa yo ka pa ajou"),
    ],
)
def test_the_home_page_warns_of_stale_figures_as_the_dashboard_does(
    client, sample, prefix, warning
):
    home = client.get(f"{prefix}/?as_of=2026-06-01").content.decode()
    dashboard = client.get(f"{prefix}/missions/gsf/?as_of=2026-06-01").content.decode()
    said = freshness_of(card_of(home, "gsf"))
    assert said == freshness_of(dashboard)
    assert warning in said and "173" in said  # 10 Dec 2025 to 1 Jun 2026
    assert "freshness-stale" in card_of(home, "gsf")
    assert "freshness-stale" not in card_of(home, "mss")  # ended: shown as on its end date


def mission_rows(slug: str) -> tuple[list, list]:
    events = [
        SimpleNamespace(
            pk=e.pk,
            country=e.country_id,
            ptype=e.personnel_type,
            day=e.date,
            kind=e.kind,
            personnel=e.personnel,
            disputed=e.disputed,
        )
        for e in DeploymentEvent.objects.filter(mission__slug=slug)
    ]
    pledges = [
        SimpleNamespace(
            pk=p.pk,
            country=p.country_id,
            ptype=p.personnel_type,
            day=p.date,
            personnel=p.personnel,
            disputed=p.disputed,
        )
        for p in Pledge.objects.filter(mission__slug=slug)
    ]
    return events, pledges


def replay_unconfirmed(slug: str, as_of: datetime.date) -> tuple[int, int]:
    """(pledged unconfirmed, deployed unconfirmed) replayed from the records."""
    events, pledges = mission_rows(slug)
    timelines = {(r.country, r.ptype) for r in [*events, *pledges]}
    pledged = deployed = 0
    for country, ptype in timelines:
        in_force = reference_pledge_in_force(pledges, country, ptype, as_of)
        if in_force is not None and in_force.disputed:
            pledged += in_force.personnel or 0
        if reference_determining_disputed(events, country, ptype, as_of):
            deployed += reference_deployed(events, country, ptype, as_of)
    return pledged, deployed


@pytest.mark.parametrize(("slug", "as_of"), [("mss", "2025-10-02"), ("gsf", "2025-12-31")])
def test_headline_badges_link_to_the_disputed_figures_and_say_how_much(client, sample, slug, as_of):
    pledged, deployed = replay_unconfirmed(slug, datetime.date.fromisoformat(as_of))
    assert pledged and deployed
    dashboard = client.get(f"/missions/{slug}/?as_of={as_of}").content.decode()
    home = card_of(client.get(f"/?as_of={as_of}").content.decode(), slug)
    for html, href in [
        (dashboard, "#disputed"),
        (home, f"/missions/{slug}/?as_of={as_of}#disputed"),
    ]:
        for name, amount in [("pledged", pledged), ("deployed", deployed)]:
            assert re.search(
                rf'<a class="badge badge-disputed" data-disputed="{name}" href="{re.escape(href)}"',
                html,
            )
            said = re.search(rf'data-unconfirmed="{name}">(.*?)</dd>', html).group(1)
            assert text_of(said) == f"of which {amount:,} unconfirmed"
    assert 'id="disputed"' in dashboard


def test_the_dashboards_disputed_figures_link_to_records_listed_on_country_pages(client, sample):
    dashboard = client.get("/missions/mss/?as_of=2025-10-02").content.decode()
    listed = section(dashboard, "disputed-heading")
    links = re.findall(
        r'href="(/missions/mss/countries/(\w+)/\?as_of=2025-10-02)#(disputed-\w+-\d+)"', listed
    )
    assert links and {iso3 for _, iso3, _ in links} >= {"KEN"}
    for url, _iso3, anchor in links:
        assert f'<li id="{anchor}">' in client.get(url).content.decode()
    kenya = re.search(r'<li data-country="KEN">(.*?)</li>', listed, re.S).group(1)
    assert "deployed 758, of which 758 unconfirmed" in text_of(kenya)


def notice(html: str, kind: str) -> str:
    match = re.search(rf'<p class="notice" role="note" data-period="{kind}">(.*?)</p>', html, re.S)
    assert match, f"no {kind} notice"
    return text_of(match.group(1))


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        (
            "",
            "You asked for 1 Jan 2030, a date still to come: these are the figures as "
            "recorded up to today ({today}).",
        ),
        (
            "/fr",
            "Vous avez demandé le 1er janv. 2030, une date à venir : voici les chiffres "
            "tels qu’enregistrés jusqu’à aujourd’hui ({today}).",
        ),
        (
            "/ht",
            "Ou mande 1ye janvye 2030, yon dat ki poko rive: men chif yo jan yo anrejistre "
            "jiska jodi a ({today}).",
        ),
    ],
)
def test_a_future_date_shows_todays_figures_and_says_so(client, sample, prefix, words):
    from django.utils import translation

    from mss_tracker.tracker.dates import format_with_precision

    with translation.override(prefix.strip("/") or "en"):
        today = format_with_precision(datetime.date.today(), "day")
    future = client.get(f"{prefix}/missions/gsf/?as_of=2030-01-01").content.decode()
    assert notice(future, "future") == words.format(today=today)
    now = client.get(f"{prefix}/missions/gsf/").content.decode()
    assert re.search(r'data-figure="deployed">(.*?)</dd>', future).group(1) == re.search(
        r'data-figure="deployed">(.*?)</dd>', now
    ).group(1)
    assert freshness_of(future) == freshness_of(now)  # days counted to today, not to 2030
    assert 'data-period="future"' not in now


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", ["GSF had not been authorised by 1 Jan 2025.", "authorised it on 30 Sep 2025."]),
        ("/fr", ["La GSF n’était pas encore autorisée au 1er janv. 2025.", "l’a autorisée le"]),
        ("/ht", ["GSF pa t ankò otorize nan dat 1ye janvye 2025.", "te otorize l nan dat"]),
    ],
)
def test_a_date_before_the_authorisation_says_so_with_its_date_and_link(
    client, sample, prefix, words
):
    for url in (f"{prefix}/missions/gsf/?as_of=2025-01-01", f"{prefix}/?as_of=2025-01-01"):
        html = client.get(url).content.decode()
        if "/missions/" not in url:
            html = card_of(html, "gsf")
        said = notice(html, "before-authorisation")
        for word in words:
            assert word in said
        assert re.search(r'href="(/fr|/ht)?/missions/gsf/\?as_of=2025-09-30"', html)
    mss = client.get(f"{prefix}/missions/mss/?as_of=2025-01-01").content.decode()
    assert 'data-period="before-authorisation"' not in mss


def first_arrival_under(slug: str, iso3: str) -> datetime.date:
    """Replayed: the earliest arrival or transfer of the country in that mission."""
    return min(row.day for row in rows_of(slug, iso3) if row.kind in ("arrival", "transfer"))


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", "carried over from MSS; first arrived under MSS on {date}"),
        ("/fr", "transférés de la MSS ; premières arrivées sous la MSS le {date}"),
        ("/ht", "transfere soti nan MSS; premye rive anba MSS nan dat {date}"),
    ],
)
def test_a_carried_over_country_says_when_it_first_arrived_under_the_predecessor(
    client, sample, prefix, words
):
    from django.utils import translation

    from mss_tracker.tracker.dates import format_with_precision

    dashboard = client.get(f"{prefix}/missions/gsf/?as_of=2025-12-31").content.decode()
    for iso3 in ("KEN", "JAM", "GTM"):
        first = first_arrival_under("mss", iso3)
        with translation.override(prefix.strip("/") or "en"):
            expected = words.format(date=format_with_precision(first, "day"))
        row = re.search(rf'<tr id="country-{iso3}">(.*?)</tr>', dashboard, re.S).group(1)
        assert expected in text_of(row), iso3
        assert f'data-first-arrival-under-predecessor="{first.isoformat()}"' in row
    kenya = client.get(f"{prefix}/missions/gsf/countries/KEN/?as_of=2025-12-31").content.decode()
    assert 'data-first-arrival-under-predecessor="2024-06-25"' in kenya
    mss = client.get(f"{prefix}/missions/mss/?as_of=2025-10-02").content.decode()
    assert "data-first-arrival-under-predecessor" not in mss


@pytest.mark.parametrize(("prefix", "month"), [("", "Apr 2025"), ("/fr", "avr. 2025")])
def test_a_month_precision_date_is_shown_as_its_month(client, sample, prefix, month):
    """Jamaica's rotation of April 2025 is recorded to the month only."""
    dashboard = client.get(f"{prefix}/missions/mss/?as_of=2025-05-01").content.decode()
    row = re.search(r'<tr id="country-JAM">(.*?)</tr>', dashboard, re.S).group(1)
    assert month in text_of(row) and "1 Apr 2025" not in text_of(row)
    page = client.get(f"{prefix}/missions/mss/countries/JAM/?as_of=2025-05-01").content.decode()
    assert text_of(re.search(r'data-figure="last-event">(.*?)</dd>', page).group(1)) == month
    assert f"<strong>{month}</strong>" in page  # the freshness line
    assert re.search(rf'aria-label="{month}\s*: \d+ d', page)  # a chart point
    assert re.search(rf'<time datetime="2025-04-01">{month}</time>', page)  # the chart table


def test_the_charts_points_are_focusable_and_its_table_has_every_figure(client, sample):
    html = client.get("/missions/mss/?as_of=2025-10-02").content.decode()
    strength = html.split('id="chart-heading"')[1]  # not the funding chart, above it
    wide = strength.split('class="chart-wide"')[1].split("</svg>")[0]
    points = re.findall(
        r'<g class="chart-point" tabindex="0" role="img" aria-label="([^"]+)">', wide
    )
    table = re.findall(
        r'<tr><th scope="row"><time datetime="([\d-]+)">[^<]+</time></th>'
        r'<td class="num">([\d,]+)</td><td class="num">([\d,]+)</td></tr>',
        strength.split('class="chart-table"')[1],
    )
    assert points and table
    events, pledges = mission_rows("mss")
    timelines = {(r.country, r.ptype) for r in [*events, *pledges]}
    for day, deployed, pledged in table:
        day = datetime.date.fromisoformat(day)
        assert number(deployed) == sum(reference_deployed(events, c, t, day) for c, t in timelines)
        assert number(pledged) == sum(
            (p.personnel or 0)
            for c, t in timelines
            if (p := reference_pledge_in_force(pledges, c, t, day)) is not None
        )
    assert len(points) == len(re.findall(r'class="chart-point-label"', wide))


def test_the_events_count_names_the_from_and_to_it_counts(client, sample):
    url = "/missions/mss/events/?as_of=2025-10-02&from=2025-01-01&to=2025-02-01"
    html = client.get(url).content.decode()
    summary = text_of(re.search(r'id="results-summary">(.*?)</p>', html, re.S).group(1))
    counted = DeploymentEvent.objects.filter(
        mission__slug="mss",
        date__gte=datetime.date(2025, 1, 1),
        date__lte=datetime.date(2025, 2, 1),
    ).count()
    assert summary.startswith(f"{counted} events from 1 Jan 2025 to 1 Feb 2025")
    only_to = client.get("/missions/mss/events/?as_of=2025-10-02&to=2025-02-01").content.decode()
    assert "events up to <strong>1 Feb 2025</strong>" in only_to


def test_the_feed_title_names_the_country(client, sample):
    feed = client.get("/missions/mss/events.atom?country=KEN").content.decode()
    assert "<title>MSS events: Kenya</title>" in feed


def test_the_analyst_guide_quotes_no_figure_the_data_can_change():
    from pathlib import Path

    guide = (Path(__file__).resolve().parent.parent / "docs" / "analyst-pages.md").read_text()
    assert not re.findall(r"\b\d{1,3},\d{3}\b", guide)


def test_a_printout_pins_the_figures_date_and_says_when_it_was_printed(client, sample):
    html = client.get("/missions/gsf/").content.decode()
    context = html[html.index('class="print-context') : html.index('id="headline-heading"')]
    today = datetime.date.today()
    assert f"http://testserver/missions/gsf/?as_of={today.isoformat()}</code>" in context
    assert f"printed on {today.day} {today:%b} {today.year}" in text_of(context)
