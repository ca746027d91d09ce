"""/missions/<slug>/events.atom: the newest recorded events, as Atom 1.0."""

import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from mss_tracker.dashboards.feeds import FEED_ENTRIES, entry_id, event_title
from mss_tracker.tracker.models import DeploymentEvent

D = datetime.date
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def sample(sample_missions):
    return sample_missions


def _feed(client, slug="gsf", **params):
    response = client.get(reverse("dashboards:events-feed", args=[slug]), params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/atom+xml")
    return response, feedparser.parse(response.content)


def _record_in_order(events):
    """Give `events` recording times one minute apart, the first oldest."""
    start = timezone.now() - datetime.timedelta(days=1)
    for minutes, event in enumerate(events):
        at = start + datetime.timedelta(minutes=minutes)
        DeploymentEvent.objects.filter(pk=event.pk).update(recorded_at=at, updated_at=at)


def test_it_is_valid_atom_1_0(client, sample):
    response, feed = _feed(client)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):  # RFC 4287 §4.1.1
        assert root.find(f"{ATOM}{required}") is not None, required
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    for entry in entries:  # RFC 4287 §4.1.2
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    assert feed.feed.title == "GSF events"
    assert feed.feed.link.startswith("http://testserver/missions/gsf/events/")


def test_titles_say_what_happened(client, sample):
    _record_in_order(DeploymentEvent.objects.filter(mission__slug="gsf").order_by("date"))
    _response, feed = _feed(client)
    assert [entry.title for entry in feed.entries] == [
        "Departure: 100 police (Kenya), 9 Dec 2025",
        "Arrival: 230 police (Kenya), 8 Dec 2025",
        "Strength report: 700 police (Kenya), 7 Dec 2025",
    ]


def test_a_title_names_any_country_and_keeps_the_date_precision(sample):
    event = DeploymentEvent.objects.get(mission__slug="mss", country="JAM", kind="departure")
    assert event_title(event) == "Departure: 20 military personnel (Jamaica), Apr 2025"
    event.country_id, event.personnel_type, event.personnel = "BHS", "civilian", 1
    assert event_title(event) == "Departure: 1 civilian personnel (Bahamas), Apr 2025"


def test_content_names_and_links_the_source_notes_and_the_figure_after(client, sample):
    event = DeploymentEvent.objects.get(mission__slug="gsf", kind="arrival")
    event.notes = "Second contingent <of the year>"
    event.save()
    _response, feed = _feed(client)
    (entry,) = [entry for entry in feed.entries if entry.title.startswith("Arrival")]
    content = entry.content[0].value if "content" in entry else entry.summary
    assert '<a href="https://krdo.com/news/2024/06/25/contingent/">' in content
    assert "KRDO (Associated Press)" in content
    assert "Second contingent &lt;of the year&gt;" in content
    assert "Deployed after this event (Kenya, police): 930." in content
    assert entry.link == "http://testserver/missions/gsf/countries/KEN/"


def test_a_back_dated_event_recorded_last_comes_first(client, sample):
    _record_in_order(DeploymentEvent.objects.filter(mission__slug="mss").order_by("date"))
    late = DeploymentEvent.objects.create(
        mission=sample.mss,
        country_id="KEN",
        kind="arrival",
        personnel_type="police",
        date=D(2024, 8, 1),
        personnel=12,
        source=sample.source,
    )
    _response, feed = _feed(client, "mss")
    assert feed.entries[0].title == "Arrival: 12 police (Kenya), 1 Aug 2024"
    assert feed.entries[0].id == entry_id(late)
    recorded = [entry.published_parsed for entry in feed.entries]
    assert recorded == sorted(recorded, reverse=True)


def test_it_lists_the_50_latest_recorded(client, sample):
    events = [
        DeploymentEvent(
            mission=sample.gsf,
            country_id="KEN",
            kind="arrival",
            personnel_type="military",
            date=D(2025, 10, 3) + datetime.timedelta(days=day),
            personnel=1,
            source=sample.source,
        )
        for day in range(60)
    ]
    for event in events:
        event.save()
    sample_events = list(
        DeploymentEvent.objects.filter(mission=sample.gsf, personnel_type="police")
    )
    _record_in_order(sample_events + events)  # the 3 sample events first: 63 in all
    _response, feed = _feed(client)
    assert len(feed.entries) == FEED_ENTRIES
    assert feed.entries[0].id == entry_id(events[-1])
    assert feed.entries[-1].id == entry_id(events[10])


def test_entry_ids_are_stable_across_edits_and_updated_follows_the_edit(client, sample):
    _response, before = _feed(client)
    event = DeploymentEvent.objects.get(mission__slug="gsf", kind="arrival")
    DeploymentEvent.objects.filter(pk=event.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=2),
        recorded_at=timezone.now() - datetime.timedelta(days=2),
    )
    event.refresh_from_db()
    event.personnel = 231
    event.save()
    _response, after = _feed(client)
    assert sorted(entry.id for entry in after.entries) == sorted(e.id for e in before.entries)
    (edited,) = [entry for entry in after.entries if entry.id == entry_id(event)]
    assert edited.title == "Arrival: 231 police (Kenya), 8 Dec 2025"
    assert edited.updated_parsed > edited.published_parsed


def test_entry_ids_are_the_record_ids_never_the_database_key(client, sample):
    _response, feed = _feed(client)
    uuids = {
        f"urn:uuid:{event.uuid}" for event in DeploymentEvent.objects.filter(mission=sample.gsf)
    }
    assert {entry.id for entry in feed.entries} == uuids


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"country": "jam"},
            {
                ("JAM", "arrival", "military"),
                ("JAM", "arrival", "police"),
                ("JAM", "departure", "military"),
            },
        ),
        (
            {"kind": "departure"},
            {("BHS", "departure", "military"), ("JAM", "departure", "military")},
        ),
        (
            {"type": "police", "kind": "arrival"},
            {("KEN", "arrival", "police"), ("JAM", "arrival", "police")},
        ),
        ({"type": "civilian"}, set()),
    ],
)
def test_it_honours_its_filters(client, sample, params, expected):
    _response, feed = _feed(client, "mss", **params)
    ids = {entry.id for entry in feed.entries}
    events = DeploymentEvent.objects.filter(mission__slug="mss")
    matching = {
        entry_id(event)
        for event in events
        if (event.country_id, event.kind, event.personnel_type) in expected
    }
    assert ids == matching


def test_a_filtered_feed_says_so_in_its_title(client, sample):
    _response, feed = _feed(client, "mss", country="KEN", kind="arrival", type="police")
    assert feed.feed.title == "MSS events: Arrival, Police, Kenya"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"country": "ZZZ"}, "country"), ({"kind": "landing"}, "kind"), ({"type": "navy"}, "type")],
)
def test_a_bad_filter_gets_the_pages_400(client, sample, params, parameter):
    response = client.get(reverse("dashboards:events-feed", args=["mss"]), params)
    assert response.status_code == 400
    assert parameter in response.content.decode()


def test_an_unknown_mission_is_a_404(client, db):
    response = client.get(reverse("dashboards:events-feed", args=["nope"]))
    assert response.status_code == 404


def test_the_slug_is_case_insensitive(client, sample):
    _response, feed = _feed(client, "GSF")
    assert len(feed.entries) == 3


def test_it_takes_three_queries_however_many_entries(client, sample, django_assert_num_queries):
    with django_assert_num_queries(3):  # mission, the country filter's check, the entries
        _feed(client, "mss", country="KEN")


def test_pages_link_the_feed(client, sample):
    for url in (
        reverse("dashboards:mission", args=["gsf"]),
        reverse("dashboards:events", args=["gsf"]) + "?type=police&kind=arrival",
    ):
        html = client.get(url).content.decode()
        assert 'rel="alternate" type="application/atom+xml"' in html
        assert "/missions/gsf/events.atom" in html
    html = client.get(
        reverse("dashboards:events", args=["gsf"]) + "?type=police&kind=arrival"
    ).content.decode()
    assert "/missions/gsf/events.atom?type=police&amp;kind=arrival" in html


def test_the_country_page_offers_its_countrys_feed(client, sample):
    html = client.get(reverse("dashboards:country", args=["mss", "KEN"])).content.decode()
    assert 'type="application/atom+xml"' in html
    assert "/missions/mss/events.atom?country=KEN" in html
