"""What `timelines.py` derives beside each point, checked against the events after every
kind of write: the mission's totals per type and date (`MissionTotalPoint`, kept in step
by taking the old points' sums away and adding the new ones') and, on a strength
report's day, what the report leaves unaccounted for; and the event counts the pages read from the
points (`figures.events_count`)."""

import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from mss_tracker.tracker import figures
from mss_tracker.tracker.codes import signed_change
from mss_tracker.tracker.models import (
    ALL_TYPES,
    Country,
    DeploymentEvent,
    Mission,
    MissionTotalPoint,
    PersonnelType,
    Source,
    TimelinePoint,
)
from mss_tracker.tracker.timeline_check import find_differences

START = datetime.date(2024, 6, 1)
COUNTRIES = ["KEN", "JAM", "BEN"]
TYPES = list(PersonnelType.values)

# Arrivals, transfers and reports never take a timeline below zero, so every write stands.
event_rows = st.lists(
    st.tuples(
        st.sampled_from(COUNTRIES),
        st.sampled_from(TYPES),
        st.integers(min_value=0, max_value=10),
        st.sampled_from(["arrival", "transfer", "strength_report"]),
        st.integers(min_value=1, max_value=50),
    ),
    max_size=15,
)


class DerivedFiguresFollowEveryWrite(TestCase):
    @classmethod
    def setUpTestData(cls):
        for code in [*COUNTRIES, "HTI"]:
            Country.objects.get_or_create_from_iso3(code)
        cls.source = Source.objects.create(publisher="Test wire")
        cls.mission = Mission.objects.create(
            slug="mss",
            acronym="MSS",
            name="Test mission",
            host_country_id="HTI",
            authorized_by="Resolution",
            authorized_on=START,
            start_date=START,
        )

    def write(self, rows):
        reports = set(
            DeploymentEvent.objects.filter(kind="strength_report").values_list(
                "country_id", "personnel_type", "date"
            )
        )
        written = set(
            DeploymentEvent.objects.values_list(
                "country_id", "personnel_type", "date", "kind", "personnel"
            )
        )
        events = []
        for country, ptype, day, kind, personnel in rows:
            date = START + datetime.timedelta(days=day)
            if (country, ptype, date, kind, personnel) in written or (
                kind == "strength_report" and (country, ptype, date) in reports
            ):
                continue  # no exact duplicate, one report per timeline and date
            written.add((country, ptype, date, kind, personnel))
            reports |= {(country, ptype, date)} if kind == "strength_report" else set()
            events.append(
                DeploymentEvent(
                    mission=self.mission,
                    country_id=country,
                    personnel_type=ptype,
                    date=date,
                    kind=kind,
                    personnel=personnel,
                    source=self.source,
                )
            )
        DeploymentEvent.objects.bulk_create(events)
        DeploymentEvent.objects.rebuild_timelines({e.timeline_key for e in events})

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(first=event_rows, second=event_rows, drop=st.sets(st.integers(0, 30), max_size=8))
    def test_totals_and_discrepancies_match_the_events(self, first, second, drop):
        self.write(first)
        self.check()
        self.write(second)
        self.check()
        ids = sorted(DeploymentEvent.objects.values_list("pk", flat=True))
        DeploymentEvent.objects.filter(pk__in=[ids[i] for i in drop if i < len(ids)]).delete()
        self.check()
        DeploymentEvent.objects.all().delete()
        self.check()
        assert not MissionTotalPoint.objects.exists()

    def check(self):
        assert find_differences() == []  # what check_timelines derives afresh, stored
        expected = {}
        for point in TimelinePoint.objects.all():
            key = (point.personnel_type, point.date)
            countries, change = expected.get(key, (0, 0))
            expected[key] = (countries + 1, change + point.deployed_change)
        totals = {
            (t.personnel_type, t.date): (t.countries, t.deployed_change)
            for t in MissionTotalPoint.objects.all()
        }
        assert totals == expected

        events = list(DeploymentEvent.objects.all())
        for point in TimelinePoint.objects.exclude(personnel_type=ALL_TYPES):
            same = [
                e
                for e in events
                if (e.country_id, e.personnel_type) == (point.country_id, point.personnel_type)
            ]
            report = [e for e in same if e.date == point.date and e.kind == "strength_report"]
            before = (
                TimelinePoint.objects.filter(
                    mission=point.mission_id,
                    country=point.country_id,
                    personnel_type=point.personnel_type,
                    date__lt=point.date,
                )
                .order_by("-date")
                .first()
            )
            day_change = sum(
                signed_change(e.kind, e.personnel) or 0 for e in same if e.date == point.date
            )
            unaccounted = (
                report[0].personnel - ((before.deployed if before else 0) + day_change)
                if report
                else 0
            )
            assert point.report_unaccounted == (unaccounted or None), point

        for since, up_to in [(None, 10), (None, 4), (3, 7), (5, 5), (8, 30)]:
            first = START + datetime.timedelta(days=since) if since is not None else None
            last = START + datetime.timedelta(days=up_to)
            for country in [None, *COUNTRIES]:
                for ptype in [None, *TYPES]:
                    expected_count = sum(
                        1
                        for e in events
                        if e.date <= last
                        and (first is None or e.date >= first)
                        and country in (None, e.country_id)
                        and ptype in (None, e.personnel_type)
                    )
                    counted = figures.events_count(self.mission, last, ptype, country, first)
                    assert counted == expected_count, (since, up_to, country, ptype)
