"""What a country page says behind its figures, against a replay of the events.

Hypothesis draws random timelines (the strategies of test_arithmetic_properties.py),
writes them through the real write path, opens the country page and reads back:

- every "report that does not add up": the figure it is compared with, the headcount it
  starts from (its figure and date) and each kind of change since, and the difference —
  each equal to a replay of the events in Python (docs/rules.md, "Reports that do not
  add up");
- "Why these figures are disputed": every disputed record the figures rest on, no more
  and no fewer (docs/rules.md, "Disputed follows the figure").
"""

from __future__ import annotations

import datetime
import re

import test_arithmetic_properties as arithmetic
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from test_arithmetic_properties import (
    COUNTRIES,
    START,
    TYPES,
    clean_events,
    clean_pledges,
    days,
    drop_what_goes_negative,
    pledges,
    reference_deployed,
    reference_determining_disputed,
    reference_pledge_in_force,
)

# Timelines dense in headcounts, so that most examples have reports to reconcile: two
# types of one country or two over a week, a report as likely as any change.
events = st.lists(
    st.tuples(
        st.sampled_from(COUNTRIES),
        st.sampled_from(TYPES[:2]),
        st.integers(min_value=0, max_value=6),
        st.sampled_from(["strength_report"] * 4 + ["arrival", "transfer", "departure", "fatality"]),
        st.integers(min_value=0, max_value=60),
        st.booleans(),  # disputed
    ),
    min_size=4,
    max_size=30,
)

CHANGES = {"arrival": "arrived", "transfer": "transferred", "departure": "departed"}


def replay_reconciliation(rows, report):
    """How the running figure before `report` was reached, by replaying its timeline:
    the latest earlier headcount, then each kind of change after it up to the report's
    date (a report overrides its day's changes: they are what it is compared with)."""
    timeline = [r for r in rows if (r.country, r.ptype) == (report.country, report.ptype)]
    earlier = [r for r in timeline if r.kind == "strength_report" and r.day < report.day]
    base = max(earlier, key=lambda r: r.day) if earlier else None
    since = [
        r
        for r in timeline
        if r.kind != "strength_report"
        and r.day <= report.day
        and (base is None or r.day > base.day)
    ]
    terms = {
        name: sum(r.personnel for r in since if r.kind == kind) for kind, name in CHANGES.items()
    }
    terms["killed"] = sum(r.personnel for r in since if r.kind == "fatality")
    # The running figure, independently: the strength on that day had the report not existed.
    without = [r for r in rows if r is not report]
    expected = reference_deployed(without, report.country, report.ptype, report.day)
    return {
        "expected": expected,
        "base": (base.personnel, base.day.isoformat()) if base else None,
        "terms": {name: total for name, total in terms.items() if total},
        "unaccounted": report.personnel - expected,
    }


def number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def read_reconciliations(html: str) -> dict[str, dict]:
    """Each discrepancy's numbers as the page states them, by the report's id."""
    found = {}
    for pk, item in re.findall(r'<li id="discrepancy-(\d+)"[^>]*>(.*?)</li>', html, re.S):
        expected = re.search(r'data-expected="(-?\d+)"', item)
        base = re.search(r'data-base="(\d+)" data-base-date="([\d-]+)"', item)
        terms = dict(re.findall(r'<span data-term="(\w+)">[^\d]*([\d,]+)', item))
        outcome = re.search(r'<strong data-unaccounted="(-?\d+)">[^\d]*([\d,]+)', item)
        text = re.sub(r"<[^>]+>", "", item)
        found[pk] = {
            "expected": int(expected.group(1)),
            "base": (int(base.group(1)), base.group(2)) if base else None,
            "terms": {name: number(value) for name, value in terms.items()},
            "unaccounted": int(outcome.group(1)),
            "said": (number(outcome.group(2)), text),
        }
    return found


class CountryPageExplainsItsFigures(TestCase):
    # The same mission and write path as the arithmetic's property test.
    setUpTestData = classmethod(arithmetic.ArithmeticMatchesTheReference.setUpTestData.__func__)
    write = arithmetic.ArithmeticMatchesTheReference.write

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        raw_events=events,
        raw_pledges=pledges,
        probe=days,
        personnel_type=st.sampled_from([None, *TYPES]),
    )
    # A headcount overrides its own day's arrival: the next report starts from it alone.
    @example(
        raw_events=[
            ("KEN", "police", 0, "arrival", 5, False),
            ("KEN", "police", 0, "strength_report", 10, True),
            ("KEN", "police", 2, "departure", 1, True),
            ("KEN", "police", 3, "strength_report", 20, False),
        ],
        raw_pledges=[],
        probe=4,
        personnel_type=None,
    )
    def test_every_number_behind_a_figure_is_the_replays(
        self, raw_events, raw_pledges, probe, personnel_type
    ):
        event_rows = drop_what_goes_negative(clean_events(raw_events))
        pledge_rows = clean_pledges(raw_pledges)
        self.write(event_rows, pledge_rows)
        as_of = START + datetime.timedelta(days=probe)
        types = [personnel_type] if personnel_type else TYPES
        for code in COUNTRIES:
            query = f"as_of={as_of}" + (f"&type={personnel_type}" if personnel_type else "")
            response = self.client.get(f"/missions/mss/countries/{code}/?{query}")
            if response.status_code == 404:  # nothing recorded for it at all
                assert not any(r.country == code for r in [*event_rows, *pledge_rows])
                continue
            html = response.content.decode()
            self.check_reconciliations(html, event_rows, code, types, as_of)
            self.check_disputed_records(html, event_rows, pledge_rows, code, types, as_of)

    def check_reconciliations(self, html, event_rows, code, types, as_of):
        reports = [
            r
            for r in event_rows
            if r.country == code
            and r.ptype in types
            and r.kind == "strength_report"
            and r.day <= as_of
        ]
        replays = {str(r.pk): replay_reconciliation(event_rows, r) for r in reports}
        expected = {pk: replay for pk, replay in replays.items() if replay["unaccounted"]}
        stated = read_reconciliations(html)
        assert set(stated) == set(expected), f"{code} on {as_of}"
        for pk, replay in expected.items():
            said = stated[pk]
            assert said["expected"] == replay["expected"], said["said"][1]
            assert said["base"] == replay["base"], said["said"][1]
            assert said["terms"] == replay["terms"], said["said"][1]
            assert said["unaccounted"] == replay["unaccounted"], said["said"][1]
            assert said["said"][0] == abs(replay["unaccounted"]), said["said"][1]

    def check_disputed_records(self, html, event_rows, pledge_rows, code, types, as_of):
        listed_events = set(map(int, re.findall(r'<li id="disputed-event-(\d+)">', html)))
        listed_pledges = set(map(int, re.findall(r'<li id="disputed-pledge-(\d+)">', html)))
        events_behind = {
            r.pk for t in types for r in reference_determining_disputed(event_rows, code, t, as_of)
        }
        pledges_behind = {
            p.pk
            for t in types
            if (p := reference_pledge_in_force(pledge_rows, code, t, as_of)) and p.disputed
        }
        assert listed_events == events_behind, f"{code} on {as_of}"
        assert listed_pledges == pledges_behind, f"{code} on {as_of}"
