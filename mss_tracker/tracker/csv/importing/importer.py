"""What the three importers share: sources found or created, countries created on first
use, missions looked up by slug, the "already recorded with other values" message, and
the bulk write (COPY on PostgreSQL, bulk_create elsewhere) with its audit history.

An importer `plan`s first — reads every row, checks it against the database, and sorts
the rows into new, present and wrong — and `write`s only when the whole file is valid
(`run.import_csv` runs that in one transaction).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, models
from django.utils import timezone

from mss_tracker.tracker.codes import iso3_country, iso_name, record_id
from mss_tracker.tracker.csv.importing.copy_from import copy_records
from mss_tracker.tracker.csv.importing.corrections import (
    check_repeated_id,
    field_changes,
    stored_by_id,
)
from mss_tracker.tracker.csv.importing.errors import (
    PREVIEW_ROWS,
    ImportResult,
    Progress,
    RowError,
    RowUpdate,
)
from mss_tracker.tracker.csv.importing.file_rows import CsvRows
from mss_tracker.tracker.csv.importing.row import Row, SourceKey
from mss_tracker.tracker.csv.spec.cells import cell
from mss_tracker.tracker.history import CHANGED, CREATED, record_history
from mss_tracker.tracker.models import Country, Mission, PersonnelType, Source
from mss_tracker.tracker.possible_dates import impossible_date
from mss_tracker.tracker.text import TEXT_MAX_LENGTH

BULK_BATCH = 2000
SOURCE_FIELDS = ("source__publisher", "source__title", "source__url")  # a Source's identity
PERSONNEL_TYPES = list(PersonnelType.values)  # once, not per row


class Record:
    """A row's values to write, by field attname, with a dict's interface (`record[name]`,
    `name in record`, `dict(record)`, `Model(**record)`) on slots: a large file's records
    stay in memory from the check to the write, and a dict per row would take five times
    the room."""

    __slots__ = (
        *("mission_id", "country_id", "personnel_type", "date", "date_precision"),
        *("disputed", "notes", "source", "source_id", "uuid", "kind", "personnel"),
    )

    def __init__(
        self,
        mission_id: int,
        country_id: str,
        personnel_type: str,
        date: datetime.date,
        date_precision: str,
        disputed: bool,
        notes: str,
        source: SourceKey,
        uuid: uuid.UUID | None,
    ) -> None:
        self.mission_id = mission_id
        self.country_id = country_id
        self.personnel_type = personnel_type
        self.date = date
        self.date_precision = date_precision
        self.disputed = disputed
        self.notes = notes
        self.source = source
        self.uuid = uuid

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)

    def __setitem__(self, name: str, value: Any) -> None:
        setattr(self, name, value)

    def __contains__(self, name: str) -> bool:
        return hasattr(self, name)

    def keys(self) -> list[str]:
        return [name for name in self.__slots__ if hasattr(self, name)]

    def pop(self, name: str) -> Any:
        value = getattr(self, name)
        delattr(self, name)
        return value


class Sources:
    """Sources by (publisher, title, url): found in the database or created on first use."""

    def __init__(self) -> None:
        self.wanted: dict[SourceKey, tuple[int, datetime.date | None]] = {}  # key → line, date
        self.known: dict[SourceKey, tuple[int, datetime.date | None]] = {}  # key → pk, date
        self.ids: dict[SourceKey, int] = {}
        self.keys: dict[SourceKey, SourceKey] = {}

    def note(self, row: Row, key: SourceKey, published_on: datetime.date | None) -> SourceKey:
        """Remember the source a row cites; returns the one key object kept for it (a file
        cites a few sources on many rows)."""
        first = self.wanted.get(key)
        if first is None:
            self.keys[key] = key
        if first is None or (first[1] is None and published_on is not None):
            self.wanted[key] = (row.line, published_on)
        elif published_on is not None and published_on != first[1]:
            row.error(
                "source_date",
                f"{published_on.isoformat()} differs from {first[1].isoformat()} given for "
                f"the same source (publisher, title and URL) on line {first[0]}.",
            )
        return self.keys[key]

    def load(self) -> None:
        publishers = sorted({key[0] for key in self.wanted})
        for start in range(0, len(publishers), 500):
            for pk, publisher, title, url, published_on in Source.objects.filter(
                publisher__in=publishers[start : start + 500]
            ).values_list("pk", "publisher", "title", "url", "published_on"):
                if (publisher, title, url) in self.wanted:
                    self.known[(publisher, title, url)] = (pk, published_on)

    def check_dates(self, errors: list[RowError]) -> None:
        for key, (line, published_on) in self.wanted.items():
            known = self.known.get(key)
            if known and known[1] and published_on and known[1] != published_on:
                errors.append(
                    RowError(
                        line,
                        "source_date",
                        f"{published_on.isoformat()} differs from the recorded date "
                        f"{known[1].isoformat()} of this source ({key[0]}); correct one of them.",
                    )
                )

    def write(self, reason: str, user: AbstractBaseUser | None) -> None:
        """Create the new sources and fill in a missing published date; remember every id."""
        new = [
            Source(publisher=key[0], title=key[1], url=key[2], published_on=published_on)
            for key, (_line, published_on) in self.wanted.items()
            if key not in self.known
        ]
        for source in Source.objects.bulk_create(new, batch_size=BULK_BATCH):
            self.ids[(source.publisher, source.title, source.url)] = source.pk
        record_history(Source, [source.pk for source in new], CREATED, reason=reason, user=user)
        dated = []
        for key, (pk, published_on) in self.known.items():
            self.ids[key] = pk
            date_in_file = self.wanted[key][1]
            if published_on is None and date_in_file is not None:
                Source.objects.filter(pk=pk).update(published_on=date_in_file)
                dated.append(pk)
        record_history(Source, dated, CHANGED, reason=reason, user=user)

    def is_new(self, key: SourceKey) -> bool:
        return key not in self.known

    def show_in(self, result: ImportResult) -> None:
        """Tell the preview which sources the write will create, and which recorded ones
        it will give the published date of the file (`write` does exactly these)."""
        result.new_sources = [
            source_label(key, published_on)
            for key, (_line, published_on) in self.wanted.items()
            if key not in self.known
        ]
        result.dated_sources = [
            source_label(key, self.wanted[key][1])
            for key, (_pk, published_on) in self.known.items()
            if published_on is None and self.wanted[key][1] is not None
        ]


def source_label(key: SourceKey, published_on: datetime.date | None) -> str:
    """ "UN News, “Briefing”, https://news.un.org/x, 2025-03-01": a source as the preview
    lists it."""
    publisher, title, url = key
    parts = [publisher, f"“{title}”" if title else "", url, cell(published_on)]
    return ", ".join(part for part in parts if part)


def new_country_codes(codes: Iterable[str]) -> list[str]:
    """The codes among `codes` of no recorded country: `ensure_countries` creates them."""
    codes = set(codes)
    existing = set(Country.objects.filter(iso3__in=codes).values_list("iso3", flat=True))
    return sorted(codes - existing)


def country_labels(codes: Iterable[str]) -> list[str]:
    """ "HTI (Haiti)" for each code, from the ISO list, for the preview."""
    records = [(code, iso3_country(code)) for code in codes]
    return [f"{code} ({iso_name(record)})" if record else code for code, record in records]


def ensure_countries(codes: Iterable[str]) -> None:
    Country.objects.create_from_iso3(new_country_codes(codes))  # one INSERT, not one per code


class Missions:
    """The missions a file names, by slug, each looked up once: {slug: (pk, acronym)} in
    `found` (a file names one or a few missions on every row)."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[int, str]] = {}
        self.unknown: set[str] = set()

    def find(self, row: Row) -> int | None:
        slug = row.raw("mission").strip().lower()
        if slug in self.found:
            return self.found[slug][0]
        if slug and slug not in self.unknown:
            mission = Mission.objects.filter(slug=slug).values_list("pk", "acronym").first()
            if mission is not None:
                self.found[slug] = mission
                return mission[0]
            self.unknown.add(slug)
        if not slug:
            row.error("mission", "is empty; expected the slug of a recorded mission, e.g. mss.")
        else:
            known = ", ".join(sorted(Mission.objects.values_list("slug", flat=True))) or "none yet"
            row.error(
                "mission",
                f"no mission has the slug '{slug}' (recorded missions: {known}); "
                "import it first with missions.csv.",
            )
        return None


def differences(pairs: dict[str, tuple[Any, Any]]) -> str:
    """'personnel 1000 in the database, 900 in the file; …' for the columns that differ."""
    shown = []
    for column, (recorded, given) in pairs.items():
        if recorded != given:
            shown.append(
                f"{column} {cell(recorded) or '(empty)'} recorded, "
                f"{cell(given) or '(empty)'} in the file"
            )
    return "; ".join(shown)


class Importer:
    def __init__(
        self,
        result: ImportResult,
        progress: Progress,
        reason: str,
        user: AbstractBaseUser | None,
    ) -> None:
        self.result = result
        self.progress = progress
        self.errors = result.errors
        self.reason = reason  # of the audit history: "CSV import: <file name>"
        self.user = user

    def plan(self, rows: CsvRows) -> None:
        """Check every row of the file and sort them into new, present and wrong."""
        raise NotImplementedError

    def write(self) -> None:
        raise NotImplementedError

    def bulk_create(self, model, records: list[dict]) -> None:
        """Insert rows of `model` given as {attname: value} and their audit history (no
        save() signals or timeline rebuild: the caller does that): COPY on PostgreSQL,
        bulk_create elsewhere. Constraints are checked the same either way. A record whose
        `uuid` is None gets a new one."""
        if not records:  # a file of corrections only
            return
        batches = range(0, len(records), BULK_BATCH)
        batches = self.progress(batches, len(batches), f"writing {self.result.kind}")
        if connection.vendor == "postgresql":
            # The keys are drawn at once, usually consecutive, so that the history below
            # reads the rows back as one range.
            ids = copy_records(model, records, batches, BULK_BATCH)
        else:
            ids = []  # a batch of model instances at a time, not one per row of the file
            for start in batches:
                objects = [model(**record) for record in records[start : start + BULK_BATCH]]
                for obj in objects:
                    obj.uuid = record_id(obj.uuid)
                ids += [obj.pk for obj in model.objects.bulk_create(objects)]
        record_history(model, ids, CREATED, reason=self.reason, user=self.user)


# What is read of a recorded pledge or event, besides its source and the kind's own.
_STORED = ("mission_id", "country_id", "personnel_type", "date", "personnel")
_STORED += ("date_precision", "disputed", "notes", "uuid")


class DatedImporter(Importer):
    """What pledges and events share: mission, country, type, dates, flags and source.

    `plan` reads the file row by row (`checked_records`), keeping of each valid row only
    its record — the values to write — and its line; the cells of the few rows a preview
    shows are read again at the end (`finish_plan`)."""

    model: type[models.Model]  # Pledge or DeploymentEvent
    stored_extra: tuple[str, ...] = ()  # the kind's own fields, read of a recorded one

    def plan(self, rows: CsvRows) -> None:
        """A row whose id names a record updates it (or is present); the kind places every
        other row (`plan_row`) against the records of the file's missions and countries."""
        records = self.checked_records(rows, f"checking {self.result.kind}")
        by_id = self.by_id(self.model, records, extra=self.stored_extra)
        self.start_plan()
        for stored in self.recorded_in_scope(records):
            self.note_recorded(stored)
        seen_ids: dict = {}
        for line, record in records:  # Records: read by attribute (every row passes here)
            if not check_repeated_id(self.errors, line, record.uuid, seen_ids):
                continue
            if record.uuid in by_id:
                self.update_or_present(line, record, by_id[record.uuid])
            else:
                self.plan_row(line, record)
        self.finish_plan(rows)

    def recorded_in_scope(self, records: list[tuple[int, Record]]) -> Iterator[dict[str, Any]]:
        """The recorded rows of the missions and countries the file names, as dicts (their
        source as its key: publisher, title, URL)."""
        fields = (*_STORED, *self.stored_extra)
        scope = self.model.objects.filter(
            mission_id__in={record.mission_id for _line, record in records},
            country_id__in={record.country_id for _line, record in records},
        ).values_list(*fields, *SOURCE_FIELDS)
        for values in scope.iterator(chunk_size=5000):
            stored = dict(zip(fields, values, strict=False))
            stored["source"] = values[len(fields) :]
            yield stored

    def start_plan(self) -> None:
        """Start afresh what the kind keeps while it places rows."""

    def note_recorded(self, stored: dict[str, Any]) -> None:
        """Remember a recorded row of the file's scope (`recorded_in_scope`)."""
        raise NotImplementedError

    def plan_row(self, line: int, record: Record) -> None:
        """Place a row no recorded id names: new, present, or an error."""
        raise NotImplementedError

    def checked_records(self, rows, description: str) -> list[tuple[int, dict]]:
        """(line, record) of every valid row, each row's problems in `self.errors`."""
        self.missions: dict[int, Mission] = {}
        self.checked_dates: dict[tuple, str | None] = {}  # impossible_date's answers
        self.today = datetime.date.today()  # the day the whole file is checked against
        self.mission_slugs = Missions()
        self.sources = Sources()
        self.new: list[tuple[int, dict]] = []
        self.updates: list[tuple[int, dict, dict]] = []  # line, its record, the stored one
        records = []
        memo: dict = {}  # each distinct text of a column read once (Row)
        for line, cells in self.progress(rows, rows.estimated_rows, description):
            row = Row(line, cells, self.errors, memo)
            record = self.read_common(row)
            self.read_kind(row, record)
            if row.valid:
                records.append((line, record))
        self.sources.load()
        self.sources.check_dates(self.errors)
        return records

    def read_kind(self, row: Row, record: dict | None) -> None:
        """Read the columns of this kind of record into `record` (None: the row is invalid
        already, its cells are still checked)."""
        raise NotImplementedError

    def error(self, line: int, column: str | None, message: str) -> None:
        self.errors.append(RowError(line, column, message))

    def read_common(self, row: Row) -> Record | None:
        record_id = row.record_id()
        mission_id = self.mission_slugs.find(row)
        country = row.country("country_iso3")
        day, precision = row.precise_date()
        personnel_type = row.choice("personnel_type", PERSONNEL_TYPES)
        disputed = row.boolean("disputed")
        source = row.source()
        notes = row.text("notes", TEXT_MAX_LENGTH)
        if source is not None:
            source = (self.sources.note(row, *source), source[1])
        if row.valid and (problem := self.impossible_date(mission_id, day, precision)):
            row.error("date", problem)
        if not row.valid:
            return None
        return Record(
            mission_id=mission_id,
            country_id=country,
            personnel_type=personnel_type,
            date=day,
            date_precision=precision,
            disputed=disputed,
            notes=notes,
            source=source[0],
            uuid=record_id,
        )

    pledges = False  # docs/rules.md, "Dates must be possible": pledges may precede the start

    def impossible_date(self, mission_id: int, day: datetime.date, precision: str) -> str | None:
        """Why `day` is not possible in this mission (possible_dates, the model's rule),
        asked once per mission, date and precision: a file repeats its dates."""
        if (key := (mission_id, day, precision)) not in self.checked_dates:
            if mission_id not in self.missions:
                self.missions[mission_id] = Mission.objects.get(pk=mission_id)
            self.checked_dates[key] = impossible_date(
                self.missions[mission_id], day, precision, pledge=self.pledges, today=self.today
            )
        return self.checked_dates[key]

    def by_id(self, model, records: list[tuple[int, dict]], extra: Sequence[str] = ()) -> dict:
        """The recorded values of the records the file's ids name (by id), and the slugs
        of their missions (for showing a change of mission)."""
        stored = stored_by_id(model, {r["uuid"] for _line, r in records if r["uuid"]}, extra)
        self.slugs = {r["mission_id"]: r["mission_slug"] for r in stored.values()}
        self.slugs.update({pk: slug for slug, (pk, _acronym) in self.mission_slugs.found.items()})
        return stored

    def update_or_present(self, line: int, record: dict, stored: dict) -> None:
        if field_changes(stored, record, self.slugs):
            self.updates.append((line, record, stored))
        else:
            self.result.present_lines.append(line)

    def describe(self, stored: dict) -> str:
        raise NotImplementedError

    def finish_plan(self, rows) -> None:
        """The lines to create and update, and the first of each to show in the preview
        (their cells read again from `rows`)."""
        self.result.new_lines = [line for line, _record in self.new]
        self.result.updated_lines = [line for line, _record, _stored in self.updates]
        shown = [line for line, _r in self.new[:PREVIEW_ROWS]]
        cells = rows.cells_of(set(shown))
        self.result.new_rows = [(line, cells[line]) for line in shown]
        self.result.updates = [
            RowUpdate(line, self.describe(stored), field_changes(stored, record, self.slugs))
            for line, record, stored in self.updates[:PREVIEW_ROWS]
        ]
        if self.new or self.updates:  # what `records()` will create besides the rows
            written = self._written_records()
            codes = new_country_codes({record.country_id for record in written})
            self.result.new_countries = country_labels(codes)
            self.sources.show_in(self.result)

    def _written_records(self) -> list[dict]:
        return [record for _line, record in self.new] + [r for _line, r, _s in self.updates]

    def records(self) -> list[Record]:
        """The new rows to write, their countries and sources created first (for the
        corrected rows too). The planned records are turned into these in place (a large
        file's records are not copied): call once."""
        written = self._written_records()
        ensure_countries({record.country_id for record in written})
        self.sources.write(self.reason, self.user)
        missions = {record.mission_id for record in written}
        missions |= {stored["mission_id"] for _line, _record, stored in self.updates}
        for mission_id in sorted(missions):
            Mission.objects.lock(mission_id)
        records = []
        for _line, record in self.new:
            record.source_id = self.sources.ids[record.pop("source")]
            records.append(record)  # `uuid` None: a new id is given on writing (bulk_create)
        return records

    def _model_values(self, record: dict) -> dict:
        values = dict(record)
        values["source_id"] = self.sources.ids[values.pop("source")]
        return values

    def apply_updates(self, model) -> None:
        """Write the rows whose id names a record, with their audit history (reason: the
        file). Call after `records()`, which creates the sources they may cite."""
        if not self.updates:
            return
        objects = []
        for _line, record, stored in self.updates:
            values = self._model_values(record)
            values.pop("uuid")
            objects.append(model(pk=stored["pk"], **values))
        fields = [name for name in self._model_values(self.updates[0][1]) if name != "uuid"]
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            now = timezone.now()
            for obj in objects:
                obj.updated_at = now
            fields.append("updated_at")
        model.objects.bulk_update(objects, fields, batch_size=BULK_BATCH // 4)
        ids = [obj.pk for obj in objects]
        record_history(model, ids, CHANGED, reason=self.reason, user=self.user)
