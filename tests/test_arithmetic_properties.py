"""The figures of docs/rules.md ("The arithmetic") against a plain reference computation.

Hypothesis draws random timelines — same-day reports and arrivals, superseded pledges,
pledges without a number, zero-strength reports, all three personnel types, disputed
records anywhere — writes them through the real write path and compares every figure the
pages and exports use with a direct transcription of the rules, including which figures
are disputed, the record named for it, and how much of each figure is unconfirmed.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from mss_tracker.tracker import figures
from mss_tracker.tracker.models import (
    Country,
    DeploymentEvent,
    EventKind,
    Mission,
    PersonnelType,
    Pledge,
    Source,
)
from mss_tracker.tracker.timeline_check import find_differences
from mss_tracker.tracker.timelines import NegativeStrength, timeline_keys

START = datetime.date(2024, 6, 1)
COUNTRIES = ["KEN", "JAM"]
TYPES = list(PersonnelType.values)
KINDS = list(EventKind.values)

days = st.integers(min_value=0, max_value=12)  # a narrow range makes same-day clashes common
events = st.lists(
    st.tuples(
        st.sampled_from(COUNTRIES),
        st.sampled_from(TYPES),
        days,
        st.sampled_from(KINDS),
        st.integers(min_value=0, max_value=60),
        st.booleans(),  # disputed
    ),
    max_size=25,
)
pledges = st.lists(
    st.tuples(
        st.sampled_from(COUNTRIES),
        st.sampled_from(TYPES),
        days,
        st.one_of(st.none(), st.integers(min_value=0, max_value=500)),
        st.booleans(),  # disputed
    ),
    max_size=10,
)


def reference_deployed(rows, country, ptype, day):
    timeline = [r for r in rows if r.country == country and r.ptype == ptype and r.day <= day]
    reports = [r for r in timeline if r.kind == "strength_report"]
    strength, since = 0, None
    if reports:
        latest = max(reports, key=lambda r: r.day)
        strength, since = latest.personnel, latest.day
    for r in timeline:
        if since is not None and r.day <= since:
            continue
        if r.kind in ("arrival", "transfer"):
            strength += r.personnel
        elif r.kind in ("departure", "fatality"):
            strength -= r.personnel
    return strength


def reference_determining_disputed(rows, country, ptype, day):
    """The disputed events that determine the deployed figure on `day`, read straight from
    the rule: the latest strength report dated ≤ day, and the arrivals, transfers,
    departures and fatalities dated after it (a report overrides its own day's changes)."""
    timeline = [r for r in rows if r.country == country and r.ptype == ptype and r.day <= day]
    reports = [r for r in timeline if r.kind == "strength_report"]
    latest = max(reports, key=lambda r: r.day) if reports else None
    determining = [latest] if latest else []
    determining += [
        r
        for r in timeline
        if r.kind != "strength_report" and (latest is None or r.day > latest.day)
    ]
    return [r for r in determining if r.disputed]


def reference_pledge_in_force(pledge_rows, country, ptype, day):
    in_force = [
        p for p in pledge_rows if p.country == country and p.ptype == ptype and p.day <= day
    ]
    return max(in_force, key=lambda p: p.day) if in_force else None


def reference_pledged(pledge_rows, country, ptype, day):
    """(has a pledge, its personnel) for the latest pledge dated ≤ day."""
    in_force = [
        p for p in pledge_rows if p.country == country and p.ptype == ptype and p.day <= day
    ]
    if not in_force:
        return False, None
    return True, max(in_force, key=lambda p: p.day).personnel


def reference_percent(deployed, pledged):
    if not pledged:
        return None
    return (Decimal(100 * deployed) / Decimal(pledged)).quantize(Decimal("0.1"), ROUND_HALF_UP)


class Row:
    def __init__(self, country, ptype, day, kind=None, personnel=None, disputed=False):
        self.country, self.ptype, self.day = country, ptype, START + datetime.timedelta(days=day)
        self.kind, self.personnel, self.disputed = kind, personnel, disputed
        self.pk = None  # the record's id once written


def clean_events(raw):
    """Drop rows the constraints forbid anyway: counts < 1 for changes, a second report
    or an exact duplicate on one date."""
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
        rows.append(Row(country, ptype, day, kind, personnel, disputed))
    return rows


def drop_what_goes_negative(rows):
    """Keep only the events that leave every timeline non-negative (most examples should
    test figures, not refusals)."""
    kept = []
    for row in sorted(rows, key=lambda r: (r.day, r.kind != "strength_report")):
        if reference_deployed([*kept, row], row.country, row.ptype, row.day) >= 0 and all(
            reference_deployed([*kept, row], k.country, k.ptype, k.day) >= 0
            for k in kept
            if (k.country, k.ptype) == (row.country, row.ptype)
        ):
            kept.append(row)
    return kept


def clean_pledges(raw):
    seen, rows = set(), []
    for country, ptype, day, personnel, disputed in raw:
        if (country, ptype, day) not in seen:
            seen.add((country, ptype, day))
            rows.append(Row(country, ptype, day, personnel=personnel, disputed=disputed))
    return rows


class ArithmeticMatchesTheReference(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.countries = {code: Country.objects.get_or_create_from_iso3(code) for code in COUNTRIES}
        haiti = Country.objects.get_or_create_from_iso3("HTI")
        cls.source = Source.objects.create(publisher="Test wire")
        cls.mission = Mission.objects.create(
            slug="mss",
            acronym="MSS",
            name="Test mission",
            host_country=haiti,
            authorized_by="Resolution",
            authorized_on=START,
            start_date=START,
        )

    def write(self, event_rows, pledge_rows):
        written_pledges = Pledge.objects.bulk_create(
            Pledge(
                mission=self.mission,
                country=self.countries[p.country],
                personnel_type=p.ptype,
                date=p.day,
                personnel=p.personnel,
                disputed=p.disputed,
                source=self.source,
            )
            for p in pledge_rows
        )
        written_events = DeploymentEvent.objects.bulk_create(
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
            for r in event_rows
        )
        written = [*written_pledges, *written_events]
        for row, record in zip([*pledge_rows, *event_rows], written, strict=True):
            row.pk = record.pk
        DeploymentEvent.objects.rebuild_timelines(timeline_keys(DeploymentEvent.objects.all()))

    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        raw_events=events,
        raw_pledges=pledges,
        probe=st.lists(days, min_size=1, max_size=2),
        keep_negative=st.booleans(),
    )
    def test_figures_match_the_reference(self, raw_events, raw_pledges, probe, keep_negative):
        event_rows, pledge_rows = clean_events(raw_events), clean_pledges(raw_pledges)
        if not keep_negative:
            event_rows = drop_what_goes_negative(event_rows)
        goes_negative = any(
            reference_deployed(event_rows, r.country, r.ptype, r.day) < 0 for r in event_rows
        )
        if goes_negative:
            with self.assertRaises(NegativeStrength):
                self.write(event_rows, pledge_rows)
            return
        self.write(event_rows, pledge_rows)
        assert find_differences() == []  # what check_timelines derives afresh, stored
        for offset in [*probe, -5, 30]:
            as_of = START + datetime.timedelta(days=offset)
            for ptype in [None, *TYPES]:
                self.check_day(event_rows, pledge_rows, as_of, ptype)

    def check_day(self, event_rows, pledge_rows, as_of, ptype):
        types = [ptype] if ptype else TYPES
        rows = {c.iso3: c for c in figures.country_figures(self.mission, as_of, ptype)}
        expected_total = {"pledged": None, "deployed": 0, "fatalities": 0}
        expected_doubt = {"pledged": 0, "deployed": 0, "pledged_any": False, "deployed_any": False}
        for code in COUNTRIES:
            pledged_by_type = [reference_pledged(pledge_rows, code, t, as_of) for t in types]
            numbers = [n for has, n in pledged_by_type if has and n is not None]
            pledged = sum(numbers) if numbers else None
            has_pledge = any(has for has, _ in pledged_by_type)
            timeline = [
                r for r in event_rows if r.country == code and r.ptype in types and r.day <= as_of
            ]
            deployed = sum(reference_deployed(event_rows, code, t, as_of) for t in types)
            fatalities = sum(r.personnel for r in timeline if r.kind == "fatality")
            arrivals = [r.day for r in timeline if r.kind in ("arrival", "transfer")]
            if not has_pledge and not timeline:
                assert code not in rows, f"{code} has neither pledge nor event by {as_of}"
                continue
            row = rows[code]
            context = f"{code} {ptype or 'all'} on {as_of}"
            assert row.pledged == pledged, context
            assert row.deployed == deployed, context
            assert row.gap == (None if pledged is None else pledged - deployed), context
            assert row.fatalities == fatalities, context
            assert row.first_arrival == (min(arrivals) if arrivals else None), context
            assert row.last_event == (max(r.day for r in timeline) if timeline else None), context
            assert figures.percent_of_pledge(row.deployed, row.pledged) == reference_percent(
                deployed, pledged
            ), context
            self.check_disputed(row, event_rows, pledge_rows, code, types, as_of, expected_doubt)
            if pledged is not None:
                expected_total["pledged"] = (expected_total["pledged"] or 0) + pledged
            expected_total["deployed"] += deployed
            expected_total["fatalities"] += fatalities

        totals = figures.mission_totals(self.mission, as_of, ptype)
        assert totals.pledged == expected_total["pledged"]
        assert totals.deployed == expected_total["deployed"]
        assert totals.fatalities == expected_total["fatalities"]
        assert (totals.pledged_unconfirmed, totals.deployed_unconfirmed) == (
            expected_doubt["pledged"],
            expected_doubt["deployed"],
        ), f"unconfirmed totals on {as_of}"
        assert (totals.pledged_disputed, totals.deployed_disputed) == (
            expected_doubt["pledged_any"],
            expected_doubt["deployed_any"],
        ), f"disputed totals on {as_of}"

        series = figures.strength_series(self.mission, as_of, ptype)
        for day, total in series:
            assert total == sum(
                reference_deployed(event_rows, c, t, day) for c in COUNTRIES for t in types
            ), f"strength series on {day}"
        assert [day for day, _ in series] == sorted(
            {r.day for r in event_rows if r.ptype in types and r.day <= as_of}
        )
        for day, total in figures.pledged_series(self.mission, as_of, ptype):
            assert total == sum(
                reference_pledged(pledge_rows, c, t, day)[1] or 0 for c in COUNTRIES for t in types
            ), f"pledged series on {day}"

    def check_disputed(self, row, event_rows, pledge_rows, code, types, as_of, expected):
        """ "Disputed follows the figure" and the unconfirmed share, for one country row."""
        context = f"{code} {'all' if len(types) > 1 else types[0]} on {as_of}"
        doubts = {t: reference_determining_disputed(event_rows, code, t, as_of) for t in types}
        deployed_unconfirmed = sum(
            reference_deployed(event_rows, code, t, as_of) for t in types if doubts[t]
        )
        determining_ids = {r.pk for rows in doubts.values() for r in rows}
        if determining_ids:
            assert row.deployed_disputed_by in determining_ids, context
        else:
            assert row.deployed_disputed_by is None, context
        if len(types) == 1 and determining_ids:  # one figure: its latest disputed event
            latest = max(doubts[types[0]], key=lambda r: (r.day, r.pk))
            assert row.deployed_disputed_by == latest.pk, context
        assert row.deployed_unconfirmed == deployed_unconfirmed, context

        in_force = [reference_pledge_in_force(pledge_rows, code, t, as_of) for t in types]
        disputed_pledges = [p for p in in_force if p is not None and p.disputed]
        if disputed_pledges:
            assert row.pledged_disputed_by in {p.pk for p in disputed_pledges}, context
        else:
            assert row.pledged_disputed_by is None, context
        pledged_unconfirmed = sum(p.personnel or 0 for p in disputed_pledges)
        assert row.pledged_unconfirmed == pledged_unconfirmed, context

        expected["pledged"] += pledged_unconfirmed
        expected["deployed"] += deployed_unconfirmed
        expected["pledged_any"] |= bool(disputed_pledges)
        expected["deployed_any"] |= bool(determining_ids)
