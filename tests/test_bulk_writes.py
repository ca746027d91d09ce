"""The queryset writes that bypass save() keep its rules (tracker/bulk_writes.py): an
events `update()`, `bulk_create()` or `bulk_update()` rebuilds the timelines it touched
under the missions' locks, and is refused whole when the result breaks a rule; a
queryset delete takes the lock too; pledges' bulk writes check their dates. The CSV
import, which writes in bulk and rebuilds once, keeps working."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mss_tracker.tracker import bulk_writes
from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.csv.spec import EVENT_COLUMNS
from mss_tracker.tracker.models import (
    Country,
    DeploymentEvent,
    FundingRecord,
    Pledge,
    TimelinePoint,
)
from mss_tracker.tracker.possible_dates import ImpossibleDate
from mss_tracker.tracker.querysets import MissionQuerySet
from mss_tracker.tracker.timeline_check import find_differences
from mss_tracker.tracker.timelines import NegativeStrength

D = datetime.date


@pytest.fixture
def arrivals(record_event) -> list[DeploymentEvent]:
    """Kenyan police: 200 arrive on 25 Jun 2024, 100 more on 1 Jul, 50 leave on 10 Jul."""
    return [
        record_event(D(2024, 6, 25), "arrival", 200),
        record_event(D(2024, 7, 1), "arrival", 100),
        record_event(D(2024, 7, 10), "departure", 50),
    ]


@pytest.fixture
def locks(monkeypatch) -> list[int]:
    """The missions locked, in order (Mission.objects.lock does nothing on SQLite)."""
    locked: list[int] = []
    original = MissionQuerySet.lock

    def lock(self, pk):
        locked.append(pk)
        original(self, pk)

    monkeypatch.setattr(MissionQuerySet, "lock", lock)
    return locked


def strength(mission, day, personnel_type="police", country="KEN") -> int:
    point = (
        TimelinePoint.objects.filter(
            mission=mission, country=country, personnel_type=personnel_type, date__lte=day
        )
        .order_by("-date")
        .first()
    )
    return point.deployed if point else 0


def test_an_update_rebuilds_the_timelines(mission, arrivals, locks):
    DeploymentEvent.objects.filter(kind="arrival", date=D(2024, 7, 1)).update(personnel=150)
    assert strength(mission, D(2024, 7, 10)) == 300
    assert strength(mission, D(2024, 7, 10), "all") == 300
    assert locks == [mission.pk]
    assert find_differences() == []


def test_an_update_that_moves_events_rebuilds_both_timelines(mission, arrivals, haiti):
    DeploymentEvent.objects.filter(date__gte=D(2024, 7, 1)).update(country=haiti)
    assert strength(mission, D(2024, 7, 10)) == 200
    assert strength(mission, D(2024, 7, 10), country="HTI") == 50
    assert find_differences() == []


def test_an_update_that_would_go_negative_is_refused_whole(mission, arrivals):
    with pytest.raises(NegativeStrength, match="would fall to -100 on 10 Jul 2024"):
        DeploymentEvent.objects.filter(kind="departure").update(personnel=400)
    assert sorted(DeploymentEvent.objects.values_list("personnel", flat=True)) == [50, 100, 200]
    assert find_differences() == []


def test_an_update_of_notes_alone_rebuilds_nothing(mission, arrivals, locks):
    with CaptureQueriesContext(connection) as queries:
        DeploymentEvent.objects.update(notes="checked against the UN briefing")
    assert len(queries) == 1  # the UPDATE
    assert locks == []


def test_bulk_create_rebuilds_the_timelines(mission, arrivals, kenya, source, locks):
    DeploymentEvent.objects.bulk_create(
        [
            DeploymentEvent(
                mission=mission,
                country=kenya,
                source=source,
                personnel_type="military",
                date=D(2024, 7, 2),
                kind="arrival",
                personnel=30,
            )
        ]
    )
    assert strength(mission, D(2024, 7, 2), "military") == 30
    assert strength(mission, D(2024, 7, 2), "all") == 330
    assert locks == [mission.pk]
    assert find_differences() == []


def test_bulk_create_that_would_go_negative_is_refused_whole(mission, arrivals, kenya, source):
    departure = DeploymentEvent(
        mission=mission,
        country=kenya,
        source=source,
        personnel_type="police",
        date=D(2024, 7, 11),
        kind="departure",
        personnel=251,
    )
    with pytest.raises(NegativeStrength, match="shortfall of 1"):
        DeploymentEvent.objects.bulk_create([departure])
    assert DeploymentEvent.objects.count() == 3


def counted_rebuilds(monkeypatch) -> list:
    """The keys of every `rebuild_timelines()`, which every write of events ends with."""
    rebuilds: list = []
    rebuild = bulk_writes.EventWrites.rebuild_timelines

    def counted(self, keys=None):
        rebuilds.append(set(keys))
        return rebuild(self, keys)

    monkeypatch.setattr(bulk_writes.EventWrites, "rebuild_timelines", counted)
    return rebuilds


def test_bulk_update_rebuilds_the_timelines_once(mission, arrivals, locks, monkeypatch):
    rebuilds = counted_rebuilds(monkeypatch)
    first, _second, departure = arrivals
    first.personnel, departure.personnel = 220, 20
    DeploymentEvent.objects.bulk_update([first, departure], ["personnel"], batch_size=1)
    assert strength(mission, D(2024, 7, 10)) == 300
    assert len(rebuilds) == 1  # not once per batch (bulk_update runs update() per batch)
    assert locks == [mission.pk]
    assert find_differences() == []


def test_bulk_update_that_moves_an_event_rebuilds_both_timelines(mission, arrivals, haiti):
    _first, second, _departure = arrivals
    second.country = haiti
    second.personnel_type = "military"
    DeploymentEvent.objects.bulk_update([second], ["country", "personnel_type"])
    assert strength(mission, D(2024, 7, 1)) == 200
    assert strength(mission, D(2024, 7, 1), "military", "HTI") == 100
    assert find_differences() == []


def test_bulk_update_that_would_go_negative_is_refused_whole(mission, arrivals):
    departure = arrivals[2]
    departure.personnel = 400
    with pytest.raises(NegativeStrength):
        DeploymentEvent.objects.bulk_update([departure], ["personnel"])
    departure.refresh_from_db()
    assert departure.personnel == 50


def test_a_queryset_delete_takes_the_mission_lock_and_rebuilds(mission, arrivals, locks):
    DeploymentEvent.objects.filter(kind="departure").delete()
    assert locks == [mission.pk]
    assert strength(mission, D(2024, 7, 10)) == 300
    assert find_differences() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_a_queryset_delete_locks_the_mission_row_before_it_deletes(mission, arrivals):
    with CaptureQueriesContext(connection) as queries:
        DeploymentEvent.objects.filter(kind="departure").delete()
    statements = [query["sql"] for query in queries]
    locked = next(i for i, sql in enumerate(statements) if "FOR UPDATE" in sql)
    deleted = next(i for i, sql in enumerate(statements) if sql.startswith("DELETE"))
    assert '"tracker_mission"' in statements[locked] and locked < deleted


def test_bulk_writes_of_pledges_check_their_dates(mission, kenya, source, record_pledge):
    mission.end_date = D(2025, 10, 2)
    mission.save()
    late = Pledge(
        mission=mission,
        country=kenya,
        source=source,
        personnel_type="police",
        date=D(2025, 11, 1),
        personnel=10,
    )
    with pytest.raises(ImpossibleDate, match="cannot be dated after the mission ended"):
        Pledge.objects.bulk_create([late])
    assert not Pledge.objects.exists()

    pledge = record_pledge(D(2023, 7, 25), 1000)
    with pytest.raises(ImpossibleDate, match="after today"):
        Pledge.objects.update(date=datetime.date.today() + datetime.timedelta(days=1))
    pledge.date = D(2025, 10, 3)
    with pytest.raises(ImpossibleDate, match="after the mission ended"):
        Pledge.objects.bulk_update([pledge], ["date"])
    assert Pledge.objects.get().date == D(2023, 7, 25)

    with CaptureQueriesContext(connection) as queries:
        Pledge.objects.update(personnel=1200)  # no date changed: nothing to check
    assert len(queries) == 1


def test_bulk_writes_of_funding_records_check_their_dates(mission, kenya, source):
    """Funding records follow the pledges' date rule (docs/funding.md), in bulk too."""
    mission.end_date = D(2025, 10, 2)
    mission.save()

    def received(day):
        return FundingRecord(
            mission=mission,
            donor=kenya,
            source=source,
            date=day,
            kind="received",
            measure="contribution",
            channel="trust_fund",
            amount_usd=1_000,
        )

    with pytest.raises(ImpossibleDate, match="cannot be dated after the mission ended"):
        FundingRecord.objects.bulk_create([received(D(2025, 11, 1))])
    assert not FundingRecord.objects.exists()

    [record] = FundingRecord.objects.bulk_create([received(D(2023, 7, 25))])  # before start
    with pytest.raises(ImpossibleDate, match="after today"):
        FundingRecord.objects.update(date=datetime.date.today() + datetime.timedelta(days=1))
    record.date = D(2025, 10, 3)
    with pytest.raises(ImpossibleDate, match="after the mission ended"):
        FundingRecord.objects.bulk_update([record], ["date"])
    assert FundingRecord.objects.get().date == D(2023, 7, 25)


def test_the_import_writes_in_bulk_and_rebuilds_once(mission, arrivals, monkeypatch):
    """The import checks every row and rebuilds every timeline it wrote itself, once: the
    queryset's bulk writes leave the rules to it (rules_kept_by_caller)."""
    rebuilds = counted_rebuilds(monkeypatch)
    first = arrivals[0]
    header = ",".join(EVENT_COLUMNS)
    source = "UN News,Briefing,https://news.un.org/x,,"
    rows = [
        f"2024-06-25,day,mss,KEN,,arrival,police,210,false,{source},{first.uuid}",  # corrected
        f"2024-07-20,day,mss,KEN,,arrival,military,40,false,{source},",
    ]
    result = import_csv("events", "\n".join([header, *rows, ""]).encode())
    assert result.ok, result.errors
    assert rebuilds == [{(mission.pk, "KEN", "police"), (mission.pk, "KEN", "military")}]
    assert strength(mission, D(2024, 7, 20), "all") == 300
    assert find_differences() == []


def test_a_country_s_events_deleted_with_it_leave_no_point(mission, arrivals, haiti):
    """Deleting through a related manager is a queryset delete too."""
    Country.objects.get(pk="KEN").events.all().delete()
    assert not TimelinePoint.objects.filter(country="KEN").exists()
    assert find_differences() == []
