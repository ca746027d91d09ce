"""The funding arithmetic (docs/funding.md), in one place: the dashboard's funding section,
`funding_summary.csv`/`.json`, the funding chart and the tests all use it.

As of D, per channel and kind (pledged, received):

- one donor: its latest `total` dated ≤ D plus its `contribution`s dated after that total
  up to D (all its contributions when it has no total) — as a strength report and the
  events after it make a deployed figure;
- all donors: the latest `total` with a blank donor dated ≤ D plus every donor's
  `contribution`s dated after it up to D (a donor's own total dated after it is a share
  of it, not added); before any all-donors total, the sum of the donors' own figures
  (contributions recorded with a blank donor count as one more donor's);
- the requirement: the latest `per_year` figure dated ≤ D; the share = 100 × trust-fund
  received ÷ requirement, one decimal (half up), blank when either is unknown or the
  requirement is 0.

A figure is disputed when any record it rests on is (disputed follows the figure); its
date is the latest date among those records. Nothing recorded: no figure (blank, never 0).

Why in Python over one query's rows rather than in SQL: a mission's money is reported a
few dozen times in all (the sample holds 29 records over two missions), so one indexed
read of a mission's records (with their donors' names and sources) and this rule applied
to them costs less than the SQL to express "latest total, then the contributions after
it" three ways; the page's query count is pinned by the tests and does not grow with the
records.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from mss_tracker.lib.country_names import country_name
from mss_tracker.tracker.codes import FundingChannel, FundingKind, FundingMeasure
from mss_tracker.tracker.models import Country, FundingRecord, Mission

STALE_AFTER_DAYS = 180  # money is reported rarely: the warning comes later than personnel's
CHANNELS = (FundingChannel.TRUST_FUND, FundingChannel.BILATERAL)
MONEY = (FundingKind.PLEDGED, FundingKind.RECEIVED)


@dataclass(frozen=True)
class Record:
    """A funding record as the arithmetic reads it (and the pages show its source)."""

    id: str  # the record's uuid, as text
    date: datetime.date
    date_precision: str
    donor: str | None  # ISO alpha-3; None for all donors
    kind: str
    measure: str
    channel: str
    amount: int
    disputed: bool
    notes: str = ""
    source: str = ""  # the publisher
    source_title: str = ""
    source_url: str = ""
    donor_name: str = ""  # as recorded (English); pages show the local name


@dataclass(frozen=True)
class Figure:
    """One figure as of D and the records it rests on."""

    amount: int | None  # None: nothing recorded (blank, never 0)
    records: tuple[Record, ...] = ()

    @property
    def disputed(self) -> bool:
        return any(record.disputed for record in self.records)

    @property
    def disputed_records(self) -> tuple[Record, ...]:
        return tuple(record for record in self.records if record.disputed)

    @property
    def date(self) -> datetime.date | None:
        """The figure date: the latest date among the records used."""
        return max((record.date for record in self.records), default=None)

    @property
    def latest(self) -> Record | None:
        """The latest record used (the one a reader checks first)."""
        return max(self.records, key=lambda record: record.date, default=None)


NOTHING = Figure(None)


def _sum(parts: Iterable[Figure]) -> Figure:
    amounts = [(part.amount, part) for part in parts if part.amount is not None]
    if not amounts:
        return NOTHING
    records = tuple(record for _, part in amounts for record in part.records)
    return Figure(sum(amount for amount, _ in amounts), records)


def _from_total(total: Record | None, contributions: list[Record]) -> Figure:
    """A total (or none) and the contributions after it."""
    after = [c for c in contributions if total is None or c.date > total.date]
    used = ((total,) if total else ()) + tuple(after)
    if not used:
        return NOTHING
    return Figure((total.amount if total else 0) + sum(c.amount for c in after), used)


def _latest(records: Iterable[Record]) -> Record | None:
    return max(records, key=lambda record: record.date, default=None)


def donor_figure(records: Iterable[Record], as_of: datetime.date) -> Figure:
    """One donor's figure of one kind and channel (`records`: that donor's, of that kind
    and channel)."""
    records = [record for record in records if record.date <= as_of]
    total = _latest(r for r in records if r.measure == FundingMeasure.TOTAL)
    return _from_total(total, [r for r in records if r.measure == FundingMeasure.CONTRIBUTION])


def all_donors_figure(records: Iterable[Record], as_of: datetime.date) -> Figure:
    """All donors' figure of one kind and channel (`records`: every donor's, blank
    included, of that kind and channel)."""
    records = [record for record in records if record.date <= as_of]
    contributions = [r for r in records if r.measure == FundingMeasure.CONTRIBUTION]
    total = _latest(r for r in records if r.donor is None and r.measure == FundingMeasure.TOTAL)
    if total is not None:
        return _from_total(total, contributions)
    donors = {record.donor for record in records}
    return _sum(donor_figure([r for r in records if r.donor == d], as_of) for d in donors)


def requirement_figure(records: Iterable[Record], as_of: datetime.date) -> Figure:
    """The requirement in force: the latest per-year figure dated ≤ as_of."""
    latest = _latest(r for r in records if r.measure == FundingMeasure.PER_YEAR and r.date <= as_of)
    return Figure(latest.amount, (latest,)) if latest else NOTHING


def share(received: int | None, requirement: int | None) -> Decimal | None:
    """100 × received ÷ requirement to one decimal (half up); None when either is unknown
    or the requirement is 0."""
    if received is None or not requirement:
        return None
    return (Decimal(100 * received) / Decimal(requirement)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Row:
    """One row of funding_summary: all donors (donor None) or one donor, one channel."""

    channel: str
    donor: str | None
    donor_name: str
    pledged: Figure
    received: Figure
    requirement: Figure = NOTHING  # on the all-donors trust-fund row only
    share: Decimal | None = None

    @property
    def figures(self) -> tuple[Figure, ...]:
        return (self.pledged, self.received, self.requirement)

    @property
    def date(self) -> datetime.date | None:
        """The figure date of the row: the latest date among the records it rests on."""
        return max((f.date for f in self.figures if f.date is not None), default=None)

    @property
    def latest(self) -> Record | None:
        """The latest record the row rests on (its date and precision are the figure date's)."""
        return max(
            (f.latest for f in self.figures if f.latest is not None),
            key=lambda record: record.date,
            default=None,
        )

    @property
    def local_name(self) -> str:
        """The donor's name in the page's language."""
        return country_name(self.donor, self.donor_name) if self.donor else ""


@dataclass(frozen=True)
class FundingFigures:
    """A mission's money as of one date."""

    as_of: datetime.date
    rows: tuple[Row, ...]  # per channel: all donors, then each donor (by code)
    stale: bool  # the trust fund's figure date is over STALE_AFTER_DAYS old (running mission)
    days: int | None  # days from the trust fund's figure date to as_of

    def all_donors(self, channel: str) -> Row:
        return next(row for row in self.rows if row.channel == channel and row.donor is None)

    @property
    def trust_fund(self) -> Row:
        return self.all_donors(FundingChannel.TRUST_FUND)

    @property
    def bilateral(self) -> Row:
        return self.all_donors(FundingChannel.BILATERAL)

    def donors(self, channel: str) -> list[Row]:
        return [row for row in self.rows if row.channel == channel and row.donor is not None]

    @property
    def recorded(self) -> bool:
        return any(f.amount is not None for row in self.rows for f in row.figures)

    @property
    def disputed_records(self) -> list[Record]:
        """Every disputed record a figure rests on, once each, oldest first."""
        found = {r.id: r for row in self.rows for f in row.figures for r in f.disputed_records}
        return sorted(found.values(), key=lambda record: (record.date, record.id))


def figures_of(
    records: Iterable[Record],
    as_of: datetime.date,
    names: dict[str, str] | None = None,
    *,
    running: bool = True,
) -> FundingFigures:
    """Every figure of funding_summary as of `as_of`, from a mission's records. A channel
    always has its all-donors row; a donor has a row in each channel it has a record of
    (dated ≤ as_of). `running`: the mission had not ended by as_of (only then can its
    money figures be stale)."""
    records = [record for record in records if record.date <= as_of]
    names = names or {r.donor: r.donor_name for r in records if r.donor and r.donor_name}
    rows = []
    for channel in CHANNELS:
        in_channel = [r for r in records if r.channel == channel]
        of_kind = {kind: [r for r in in_channel if r.kind == kind] for kind in MONEY}
        received = all_donors_figure(of_kind[FundingKind.RECEIVED], as_of)
        requirement = NOTHING
        if channel == FundingChannel.TRUST_FUND:
            requirement = requirement_figure(
                (r for r in records if r.kind == FundingKind.REQUIREMENT), as_of
            )
        rows.append(
            Row(
                channel,
                None,
                "",
                all_donors_figure(of_kind[FundingKind.PLEDGED], as_of),
                received,
                requirement,
                share(received.amount, requirement.amount),
            )
        )
        for donor in sorted({r.donor for r in in_channel if r.donor is not None}):
            pledged, received = (
                donor_figure([r for r in of_kind[kind] if r.donor == donor], as_of)
                for kind in MONEY
            )
            rows.append(Row(channel, donor, names.get(donor, donor), pledged, received))
    trust_fund_date = rows[0].date
    days = (as_of - trust_fund_date).days if trust_fund_date else None
    stale = running and days is not None and days > STALE_AFTER_DAYS
    return FundingFigures(as_of, tuple(rows), stale, days)


# Reading the records ------------------------------------------------------------------------

_FIELDS = (
    *("uuid", "date", "date_precision", "donor_id", "kind", "measure", "channel"),
    *("amount_usd", "disputed", "notes", "source__publisher", "source__title", "source__url"),
    "donor__name",
)


def records_of(
    mission: Mission, as_of: datetime.date, donor: Country | None = None
) -> list[Record]:
    """A mission's funding records dated ≤ as_of (one query), oldest first."""
    rows = FundingRecord.objects.in_mission(mission).as_of(as_of)
    if donor is not None:
        rows = rows.of_donor(donor)
    return [
        Record(str(uuid), day, precision, donor_id, *rest)
        for uuid, day, precision, donor_id, *rest in rows.order_by("date", "pk").values_list(
            *_FIELDS
        )
    ]


def mission_funding(mission: Mission, as_of: datetime.date) -> FundingFigures:
    """The mission's funding figures as of `as_of` (one query)."""
    running = mission.end_date is None or mission.end_date > as_of
    return figures_of(records_of(mission, as_of), as_of, running=running)


def funding_series(
    records: list[Record], as_of: datetime.date
) -> dict[str, list[tuple[datetime.date, int]]]:
    """The trust fund's received, pledged and requirement (all donors) on every date one of
    them may change, up to as_of: the chart's step lines. No query."""
    dates = sorted({r.date for r in records if r.date <= as_of})
    series: dict[str, list[tuple[datetime.date, int]]] = {
        "received": [],
        "pledged": [],
        "requirement": [],
    }
    trust_fund = [r for r in records if r.channel == FundingChannel.TRUST_FUND]
    required = [r for r in records if r.kind == FundingKind.REQUIREMENT]
    for day in dates:
        for kind in MONEY:
            figure = all_donors_figure([r for r in trust_fund if r.kind == kind], day)
            if figure.amount is not None:
                series[kind].append((day, figure.amount))
        requirement = requirement_figure(required, day)
        if requirement.amount is not None:
            series["requirement"].append((day, requirement.amount))
    return series
