"""Import events.csv, then rebuild every timeline it touched (never negative); a row with
an `id` corrects the event it names (csv.corrections)."""

from __future__ import annotations

from django.db import connection

from mss_tracker.lib.table_statistics import BULK_ROWS, analyze
from mss_tracker.tracker.csv.importing.corrections import check_repeated_id, correction_refused
from mss_tracker.tracker.csv.importing.errors import RowError
from mss_tracker.tracker.csv.importing.importer import (
    SOURCE_FIELDS,
    DatedImporter,
)
from mss_tracker.tracker.models import (
    DeploymentEvent,
    EventKind,
    MissionTotalPoint,
    TimelinePoint,
)
from mss_tracker.tracker.timelines import NegativeStrength, rebuild_timelines

EVENT_KINDS = list(EventKind.values)  # once, not per row (an enum's values are recomputed)
_COMPARED = ("personnel", "date_precision", "disputed", "notes")


def _timeline_day(record) -> str:
    """ "KEN police on 2024-06-25", for a message."""
    return f"{record.country_id} {record.personnel_type} on {record.date.isoformat()}"


class EventImporter(DatedImporter):
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

    def plan(self, rows):
        records = self.checked_records(rows, "checking events")
        by_id = self.by_id(DeploymentEvent, records, extra=("kind",))
        # Recorded events by their identity (docs/csv.md: mission, country, type, kind, date and
        # source); several may share one (two arrivals of one day, one source).
        recorded: dict[tuple, list[dict]] = {}
        reports: dict[tuple, tuple] = {}
        scope = DeploymentEvent.objects.filter(
            mission_id__in={record.mission_id for _line, record in records},
            country_id__in={record.country_id for _line, record in records},
        ).values_list(
            *("mission_id", "country_id", "personnel_type", "date", "kind", "personnel"),
            *SOURCE_FIELDS,
            *("date_precision", "disputed", "notes", "uuid"),
        )
        for m, c, t, d, kind, personnel, p, ti, u, *values in scope.iterator(chunk_size=5000):
            stored = {
                "country_id": c,
                "personnel_type": t,
                "date": d,
                "kind": kind,
                "personnel": personnel,
                "source": (p, ti, u),
                "date_precision": values[0],
                "disputed": values[1],
                "notes": values[2],
                "uuid": values[3],
            }
            recorded.setdefault((m, c, t, d, kind, (p, ti, u)), []).append(stored)
            if kind == EventKind.STRENGTH_REPORT:
                reports[(m, c, t, d)] = (personnel, p)
        seen: dict[tuple, int] = {}
        seen_ids: dict = {}
        seen_reports: dict[tuple, int] = {}
        for line, record in records:  # Records: read by attribute (every row passes here)
            if not check_repeated_id(self.errors, line, record.uuid, seen_ids):
                continue
            if record.uuid in by_id:
                self.update_or_present(line, record, by_id[record.uuid])
                continue
            timeline_day = (
                record.mission_id,
                record.country_id,
                record.personnel_type,
                record.date,
            )
            identity = (*timeline_day, record.kind, record.source)
            key = (*timeline_day, record.kind, record.personnel, record.source)
            is_report = record.kind == EventKind.STRENGTH_REPORT
            if key in seen:
                self.error(
                    line,
                    None,
                    f"repeats line {seen[key]} (same date, mission, country, event, "
                    "personnel_type, personnel and source): keep one of the two rows.",
                )
                continue
            seen[key] = line
            if identity in recorded:
                same = recorded[identity]
                values = tuple(record[name] for name in _COMPARED)
                if any(tuple(stored[name] for name in _COMPARED) == values for stored in same):
                    self.result.present_lines.append(line)
                else:
                    correction_refused(self.errors, line, self.describe(same[0]))
                continue
            if is_report and timeline_day in reports:
                personnel, publisher = reports[timeline_day]
                self.error(
                    line,
                    "date",
                    f"a strength report of {personnel:,} for {_timeline_day(record)} "
                    f"({publisher}) is already recorded; one strength report per date: "
                    "correct that one instead.",
                )
                continue
            if is_report and timeline_day in seen_reports:
                self.error(
                    line,
                    "date",
                    f"line {seen_reports[timeline_day]} already has a strength report for "
                    f"{_timeline_day(record)}; one strength report per date: keep one of the "
                    "two rows.",
                )
                continue
            if is_report:
                seen_reports[timeline_day] = line
            self.new.append((line, record))
        self.finish_plan(rows)

    def write(self):
        if connection.vendor == "postgresql":
            # The timeline rebuild of a large file sorts its days in memory rather than in
            # temporary files (for the import's transaction only).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
        self.bulk_create(DeploymentEvent, self.records())
        self.apply_updates(DeploymentEvent)
        keys = {
            (r["mission_id"], r["country_id"], r["personnel_type"]) for r in self._written_records()
        }
        keys |= {
            (s["mission_id"], s["country_id"], s["personnel_type"]) for _line, _r, s in self.updates
        }
        rebuild_timelines(keys)  # NegativeStrength names its timeline_key and day
        if len(self.new) + len(self.updates) >= BULK_ROWS:
            analyze(
                DeploymentEvent._meta.db_table,
                DeploymentEvent.history.model._meta.db_table,
                TimelinePoint._meta.db_table,
                MissionTotalPoint._meta.db_table,
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
