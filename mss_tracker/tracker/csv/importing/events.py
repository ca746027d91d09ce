"""Import events.csv, then rebuild every timeline it touched (never negative); a row with
an `id` corrects the event it names (csv.corrections)."""

from __future__ import annotations

from django.db import connection

from mss_tracker.lib.table_statistics import BULK_ROWS, analyze
from mss_tracker.tracker.bulk_writes import rules_kept_by_caller
from mss_tracker.tracker.csv.importing.corrections import correction_refused
from mss_tracker.tracker.csv.importing.errors import RowError
from mss_tracker.tracker.csv.importing.importer import DatedImporter
from mss_tracker.tracker.models import (
    DeploymentEvent,
    EventKind,
    MissionTotalPoint,
    TimelinePoint,
)
from mss_tracker.tracker.timelines import NegativeStrength

EVENT_KINDS = list(EventKind.values)  # once, not per row (an enum's values are recomputed)
_COMPARED = ("personnel", "date_precision", "disputed", "notes")

# The columns whose statistics a large import refreshes (lib/table_statistics.py): those
# the pages, exports and rebuilds filter, join, group or sort events by. Not the notes
# (free text), the random `uuid` (unique: its index tells the planner) or `updated_at`.
EVENT_STATISTICS = ("id", "mission_id", "country_id", "personnel_type", "date")
EVENT_STATISTICS += ("date_precision", "kind", "disputed", "personnel", "source_id", "recorded_at")
# Their history is read by record (its history), by date and editor (Recent changes), and
# by mission, country, type, date and kind (what changed since a figure was cited).
HISTORY_STATISTICS = ("id", "history_date", "history_user_id", "history_type", "mission_id")
HISTORY_STATISTICS += ("country_id", "personnel_type", "date", "kind")


def _timeline_day(record) -> str:
    """ "KEN police on 2024-06-25", for a message."""
    return f"{record.country_id} {record.personnel_type} on {record.date.isoformat()}"


class EventImporter(DatedImporter):
    model = DeploymentEvent
    stored_extra = ("kind",)

    def describe(self, stored: dict) -> str:
        kind = EventKind(stored["kind"]).label.lower()
        return (
            f"the {kind} of {stored['personnel']:,} {stored['country_id']} "
            f"{stored['personnel_type']} on {stored['date'].isoformat()} "
            f"({stored['source'][0]}, id {stored['uuid']})"
        )

    def read_kind(self, row, record):
        kind = row.choice("event", EVENT_KINDS)
        minimum = 0 if kind == EventKind.STRENGTH_REPORT else 1
        what = (
            "the reported headcount"
            if kind == EventKind.STRENGTH_REPORT
            else "the number of personnel"
        )
        personnel = row.integer("personnel", minimum, what=f"{what} (a whole number)")
        if record is not None:
            record["kind"] = kind
            record["personnel"] = personnel

    def start_plan(self) -> None:
        # Recorded events by their identity (docs/csv.md: mission, country, type, kind, date
        # and source); several may share one (two arrivals of one day, one source).
        self.recorded: dict[tuple, list[dict]] = {}
        self.reports: dict[tuple, tuple] = {}  # recorded reports by timeline and day
        self.seen: dict[tuple, int] = {}  # the file's events: their line
        self.seen_reports: dict[tuple, int] = {}  # the file's reports by timeline and day

    def note_recorded(self, stored: dict) -> None:
        timeline_day = (
            *(stored["mission_id"], stored["country_id"], stored["personnel_type"]),
            stored["date"],
        )
        identity = (*timeline_day, stored["kind"], stored["source"])
        self.recorded.setdefault(identity, []).append(stored)
        if stored["kind"] == EventKind.STRENGTH_REPORT:
            self.reports[timeline_day] = (stored["personnel"], stored["source"][0])

    def plan_row(self, line: int, record) -> None:
        """New, present, a repeated row, a correction without an id, or a second strength
        report for a timeline and day (refused)."""
        timeline_day = (record.mission_id, record.country_id, record.personnel_type, record.date)
        if self._repeats_a_row(line, record, timeline_day):
            return
        identity = (*timeline_day, record.kind, record.source)
        if identity in self.recorded:
            self._present_or_refused(line, record, self.recorded[identity])
            return
        if record.kind == EventKind.STRENGTH_REPORT and not self._first_report(
            line, record, timeline_day
        ):
            return
        self.new.append((line, record))

    def _repeats_a_row(self, line: int, record, timeline_day: tuple) -> bool:
        key = (*timeline_day, record.kind, record.personnel, record.source)
        if key not in self.seen:
            self.seen[key] = line
            return False
        self.error(
            line,
            None,
            f"repeats line {self.seen[key]} (same date, mission, country, event, "
            "personnel_type, personnel and source): keep one of the two rows.",
        )
        return True

    def _present_or_refused(self, line: int, record, same: list[dict]) -> None:
        values = tuple(record[name] for name in _COMPARED)
        if any(tuple(stored[name] for name in _COMPARED) == values for stored in same):
            self.result.present_lines.append(line)
        else:
            correction_refused(self.errors, line, self.describe(same[0]))

    def _first_report(self, line: int, record, timeline_day: tuple) -> bool:
        """One strength report per timeline and date, recorded or in the file."""
        if timeline_day in self.reports:
            personnel, publisher = self.reports[timeline_day]
            self.error(
                line,
                "date",
                f"a strength report of {personnel:,} for {_timeline_day(record)} "
                f"({publisher}) is already recorded; one strength report per date: "
                "correct that one instead.",
            )
            return False
        if timeline_day in self.seen_reports:
            self.error(
                line,
                "date",
                f"line {self.seen_reports[timeline_day]} already has a strength report for "
                f"{_timeline_day(record)}; one strength report per date: keep one of the "
                "two rows.",
            )
            return False
        self.seen_reports[timeline_day] = line
        return True

    def write(self):
        if connection.vendor == "postgresql":
            # The timeline rebuild of a large file sorts its days in memory rather than in
            # temporary files (for the import's transaction only).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
        # The queryset's bulk writes would rebuild per batch: rebuilt once, below.
        with rules_kept_by_caller():
            self.bulk_create(DeploymentEvent, self.records())
            self.apply_updates(DeploymentEvent)
        keys = {
            (r["mission_id"], r["country_id"], r["personnel_type"]) for r in self._written_records()
        }
        keys |= {
            (s["mission_id"], s["country_id"], s["personnel_type"]) for _line, _r, s in self.updates
        }
        # NegativeStrength names its timeline_key and day
        DeploymentEvent.objects.rebuild_timelines(keys)
        # Not for a dry run: its statistics would be rolled back, and the row counts that
        # PostgreSQL's ANALYZE writes in place would not, counting rows never committed.
        if len(self.new) + len(self.updates) >= BULK_ROWS and not self.result.dry_run:
            history = DeploymentEvent.history.model._meta.db_table
            analyze(
                DeploymentEvent._meta.db_table,
                history,
                TimelinePoint._meta.db_table,
                MissionTotalPoint._meta.db_table,
                columns={
                    DeploymentEvent._meta.db_table: EVENT_STATISTICS,
                    history: HISTORY_STATISTICS,
                },
            )

    def negative_strength_error(self, exc: NegativeStrength) -> RowError:
        """The file's row that drives the timeline below zero: the one on that date, or
        else the latest before it (a back-dated report or departure)."""
        mission_id, country, personnel_type = exc.timeline_key
        written = [*self.new, *((line, record) for line, record, _s in self.updates)]
        lines = sorted(
            (record["date"], line)
            for line, record in written
            if (record["mission_id"], record["country_id"], record["personnel_type"])
            == (mission_id, country, personnel_type)
        )
        before = [line for day, line in lines if day <= exc.day]
        line = before[-1] if before else (lines[0][1] if lines else None)
        return RowError(line, "personnel" if line else None, exc.messages[0])
