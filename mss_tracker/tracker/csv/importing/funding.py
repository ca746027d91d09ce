"""Import funding.csv (docs/funding.md): sourced figures of money, all or nothing.

What a row must be: a recorded mission; a possible date (the pledges' rule); a donor that
is an ISO code or blank (all donors); a kind, measure and channel that go together
(`codes.funding_problems`); an amount in whole US dollars, never negative.

When is a row already present, and when is it a correction? Corrections travel by id,
as for pledges and events (csv.importing.corrections). A row without an id is compared with the
recorded records of its identity:

- a running figure (a `total`, a requirement's `per_year`) by (mission, donor, kind,
  channel, date): one per identity, so the same identity with other values looks like a
  correction of the recorded one (and two in one file are an error);
- a `contribution` by (mission, donor, kind, channel, date, amount, source), as an
  event by its "no exact duplicate" key: several may share a date; the same one with
  another precision, flag or notes looks like a correction.

After the rows are sorted, the running figures as they would stand (recorded, corrected,
new) are checked once more: a correction may not move a total onto a date that another
total of the same identity holds.
"""

from __future__ import annotations

import datetime
import uuid

from mss_tracker.tracker.bulk_writes import rules_kept_by_caller
from mss_tracker.tracker.codes import (
    FundingChannel,
    FundingKind,
    FundingMeasure,
    funding_problems,
    record_id,
)
from mss_tracker.tracker.csv.importing.corrections import (
    check_repeated_id,
    correction_refused,
    field_changes,
)
from mss_tracker.tracker.csv.importing.errors import PREVIEW_ROWS, RowError, RowUpdate
from mss_tracker.tracker.csv.importing.importer import (
    BULK_BATCH,
    Importer,
    Missions,
    Sources,
    ensure_countries,
)
from mss_tracker.tracker.csv.importing.row import Row
from mss_tracker.tracker.history import CHANGED, CREATED, record_history
from mss_tracker.tracker.models import FundingRecord, Mission
from mss_tracker.tracker.models.funding import FUNDING_RECORD
from mss_tracker.tracker.possible_dates import impossible_date
from mss_tracker.tracker.text import TEXT_MAX_LENGTH

KINDS = list(FundingKind.values)
MEASURES = list(FundingMeasure.values)
CHANNELS = list(FundingChannel.values)
RUNNING = (FundingMeasure.TOTAL, FundingMeasure.PER_YEAR)
MAX_AMOUNT = 10**18 - 1  # 18 digits: what a cell may hold, and a bigint stores
WHAT = "an amount in whole US dollars (digits only, no separators or decimals)"

# A record's values by model attname, and the column each is shown under.
COLUMNS = {
    "date": "date",
    "date_precision": "date_precision",
    "mission_id": "mission",
    "donor_id": "donor_iso3",
    "kind": "kind",
    "measure": "measure",
    "channel": "channel",
    "amount_usd": "amount_usd",
    "disputed": "disputed",
    "source": "source",
    "notes": "notes",
}
_STORED = [
    *("pk", "uuid", "mission_id", "mission__slug", "date", "date_precision", "donor_id"),
    *("kind", "measure", "channel", "amount_usd", "disputed", "notes"),
    *("source__publisher", "source__title", "source__url"),
]


def _identity(record: dict) -> tuple:
    """What makes a record the same one (see the module's docstring)."""
    common = (
        record["mission_id"],
        record["donor_id"],
        record["kind"],
        record["channel"],
        record["date"],
    )
    if record["measure"] in RUNNING:
        return ("running", *common)
    return ("contribution", *common, record["amount_usd"], record["source"])


def _describe(record: dict) -> str:
    """ "the received total of US$10,800,000 (trust_fund) from all donors on 2024-02-29
    (AllAfrica, id …)"."""
    donor = record["donor_id"] or "all donors"
    channel = f" ({record['channel']})" if record["channel"] else ""
    identifier = f", id {record['uuid']}" if record.get("uuid") else ""
    return (
        f"the {record['kind']} {record['measure']} of US${record['amount_usd']:,}{channel} "
        f"from {donor} on {record['date'].isoformat()} ({record['source'][0]}{identifier})"
    )


def _what(record: dict) -> str:
    """ "a received total from all donors (trust_fund) on 2024-02-29", for a message."""
    donor = record["donor_id"] or "all donors"
    channel = f" ({record['channel']})" if record["channel"] else ""
    return f"a {record['kind']} {record['measure']} from {donor}{channel} on {record['date']}"


class FundingImporter(Importer):
    def plan(self, rows) -> None:
        self.today = datetime.date.today()
        self.missions: dict[int, Mission] = {}
        self.mission_slugs = Missions()
        self.sources = Sources()
        self.new: list[tuple[int, dict]] = []
        self.updates: list[tuple[int, dict, dict]] = []
        memo: dict = {}
        records = []
        for line, cells in self.progress(rows, rows.estimated_rows, "checking funding"):
            row = Row(line, cells, self.errors, memo)
            record = self._read(row)
            if row.valid:
                records.append((line, record))
        self.sources.load()
        self.sources.check_dates(self.errors)
        stored = self._stored({record["mission_id"] for _line, record in records})
        self.slugs = {r["mission_id"]: r["mission__slug"] for r in stored.values()}
        self.slugs |= {pk: slug for slug, (pk, _acronym) in self.mission_slugs.found.items()}
        self._sort(records, stored)
        self._check_running_figures(stored)
        self._finish(rows)

    def _read(self, row: Row) -> dict | None:
        record_id = row.record_id()
        mission_id = self.mission_slugs.find(row)
        day, precision = row.precise_date()
        donor = row.country("donor_iso3", required=False)
        kind = row.choice("kind", KINDS)
        measure = row.choice("measure", MEASURES)
        channel = row.raw("channel").strip().lower()
        if channel and channel not in CHANNELS:
            row.error("channel", f"'{channel}' is not allowed; expected one of "
                      f"{', '.join(CHANNELS)}, or empty for a requirement.")  # fmt: skip
        amount = row.integer("amount_usd", 0, what=WHAT, maximum=MAX_AMOUNT)
        disputed = row.boolean("disputed")
        source = row.source()
        notes = row.text("notes", TEXT_MAX_LENGTH)
        if kind and measure:
            for field, problem in funding_problems(kind, measure, channel, donor).items():
                row.error(COLUMNS[f"{field}_id" if field == "donor" else field], problem)
        if source is not None:
            source = (self.sources.note(row, *source), source[1])
        if row.valid and (problem := self._impossible_date(mission_id, day, precision)):
            row.error("date", problem)
        if not row.valid:
            return None
        return {
            "mission_id": mission_id,
            "date": day,
            "date_precision": precision,
            "donor_id": donor,
            "kind": kind,
            "measure": measure,
            "channel": channel,
            "amount_usd": amount,
            "disputed": disputed,
            "notes": notes,
            "source": source[0],
            "uuid": record_id,
        }

    def _impossible_date(self, mission_id: int, day: datetime.date, precision: str):
        if mission_id not in self.missions:
            self.missions[mission_id] = Mission.objects.get(pk=mission_id)
        return impossible_date(
            self.missions[mission_id],
            day,
            precision,
            pledge=True,
            today=self.today,
            what=FUNDING_RECORD,
        )

    def _stored(self, missions: set[int]) -> dict[uuid.UUID, dict]:
        """Every recorded funding record of the file's missions (a mission has tens), by
        id, as record dicts."""
        stored = {}
        for values in FundingRecord.objects.filter(mission_id__in=missions).values(*_STORED):
            values["source"] = (
                values.pop("source__publisher"),
                values.pop("source__title"),
                values.pop("source__url"),
            )
            stored[values["uuid"]] = values
        return stored

    def _sort(self, records: list[tuple[int, dict]], stored: dict) -> None:
        """Each valid row into new, updated, present, or an error."""
        by_id = dict(stored)
        missing_ids = {r["uuid"] for _l, r in records if r["uuid"] and r["uuid"] not in stored}
        if missing_ids:  # ids of records of another mission, moved to this file's mission
            for values in FundingRecord.objects.filter(uuid__in=missing_ids).values(*_STORED):
                values["source"] = (
                    values.pop("source__publisher"),
                    values.pop("source__title"),
                    values.pop("source__url"),
                )
                by_id[values["uuid"]] = values
                self.slugs[values["mission_id"]] = values["mission__slug"]
        recorded: dict[tuple, dict] = {}
        for values in stored.values():
            recorded.setdefault(_identity(values), values)
        seen: dict[tuple, tuple[int, dict]] = {}
        seen_ids: dict = {}
        for line, record in records:
            if not check_repeated_id(self.errors, line, record["uuid"], seen_ids):
                continue
            if record["uuid"] in by_id:
                before = by_id[record["uuid"]]
                if field_changes(before, record, self.slugs, COLUMNS):
                    self.updates.append((line, record, before))
                else:
                    self.result.present_lines.append(line)
                continue
            identity = _identity(record)
            if identity in seen:
                first_line, first = seen[identity]
                same = not field_changes(first, record, self.slugs, COLUMNS)
                self.errors.append(
                    RowError(
                        line,
                        None,
                        f"repeats line {first_line} (the same funding record)"
                        if same
                        else f"line {first_line} already has {_what(record)}; a mission has "
                        "one running total per donor, kind, channel and date: keep one of "
                        "the two rows.",
                    )
                )
                continue
            seen[identity] = (line, record)
            known = recorded.get(identity)
            if known is None:
                self.new.append((line, record))
            elif not field_changes(known, record, self.slugs, COLUMNS):
                self.result.present_lines.append(line)
            else:
                correction_refused(self.errors, line, _describe(known))

    def _check_running_figures(self, stored: dict) -> None:
        """No two running figures of one identity once the file is written (a correction
        may move one onto another's date)."""
        if not self.updates:
            return  # new rows were checked against the recorded ones and each other
        standing: dict[tuple, str] = {}
        updated = {stored_values["uuid"] for _l, _r, stored_values in self.updates}
        for values in stored.values():
            if values["uuid"] not in updated and values["measure"] in RUNNING:
                standing[_identity(values)] = _describe(values)
        for line, record in [(line, r) for line, r in self.new] + [
            (line, r) for line, r, _s in self.updates
        ]:
            if record["measure"] not in RUNNING:
                continue
            identity = _identity(record)
            if identity in standing:
                self.errors.append(
                    RowError(
                        line,
                        None,
                        f"{standing[identity]} already stands for {_what(record)}; a mission "
                        "has one running total per donor, kind, channel and date.",
                    )
                )
            standing[identity] = f"line {line}"

    def _finish(self, rows) -> None:
        self.result.new_lines = [line for line, _record in self.new]
        self.result.updated_lines = [line for line, _record, _stored in self.updates]
        shown = [line for line, _r in self.new[:PREVIEW_ROWS]]
        cells = rows.cells_of(set(shown))
        self.result.new_rows = [(line, cells[line]) for line in shown]
        self.result.updates = [
            RowUpdate(line, _describe(stored), field_changes(stored, record, self.slugs, COLUMNS))
            for line, record, stored in self.updates[:PREVIEW_ROWS]
        ]

    def write(self) -> None:
        written = [r for _l, r in self.new] + [r for _l, r, _s in self.updates]
        ensure_countries({record["donor_id"] for record in written if record["donor_id"]})
        self.sources.write(self.reason, self.user)
        for mission_id in sorted({record["mission_id"] for record in written}):
            Mission.objects.lock(mission_id)
        new = []
        for _line, record in self.new:
            values = {name: value for name, value in record.items() if name != "source"}
            values["uuid"] = record_id(values["uuid"])
            new.append(FundingRecord(source_id=self.sources.ids[record["source"]], **values))
        with rules_kept_by_caller():  # every row's date was checked against its mission
            created = FundingRecord.objects.bulk_create(new, batch_size=BULK_BATCH)
        ids = [record.pk for record in created]
        record_history(FundingRecord, ids, CREATED, reason=self.reason, user=self.user)
        if not self.updates:
            return
        changed = []
        for _line, record, stored in self.updates:
            values = {name: value for name, value in record.items() if name not in ("source",)}
            values.pop("uuid")
            changed.append(
                FundingRecord(
                    pk=stored["pk"], source_id=self.sources.ids[record["source"]], **values
                )
            )
        fields = [*(name for name in COLUMNS if name != "source"), "source_id"]
        with rules_kept_by_caller():
            FundingRecord.objects.bulk_update(changed, fields, batch_size=BULK_BATCH // 4)
        ids = [record.pk for record in changed]
        record_history(FundingRecord, ids, CHANGED, reason=self.reason, user=self.user)
