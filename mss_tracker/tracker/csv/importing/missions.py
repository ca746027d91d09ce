"""Import missions.csv: missions keyed by slug, successors by slug (in the database or
in the same file)."""

from __future__ import annotations

from mss_tracker.tracker.csv.importing.errors import PREVIEW_ROWS, FieldChange, RowUpdate
from mss_tracker.tracker.csv.importing.importer import (
    SOURCE_FIELDS,
    Importer,
    Sources,
    country_labels,
    ensure_countries,
    new_country_codes,
)
from mss_tracker.tracker.csv.importing.row import SLUG, Row
from mss_tracker.tracker.csv.spec.cells import cell
from mss_tracker.tracker.history import CHANGED, record_history
from mss_tracker.tracker.models import Mission
from mss_tracker.tracker.text import TEXT_MAX_LENGTH


class MissionImporter(Importer):
    # fmt: off
    _FIELDS = (
        "acronym", "name", "host_country_id", "lead_country_id", "authorized_by",
        "authorized_on", "start_date", "end_date", "authorized_ceiling", "successor_slug",
        "source", "notes",
    )
    # fmt: on
    _COLUMN = {
        "host_country_id": "host_country_iso3",
        "lead_country_id": "lead_country_iso3",
        "source": "source_publisher",
    }

    def plan(self, rows):
        """Read every row, then check slugs and successors across the file and the
        database, and sort each mission into new, changed or present."""
        rows = list(rows)  # a mission may name its successor further down: the whole file
        self.sources = Sources()
        self.new = []
        self.updates = []  # (line, slug, record, changes): rows that change their mission
        records = [
            checked
            for line, cells in self.progress(rows, len(rows), "checking missions")
            if (checked := self._read_row(Row(line, cells, self.errors)))
        ]
        self.sources.load()
        self.sources.check_dates(self.errors)
        recorded = {
            mission["slug"]: mission
            for mission in Mission.objects.values(
                "slug", *self._FIELDS[:-3], "notes", "successor__slug", *SOURCE_FIELDS, "pk"
            )
        }
        in_file = self._first_line_of_each_slug(records)
        self.successors = {  # successor's slug → (predecessor's slug, line; 0: recorded)
            mission["successor__slug"]: (mission["slug"], 0)
            for mission in recorded.values()
            if mission["successor__slug"]
        }
        all_slugs = set(recorded) | set(in_file)
        for row, slug, record in records:
            if in_file.get(slug) != row.line:
                continue
            self._check_successor(row, slug, record["successor_slug"], all_slugs)
            if slug not in recorded:
                self.new.append((row.line, slug, record))
                continue
            changes = self._changes(recorded[slug], record)
            if changes:  # missions are keyed by slug: a changed row updates its mission
                self.updates.append((row.line, slug, record, changes))
            else:
                self.result.present_lines.append(row.line)
        self._report(dict(rows))

    def _read_row(self, row: Row) -> tuple[Row, str, dict] | None:
        """A row's slug and record, or None when a cell is wrong (said in `row`)."""
        slug = row.raw("slug").strip().lower()
        if not SLUG.match(slug) or len(slug) > 50:
            row.error(
                "slug",
                f"'{slug}' is not a slug; expected lower-case letters, digits and "
                "hyphens (at most 50), e.g. mss.",
            )
        record = {
            "acronym": row.text("acronym", 20, required=True),
            "name": row.text("name", 200, required=True),
            "host_country_id": row.country("host_country_iso3"),
            "lead_country_id": row.country("lead_country_iso3", required=False),
            "authorized_by": row.text("authorized_by", 200, required=True),
            "authorized_on": row.date("authorized_on"),
            "start_date": row.date("start_date"),
            "end_date": row.date("end_date", required=False),
            "authorized_ceiling": row.integer(
                "authorized_ceiling", 0, required=False, what="a whole number (or empty)"
            ),
            "successor_slug": row.raw("successor_slug").strip().lower() or None,
            "notes": row.text("notes", TEXT_MAX_LENGTH),
        }
        source = row.source(required=False)
        record["source"] = source[0] if source else None
        if source:
            self.sources.note(row, *source)
        start, end = record["start_date"], record["end_date"]
        if start and end and end < start:
            row.error("end_date", f"{end.isoformat()} is before start_date {start}.")
        if record["successor_slug"] == slug:
            row.error("successor_slug", "a mission cannot be its own successor.")
        return (row, slug, record) if row.valid else None

    def _first_line_of_each_slug(self, records: list[tuple[Row, str, dict]]) -> dict[str, int]:
        """Each slug's line in the file; a second row of a slug is an error."""
        in_file: dict[str, int] = {}
        for row, slug, _record in records:
            if slug in in_file:
                row.error("slug", f"line {in_file[slug]} already has the mission '{slug}'.")
                continue
            in_file[slug] = row.line
        return in_file

    def _check_successor(
        self, row: Row, slug: str, successor: str | None, all_slugs: set[str]
    ) -> None:
        """A successor is a known mission (recorded or in the file) that no other mission
        already succeeds to."""
        if successor and successor not in all_slugs:
            row.error(
                "successor_slug",
                f"no mission has the slug '{successor}', in the database or in this file.",
            )
        elif successor:
            other = self.successors.get(successor)
            if other and other[0] != slug:
                where = f"line {other[1]}" if other[1] else "the database"
                row.error(
                    "successor_slug",
                    f"'{successor}' is already the successor of '{other[0]}' ({where}); "
                    "a mission has at most one predecessor.",
                )
            else:
                self.successors[successor] = (slug, row.line)

    def _changes(self, old: dict, record: dict) -> tuple[FieldChange, ...]:
        """What a row changes in its recorded mission, column by column."""
        old_source = (
            (old["source__publisher"], old["source__title"], old["source__url"])
            if old["source__publisher"]
            else None
        )
        pairs = {
            self._COLUMN.get(name, name): (old.get(name), record[name])
            for name in self._FIELDS
            if name not in ("successor_slug", "source")
        }
        pairs["successor_slug"] = (old["successor__slug"], record["successor_slug"])
        pairs["source_publisher"] = (
            " / ".join(filter(None, old_source or ())),
            " / ".join(filter(None, record["source"] or ())),
        )
        return tuple(
            FieldChange(column, cell(before), cell(after))
            for column, (before, after) in pairs.items()
            if before != after
        )

    def _report(self, cells_by_line: dict[int, list[str]]) -> None:
        """The lines to create and update, the first of each shown in the preview."""
        self.result.new_lines = [line for line, _slug, _record in self.new]
        self.result.updated_lines = [line for line, _slug, _record, _c in self.updates]
        self.result.new_rows = [
            (line, cells_by_line[line]) for line, _slug, _record in self.new[:PREVIEW_ROWS]
        ]
        self.result.updates = [
            RowUpdate(line, f"the mission {slug}", changes)
            for line, slug, _record, changes in self.updates[:PREVIEW_ROWS]
        ]
        if self.new or self.updates:  # what `write` will create besides the missions
            self.result.new_countries = country_labels(new_country_codes(self._countries()))
            self.sources.show_in(self.result)

    def _countries(self) -> set[str]:
        """The countries the written missions name (host and lead)."""
        countries = set()
        written = [*self.new, *((line, slug, record) for line, slug, record, _c in self.updates)]
        for _line, _slug, record in written:
            countries.update(filter(None, [record["host_country_id"], record["lead_country_id"]]))
        return countries

    def write(self):
        ensure_countries(self._countries())
        self.sources.write(self.reason, self.user)
        for _line, slug, record, _changes in self.updates:
            mission = Mission.objects.get(slug=slug)
            for name, value in record.items():
                if name not in ("successor_slug", "source"):
                    setattr(mission, name, value)
            mission.source_id = self.sources.ids[record["source"]] if record["source"] else None
            mission._change_reason = self.reason
            mission._history_user = self.user
            mission.save()
        created = {}
        for _line, slug, record in self.new:
            values = {k: v for k, v in record.items() if k not in ("successor_slug", "source")}
            source_id = self.sources.ids[record["source"]] if record["source"] else None
            mission = Mission(slug=slug, source_id=source_id, **values)
            mission._change_reason = self.reason  # read by simple-history's post_save
            mission._history_user = self.user
            mission.save(force_insert=True)
            created[slug] = mission
        ids = dict(Mission.objects.values_list("slug", "pk"))
        succeeded = []
        for _line, slug, record in self.new:
            if record["successor_slug"]:
                Mission.objects.filter(pk=created[slug].pk).update(
                    successor_id=ids[record["successor_slug"]]
                )
                succeeded.append(created[slug].pk)
        record_history(Mission, succeeded, CHANGED, reason=self.reason, user=self.user)
        for _line, slug, record, _changes in self.updates:
            successor = ids.get(record["successor_slug"]) if record["successor_slug"] else None
            mission = Mission.objects.get(slug=slug)
            if mission.successor_id != successor:
                mission.successor_id = successor
                mission._change_reason = self.reason
                mission._history_user = self.user
                mission.save()
