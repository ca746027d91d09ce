"""Import pledges.csv: one pledge per (mission, country, type, date); a row with an `id`
corrects the pledge it names (csv.corrections)."""

from __future__ import annotations

from mss_tracker.tracker.bulk_writes import rules_kept_by_caller
from mss_tracker.tracker.csv.importing.corrections import correction_refused
from mss_tracker.tracker.csv.importing.errors import RowError
from mss_tracker.tracker.csv.importing.importer import DatedImporter
from mss_tracker.tracker.models import Country, Pledge

_COMPARED = ("personnel", "date_precision", "disputed", "notes", "source")


def _figure(personnel: int | None) -> str:
    return "no number" if personnel is None else f"{personnel:,}"


class PledgeImporter(DatedImporter):
    model = Pledge
    pledges = True

    def describe(self, stored: dict) -> str:
        return (
            f"the pledge of {_figure(stored['personnel'])} {stored['country_id']} "
            f"{stored['personnel_type']} on {stored['date'].isoformat()} "
            f"({stored['source'][0]}, id {stored['uuid']})"
        )

    def read_kind(self, row, record):
        personnel = row.integer(
            "personnel", 0, required=False, what="a whole number of personnel (or empty)"
        )
        if record is not None:
            record["personnel"] = personnel

    def plan(self, rows):
        super().plan(rows)
        self._warn_of_unknown_figures(self.recorded)

    def start_plan(self) -> None:
        self.recorded: dict[tuple, dict] = {}  # by (mission, country, type, date)
        self.seen: dict[tuple, tuple[int, tuple]] = {}  # the file's pledges: line, values

    def note_recorded(self, stored: dict) -> None:
        key = (stored["mission_id"], stored["country_id"], stored["personnel_type"])
        self.recorded[(*key, stored["date"])] = stored

    def plan_row(self, line: int, record) -> None:
        """One pledge per (mission, country, type, date): new, present, a repeated row, a
        second pledge for that date, or a correction without an id (refused)."""
        key = (record.mission_id, record.country_id, record.personnel_type, record.date)
        values = tuple(record[name] for name in _COMPARED)
        if key in self.seen:
            self._refuse_second_row(line, key, values)
            return
        self.seen[key] = (line, values)
        stored = self.recorded.get(key)
        if stored is None:
            self.new.append((line, record))
        elif tuple(stored[name] for name in _COMPARED) == values:
            self.result.present_lines.append(line)
        else:
            correction_refused(self.errors, line, self.describe(stored))

    def _refuse_second_row(self, line: int, key: tuple, values: tuple) -> None:
        first_line, first = self.seen[key]
        _mission, country, personnel_type, day = key
        what = f"{country} {personnel_type} on {day.isoformat()}"
        self.error(
            line,
            None,
            f"repeats line {first_line} (the same pledge)"
            if first == values
            else f"line {first_line} already has a pledge for {what}; a mission has one "
            "pledge per country, type and date: keep one of the two rows.",
        )

    def _warn_of_unknown_figures(self, recorded: dict[tuple, dict]) -> None:
        """A pledge without a number that supersedes a numeric one makes the pledged
        figure unknown: said in the preview (it does not stop the import)."""
        written = [(line, record) for line, record in self.new]
        written += [(line, record) for line, record, _stored in self.updates]
        blank = [(line, r) for line, r in written if r["personnel"] is None]
        if not blank:
            return
        names = dict(
            Country.objects.filter(iso3__in={r["country_id"] for _l, r in blank}).values_list(
                "iso3", "name"
            )
        )
        timelines: dict[tuple, list[dict]] = {}
        for (m, c, t, _day), stored in recorded.items():
            timelines.setdefault((m, c, t), []).append(stored)
        for line, record in blank:
            timeline = (record["mission_id"], record["country_id"], record["personnel_type"])
            earlier = [
                stored for stored in timelines.get(timeline, []) if stored["date"] <= record["date"]
            ]
            if not earlier:
                continue
            in_force = max(earlier, key=lambda stored: stored["date"])
            if in_force["personnel"] is None:
                continue
            shown = Pledge(date=in_force["date"], date_precision=in_force["date_precision"])
            self.result.warnings.append(
                RowError(
                    line,
                    "personnel",
                    f"this makes {names.get(record['country_id'], record['country_id'])}'s "
                    f"pledged {record['personnel_type']} unknown, replacing "
                    f"{in_force['personnel']:,} pledged on {shown.date_display}",
                )
            )

    def write(self):
        with rules_kept_by_caller():  # every row's date was checked against its mission
            self.bulk_create(Pledge, self.records())
            self.apply_updates(Pledge)
