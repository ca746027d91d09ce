"""Cite this view: the permanent address, the citation line and BibTeX on every page with
figures; a page opened with `cited=` says what was revised since."""

from __future__ import annotations

import datetime
import html as html_module
import re
from pathlib import Path

import pytest
from django.utils import timezone

from mss_tracker.tracker.models import DeploymentEvent, Pledge

D = datetime.date
TODAY = datetime.date.today()
CITED = TODAY - datetime.timedelta(days=3)


@pytest.fixture
def recorded_long_ago(sample_missions):
    """The sample data as if recorded ten days ago (the fixture writes it today)."""
    long_ago = timezone.now() - datetime.timedelta(days=10)
    for model in (DeploymentEvent, Pledge):
        model.history.update(history_date=long_ago)
    return sample_missions


def permanent_address(html: str) -> str:
    return html_module.unescape(re.search(r'class="citation-url" href="([^"]+)"', html)[1])


def headline_deployed(html: str) -> str:
    return re.search(r'id="results"(.*?)</section>', html, re.S)[0]


@pytest.mark.parametrize(
    ("url", "pinned"),
    [
        ("/missions/mss/", "as_of=2025-10-02"),
        ("/missions/mss/?type=police&as_of=2025-01-01", "as_of=2025-01-01&type=police"),
        ("/missions/mss/countries/KEN/?type=police", "as_of=2025-10-02&type=police"),
        (
            "/missions/mss/events/?country=KEN&kind=arrival&from=2024-01-01",
            "as_of=2025-10-02&country=KEN&kind=arrival&from=2024-01-01",
        ),
        (
            "/missions/mss/changes/?from=2025-01-01&to=2025-03-01",
            "from=2025-01-01&to=2025-03-01",
        ),
        ("/fr/missions/mss/", "as_of=2025-10-02"),
    ],
)
def test_every_page_offers_a_permanent_address_with_every_filter_pinned(
    client, sample_missions, url, pinned
):
    html = client.get(url).content.decode()
    path = url.split("?")[0]
    assert permanent_address(html) == f"http://testserver{path}?{pinned}&cited={TODAY}"
    assert "Cite this view" in html or "Citer" in html
    assert "@misc{mss-tracker-mss-" in html
    assert f"urldate = {{{TODAY.isoformat()}}}" in html


def test_the_citation_line_names_the_mission_the_view_and_both_dates(client, sample_missions):
    html = client.get("/missions/mss/?as_of=2025-01-01").content.decode()
    line = re.search(r'<p class="citation-line">(.*?)</p>', html, re.S)[1]
    line = html_module.unescape(re.sub(r"</?code>", "", line))
    assert line.startswith("MSS Tracker, “Multinational Security Support Mission in Haiti (MSS)")
    assert "dashboard" in line and "figures as of 1 Jan 2025" in line
    assert f"retrieved {TODAY.day} " in line and "cited=" in line


def test_the_bibtex_escapes_what_bibtex_reads_as_commands(client, sample_missions):
    mission = sample_missions.mss
    mission.name = "Mission 100% {secure} & sound"
    mission.save()
    html = html_module.unescape(client.get("/missions/mss/").content.decode())
    assert r"title = {Mission 100\% \{secure\} \& sound (MSS): dashboard}" in html


def test_the_address_opened_later_shows_the_same_figures_after_later_events(
    client, sample_missions
):
    cited = client.get("/missions/mss/?as_of=2025-01-10").content.decode()
    address = permanent_address(cited).removeprefix("http://testserver")
    # An event dated after the cited as_of is recorded: the pinned view does not move.
    DeploymentEvent.objects.create(
        mission=sample_missions.mss,
        country_id="KEN",
        kind="arrival",
        personnel=500,
        personnel_type="police",
        date=D(2025, 3, 1),
        source=sample_missions.source,
    )
    later = client.get(address).content.decode()
    assert headline_deployed(later) == headline_deployed(cited)
    assert "Revised since" not in later
    assert "no record these figures rest on has been recorded, changed or deleted" in later


def _revised(client, address: str, cited: datetime.date) -> str:
    address = re.sub(r"cited=[\d-]+", f"cited={cited.isoformat()}", address)
    return client.get(address).content.decode()


def test_it_says_revised_since_after_a_back_dated_record(client, recorded_long_ago):
    sample_missions = recorded_long_ago
    cited = client.get("/missions/mss/?as_of=2025-01-10").content.decode()
    address = permanent_address(cited).removeprefix("http://testserver")
    event = DeploymentEvent.objects.create(
        mission=sample_missions.mss,
        country_id="KEN",
        kind="arrival",
        personnel=12,
        personnel_type="police",
        date=D(2025, 1, 8),  # before the cited as_of
        source=sample_missions.source,
    )
    html = _revised(client, address, CITED)
    assert "Revised since" in html
    assert "1 record they rest on was recorded, changed or deleted" in html
    assert f"#event-{event.pk}" in html
    # Cited today, nothing has happened since.
    assert "Revised since" not in _revised(client, address, TODAY)


def test_a_correction_and_a_deletion_are_revisions_too(client, recorded_long_ago):
    sample_missions = recorded_long_ago
    event = DeploymentEvent.objects.get(
        mission=sample_missions.mss, country_id="KEN", date=D(2025, 1, 18)
    )
    event.personnel = 218
    event._change_reason = "corrected"
    event.save()
    gone = DeploymentEvent.objects.get(
        mission=sample_missions.mss, country_id="KEN", kind="fatality"
    )
    gone.delete()
    html = client.get(f"/missions/mss/countries/KEN/?as_of=2025-10-02&cited={CITED}")
    html = html.content.decode()
    assert "Revised since" in html
    assert "changed" in html and "deleted" in html


def test_a_revision_outside_the_view_is_not_one(client, recorded_long_ago):
    """A record of another country, or dated after the view's date, changes nothing."""
    DeploymentEvent.objects.create(
        mission=recorded_long_ago.mss,
        country_id="JAM",
        kind="arrival",
        personnel=3,
        personnel_type="police",
        date=D(2025, 1, 8),
        source=recorded_long_ago.source,
    )
    html = client.get(f"/missions/mss/countries/KEN/?as_of=2025-10-02&cited={CITED}")
    assert "Revised since" not in html.content.decode()
    html = client.get(f"/missions/mss/?as_of=2025-01-01&cited={CITED}")
    assert "Revised since" not in html.content.decode()


@pytest.mark.parametrize("cited", ["yesterday", "2025-02-30", "9999-01-01"])
def test_a_bad_cited_date_is_a_400_naming_it(client, sample_missions, cited):
    response = client.get(f"/missions/mss/?cited={cited}")
    assert response.status_code == 400
    assert "<code>cited</code>" in response.content.decode()


def test_the_citation_prints(client, sample_missions):
    html = client.get("/missions/mss/").content.decode()
    assert '<details class="citation" id="cite">' in html  # print.js opens it to print
    css = Path("static/css/print.css").read_text()
    assert ".citation {\n  display: block;" in css


def test_no_query_is_added_without_cited(client, sample_missions):
    """The citation costs nothing; `cited=` costs a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as plain:
        client.get("/missions/mss/")
    yesterday = TODAY - datetime.timedelta(days=1)
    with CaptureQueriesContext(connection) as cited:
        client.get(f"/missions/mss/?cited={yesterday}")
    assert len(cited) - len(plain) <= 6
