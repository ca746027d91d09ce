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
from test_arithmetic_properties import reference_determining_disputed
from test_reconciliation_properties import read_reconciliations, replay_reconciliation

from mss_tracker.tracker.models import DeploymentEvent
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
