"""The funding arithmetic of docs/funding.md against an independent computation.

Hypothesis draws a mission's funding records — running totals and contributions of three
donors and of all donors together, both channels, requirements, disputed flags, several
on one day — imports them through `import_csv funding`, and compares
`funding_summary.csv` on every date of the range with a replay of the records day by day:
a total sets a figure, a contribution after it adds to it. The replay is written without
the module's functions, so a misreading of the rule shows as a difference.
"""

import csv
import datetime
import io
from decimal import ROUND_HALF_UP, Decimal

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.csv.spec import FUNDING_COLUMNS, FUNDING_SUMMARY_COLUMNS
from mss_tracker.tracker.funding_figures import (
    NOTHING,
    Record,
    all_donors_figure,
    donor_figure,
    figures_of,
    share,
)
from mss_tracker.tracker.models import Country, FundingRecord, Mission

START = datetime.date(2024, 6, 1)
DAYS = 10
DONORS = ["", "CAN", "FRA", "USA"]
CHANNELS = ["trust_fund", "bilateral"]
NAMES = {"CAN": "Canada", "FRA": "France", "USA": "United States of America"}

money = st.tuples(
    st.sampled_from(DONORS),
    st.sampled_from(["pledged", "received"]),
    st.sampled_from(["total", "contribution"]),
    st.sampled_from(CHANNELS),
    st.integers(min_value=0, max_value=DAYS),
    st.integers(min_value=0, max_value=1000),
    st.booleans(),
)
requirement = st.tuples(
    st.integers(min_value=0, max_value=DAYS), st.integers(min_value=0, max_value=3), st.booleans()
)


def _rows(money_rows, requirements) -> list[dict]:
    """The drawn records as funding.csv rows, one running figure per identity kept."""
    rows, running = [], set()
    for donor, kind, measure, channel, day, amount, disputed in money_rows:
        if measure == "total":
            if (donor, kind, channel, day) in running:
                continue
            running.add((donor, kind, channel, day))
        rows.append(
            {
                "date": (START + datetime.timedelta(days=day)).isoformat(),
                "donor_iso3": donor,
                "kind": kind,
                "measure": measure,
                "channel": channel,
                "amount_usd": amount,
                "disputed": disputed,
                "source_publisher": f"Source {len(rows)}",  # contributions stay distinct
            }
        )
    for day, amount, disputed in requirements:
        if ("req", day) in running:
            continue
        running.add(("req", day))
        rows.append(
            {
                "date": (START + datetime.timedelta(days=day)).isoformat(),
                "donor_iso3": "",
                "kind": "requirement",
                "measure": "per_year",
                "channel": "",
                "amount_usd": amount * 100,
                "disputed": disputed,
                "source_publisher": "UN",
            }
        )
    return rows


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, FUNDING_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                "date_precision": "day",
                "mission": "mss",
                **row,
                "disputed": "true" if row["disputed"] else "false",
            }
        )
    return out.getvalue().encode()


def replay(rows: list[dict], as_of: datetime.date) -> list[dict]:
    """funding_summary's rows as of `as_of`, by replaying the records day by day."""
    dated = sorted(
        (r for r in rows if datetime.date.fromisoformat(r["date"]) <= as_of),
        key=lambda r: r["date"],
    )
    result = []
    for channel in CHANNELS:
        state = {}  # (donor or "*", kind) → [amount, disputed, date]
        for day in sorted({r["date"] for r in dated}):
            today = [r for r in dated if r["date"] == day and r["channel"] == channel]
            for kind in ("pledged", "received"):
                of_kind = [r for r in today if r["kind"] == kind]
                for donor in DONORS:
                    mine = [r for r in of_kind if r["donor_iso3"] == donor]
                    totals = [r for r in mine if r["measure"] == "total"]
                    key = (donor, kind)
                    if donor and totals:
                        (t,) = totals
                        state[key] = [t["amount_usd"], t["disputed"], day]
                    for c in [r for r in mine if r["measure"] == "contribution"]:
                        if donor and totals:
                            continue  # the day's total already counts the day's payments
                        old = state.get(key, [0, False, day])
                        state[key] = [old[0] + c["amount_usd"], old[1] or c["disputed"], day]
                # all donors: a blank-donor total sets it; after one, contributions add
                blank_totals = [
                    r for r in of_kind if not r["donor_iso3"] and r["measure"] == "total"
                ]
                if blank_totals:
                    (t,) = blank_totals
                    state[("*", kind)] = [t["amount_usd"], t["disputed"], day]
                elif ("*", kind) in state:
                    for c in [r for r in of_kind if r["measure"] == "contribution"]:
                        old = state[("*", kind)]
                        state[("*", kind)] = [
                            old[0] + c["amount_usd"],
                            old[1] or c["disputed"],
                            day,
                        ]

        pledged, received = _all_donors(state, "pledged"), _all_donors(state, "received")
        req = None
        if channel == "trust_fund":
            reqs = [r for r in dated if r["kind"] == "requirement"]
            if reqs:
                latest = max(reqs, key=lambda r: r["date"])
                req = [latest["amount_usd"], latest["disputed"], latest["date"]]
        dates = [f[2] for f in (pledged, received, req) if f]
        percent = ""
        if received and req and req[0]:
            percent = str(
                (Decimal(100 * received[0]) / Decimal(req[0])).quantize(
                    Decimal("0.1"), rounding=ROUND_HALF_UP
                )
            )
        result.append(
            _row(
                as_of,
                channel,
                "",
                "",
                pledged,
                received,
                req,
                percent,
                dates,
                channel == "trust_fund",
            )
        )
        donors = sorted({r["donor_iso3"] for r in dated if r["channel"] == channel} - {""})
        for donor in donors:
            p, r = state.get((donor, "pledged")), state.get((donor, "received"))
            dates = [f[2] for f in (p, r) if f]
            result.append(_row(as_of, channel, donor, NAMES[donor], p, r, None, "", dates, False))
    return result


def _all_donors(state: dict, kind: str):
    """The all-donors total once one is recorded, else the sum of the donors' figures."""
    if ("*", kind) in state:
        return state[("*", kind)]
    parts = [state[(d, kind)] for d in DONORS if (d, kind) in state]
    if not parts:
        return None
    return [sum(p[0] for p in parts), any(p[1] for p in parts), max(p[2] for p in parts)]


def _row(as_of, channel, donor, name, pledged, received, req, percent, dates, with_req):
    def amount(f):
        return "" if f is None else str(f[0])

    def flag(f):
        return "true" if f and f[1] else "false"

    return {
        "as_of": as_of.isoformat(),
        "channel": channel,
        "donor_iso3": donor,
        "donor": name,
        "pledged": amount(pledged),
        "received": amount(received),
        "pledged_disputed": flag(pledged),
        "received_disputed": flag(received),
        "requirement": amount(req),
        "requirement_disputed": flag(req) if with_req else "",
        "share": percent,
        "figure_date": max(dates) if dates else "",
    }


class FundingArithmeticTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        haiti = Country.objects.get_or_create_from_iso3("HTI")
        for code in NAMES:
            Country.objects.get_or_create_from_iso3(code)
        Country.objects.filter(iso3="USA").update(name=NAMES["USA"])
        Mission.objects.create(
            slug="mss",
            acronym="MSS",
            name="MSS",
            host_country=haiti,
            authorized_by="res. 2699",
            authorized_on=START,
            start_date=START + datetime.timedelta(days=3),  # money may come before
        )

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(money, max_size=14), st.lists(requirement, max_size=3))
    def test_funding_summary_equals_the_replay_on_every_date(self, money_rows, requirements):
        FundingRecord.objects.all().delete()
        rows = _rows(money_rows, requirements)
        if rows:
            result = import_csv("funding", _csv(rows))
            assert result.ok, result.summary()
        client = Client()
        for offset in range(-1, DAYS + 2):
            as_of = START + datetime.timedelta(days=offset)
            response = client.get("/missions/mss/export/funding_summary.csv", {"as_of": as_of})
            text = b"".join(response.streaming_content).decode()
            got = list(csv.DictReader(io.StringIO(text)))
            assert list(got[0]) == FUNDING_SUMMARY_COLUMNS if got else True
            assert got == replay(rows, as_of), (as_of, rows)


def test_a_donor_total_after_the_all_donors_total_is_a_share_of_it_not_added():
    day = datetime.date(2024, 1, 1)
    later = datetime.date(2024, 2, 1)

    def record(donor, measure, amount, date=day, disputed=False):
        return Record("x", date, "day", donor, "received", measure, "trust_fund", amount, disputed)

    records = [
        record(None, "total", 100),
        record("CAN", "total", 60, later),  # a share of the 100, not more money
        record("FRA", "contribution", 5, later, disputed=True),
        record("CAN", "contribution", 7, day),  # on the total's day: counted in it
    ]
    figure = all_donors_figure(records, later)
    assert (figure.amount, figure.disputed, figure.date) == (105, True, later)
    assert donor_figure([r for r in records if r.donor == "CAN"], later).amount == 60
    assert all_donors_figure(records, later - datetime.timedelta(days=1)).amount == 100
    assert all_donors_figure([], later) is NOTHING
    assert share(105, 0) is None and share(None, 10) is None
    assert str(share(1, 3)) == "33.3" and str(share(1, 8)) == "12.5"
    assert str(share(1, 16)) == "6.3"  # half up, not to even


def test_before_any_all_donors_total_the_donors_figures_are_summed():
    day = datetime.date(2024, 1, 1)
    records = [
        Record("a", day, "day", "CAN", "pledged", "total", "trust_fund", 50, True),
        Record("b", day, "day", "FRA", "pledged", "contribution", "trust_fund", 10, False),
        Record("c", day, "day", None, "pledged", "contribution", "trust_fund", 1, False),
    ]
    tf = figures_of(records, day).trust_fund
    assert (tf.pledged.amount, tf.pledged.disputed) == (61, True)
    assert tf.received.amount is None and tf.share is None
