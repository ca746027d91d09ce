"""changes.csv against an independent computation, on generated scenarios.

Hypothesis draws timelines (same-day reports and changes, superseded pledges, pledges
with no number, disputed records, all three types, two countries) and two dates; for
every country filter and every type filter, each row of `export/changes.csv` must be the
reference transcription of the rules at both dates (tests/test_arithmetic_properties.py),
and its event figures must be what the events list of the same range lists
(`events.json` from the day after `from` up to `to`).
"""

from __future__ import annotations

import csv
import datetime
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from test_arithmetic_properties import (
    COUNTRIES,
    KINDS,
    START,
    TYPES,
    Row,
    drop_what_goes_negative,
    reference_deployed,
    reference_pledged,
)

from mss_tracker.tracker.models import Country, DeploymentEvent, Mission, Pledge, Source
from mss_tracker.tracker.timelines import timeline_keys

days = st.integers(min_value=0, max_value=15)
raw_events = st.lists(
    st.tuples(
        st.sampled_from(COUNTRIES),
        st.sampled_from(TYPES),
        days,
        st.sampled_from(KINDS),
        st.integers(min_value=0, max_value=60),
        st.booleans(),
    ),
    max_size=20,
)
raw_pledges = st.lists(
    st.tuples(
        st.sampled_from(COUNTRIES),
        st.sampled_from(TYPES),
        days,
        st.one_of(st.none(), st.integers(min_value=0, max_value=500)),
        st.booleans(),
    ),
    max_size=8,
)


def _events(raw) -> list[Row]:
    seen, reports, rows = set(), set(), []
    for country, ptype, day, kind, personnel, disputed in raw:
        if kind != "strength_report" and personnel < 1:
            continue
        key = (country, ptype, day, kind, personnel)
        if key in seen or (kind == "strength_report" and (country, ptype, day) in reports):
            continue
        seen.add(key)
        if kind == "strength_report":
            reports.add((country, ptype, day))
        row = Row(country, ptype, day, kind, personnel)
        row.disputed = disputed
        rows.append(row)
    return drop_what_goes_negative(rows)


def _pledges(raw) -> list[Row]:
    seen, rows = set(), []
    for country, ptype, day, personnel, disputed in raw:
        if (country, ptype, day) not in seen:
            seen.add((country, ptype, day))
            row = Row(country, ptype, day, personnel=personnel)
            row.disputed = disputed
            rows.append(row)
    return rows


def deployed_disputed(rows, country, ptype, day) -> bool:
    """Disputed follows the figure: the latest report dated ≤ day and the changes after it."""
    timeline = [r for r in rows if r.country == country and r.ptype == ptype and r.day <= day]
    reports = [r for r in timeline if r.kind == "strength_report"]
    if reports:
        latest = max(reports, key=lambda r: r.day)
        timeline = [latest, *(r for r in timeline if r.day > latest.day)]
    return any(r.disputed for r in timeline)


def pledged_disputed(rows, country, ptype, day) -> bool:
    in_force = [p for p in rows if p.country == country and p.ptype == ptype and p.day <= day]
    return bool(in_force) and max(in_force, key=lambda p: p.day).disputed


def _blank(value) -> str:
    return "" if value is None else str(value)


class ChangesMatchTheReference(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.countries = {code: Country.objects.get_or_create_from_iso3(code) for code in COUNTRIES}
        cls.source = Source.objects.create(publisher="Test wire")
        cls.mission = Mission.objects.create(
            slug="mss",
            acronym="MSS",
            name="Test mission",
            host_country=Country.objects.get_or_create_from_iso3("HTI"),
            authorized_by="Resolution",
            authorized_on=START,
            start_date=START,
        )

    def write(self, events, pledges):
        Pledge.objects.bulk_create(
            Pledge(
                mission=self.mission,
                country=self.countries[p.country],
                personnel_type=p.ptype,
                date=p.day,
                personnel=p.personnel,
                disputed=p.disputed,
                source=self.source,
            )
            for p in pledges
        )
        DeploymentEvent.objects.bulk_create(
            DeploymentEvent(
                mission=self.mission,
                country=self.countries[r.country],
                personnel_type=r.ptype,
                date=r.day,
                kind=r.kind,
                personnel=r.personnel,
                disputed=r.disputed,
                source=self.source,
            )
            for r in events
        )
        DeploymentEvent.objects.rebuild_timelines(timeline_keys(DeploymentEvent.objects.all()))

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        events=raw_events,
        pledges=raw_pledges,
        first=st.integers(min_value=-3, max_value=16),
        length=st.integers(min_value=1, max_value=12),
    )
    def test_changes_csv_matches_the_reference(self, events, pledges, first, length):
        events, pledges = _events(events), _pledges(pledges)
        self.write(events, pledges)
        date_from = START + datetime.timedelta(days=first)
        date_to = date_from + datetime.timedelta(days=length)
        for country in [None, *COUNTRIES]:
            for ptype in [None, *TYPES]:
                self.check(events, pledges, date_from, date_to, country, ptype)

    def _get(self, path: str, **params) -> str:
        query = {key: value for key, value in params.items() if value}
        response = self.client.get(path, query)
        assert response.status_code == 200, response.content
        return b"".join(response.streaming_content).decode()

    def check(self, events, pledges, date_from, date_to, country, ptype):
        types = [ptype] if ptype else TYPES
        text = self._get(
            "/missions/mss/export/changes.csv",
            **{"from": date_from.isoformat(), "to": date_to.isoformat()},
            type=ptype,
            country=country,
        )
        rows = {row["country_iso3"]: row for row in csv.DictReader(io.StringIO(text))}
        listed = self._get(
            "/missions/mss/export/events.csv",
            **{"from": (date_from + datetime.timedelta(days=1)).isoformat()},
            to=date_to.isoformat(),
            type=ptype,
            country=country,
        )
        listed = list(csv.DictReader(io.StringIO(listed)))
        context = f"{country or 'all'} {ptype or 'all'} {date_from} → {date_to}"
        expected_codes = set()
        for code in [country] if country else COUNTRIES:

            def pledged_at(day, code=code):
                found = [reference_pledged(pledges, code, t, day) for t in types]
                numbers = [n for has, n in found if has and n is not None]
                return (
                    sum(numbers) if numbers else None,
                    any(has and n is None for has, n in found) and not numbers,
                    any(has for has, _ in found),
                )

            has_record = any(
                r.country == code and r.ptype in types and r.day <= date_to for r in events
            ) or any(p.country == code and p.ptype in types and p.day <= date_to for p in pledges)
            if not has_record:
                continue
            expected_codes.add(code)
            row = rows[code]
            before = sum(reference_deployed(events, code, t, date_from) for t in types)
            after = sum(reference_deployed(events, code, t, date_to) for t in types)
            pledged_from, unknown_from, _ = pledged_at(date_from)
            pledged_to, unknown_to, _ = pledged_at(date_to)
            if unknown_from or unknown_to or (pledged_from is None and pledged_to is None):
                change = None
            else:
                change = (pledged_to or 0) - (pledged_from or 0)
            in_range = [
                r
                for r in events
                if r.country == code and r.ptype in types and date_from < r.day <= date_to
            ]

            def personnel(kind, rows=in_range):
                return sum(r.personnel for r in rows if r.kind == kind)

            expected = {
                "deployed_from": str(before),
                "deployed_to": str(after),
                "deployed_change": str(after - before),
                "pledged_from": _blank(pledged_from),
                "pledged_to": _blank(pledged_to),
                "pledged_change": _blank(change),
                "arrivals": str(personnel("arrival")),
                "departures": str(personnel("departure")),
                "transfers": str(personnel("transfer")),
                "fatalities": str(personnel("fatality")),
                "events": str(len(in_range)),
                "deployed_to_disputed": str(
                    any(deployed_disputed(events, code, t, date_to) for t in types)
                ).lower(),
                "pledged_to_disputed": str(
                    any(pledged_disputed(pledges, code, t, date_to) for t in types)
                ).lower(),
            }
            assert {key: row[key] for key in expected} == expected, f"{code}: {context}"
            # The events list of the same range says the same.
            of_country = [e for e in listed if e["country_iso3"] == code]
            assert row["events"] == str(len(of_country)), context
            for column, kind in [
                ("arrivals", "arrival"),
                ("departures", "departure"),
                ("transfers", "transfer"),
                ("fatalities", "fatality"),
            ]:
                total = sum(int(e["personnel"]) for e in of_country if e["event"] == kind)
                assert row[column] == str(total), f"{column} {code}: {context}"
        assert set(rows) == expected_codes, context
