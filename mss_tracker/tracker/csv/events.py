"""Import events.csv, then rebuild every timeline it touched (never negative)."""

from __future__ import annotations

from mss_tracker.tracker.csv.errors import RowError
from mss_tracker.tracker.csv.importer import (
    SOURCE_FIELDS,
    DatedImporter,
    differences,
    missions_by_slug,
)
from mss_tracker.tracker.models import DeploymentEvent, EventKind
from mss_tracker.tracker.timelines import NegativeStrength, rebuild_timelines

EVENT_KINDS = list(EventKind.values)  # once, not per row (an enum's values are recomputed)


class EventImporter(DatedImporter):
    def plan(self, rows):
        parsed = self.prepare(rows)
        missions = missions_by_slug(parsed)
        records = []
        for row in self.progress(parsed, len(parsed), "checking events"):
            record = self.read_common(row, missions)
            kind = row.choice("event", EVENT_KINDS)
            minimum = 0 if kind == EventKind.STRENGTH_REPORT else 1
            what = (
                "the reported headcount"
                if kind == EventKind.STRENGTH_REPORT
                else "the number of personnel"
            )
            personnel = row.integer("personnel", minimum, what=f"{what} (a whole number)")
            if record is not None and row.valid:
                record["kind"] = kind
                record["personnel"] = personnel
                records.append((row, record))
        self.sources.load()
        self.sources.check_dates(self.errors)
        recorded: dict[tuple, tuple] = {}
        reports: dict[tuple, tuple] = {}
        scope = DeploymentEvent.objects.filter(
            mission_id__in={record["mission_id"] for _row, record in records},
            country_id__in={record["country_id"] for _row, record in records},
        ).values_list(
            *("mission_id", "country_id", "personnel_type", "date", "kind", "personnel"),
            *SOURCE_FIELDS,
            *("date_precision", "disputed", "notes"),
        )
        for m, c, t, d, kind, personnel, p, ti, u, *values in scope.iterator(chunk_size=5000):
            recorded[(m, c, t, d, kind, personnel, (p, ti, u))] = tuple(values)
            if kind == EventKind.STRENGTH_REPORT:
                reports[(m, c, t, d)] = (personnel, p)
        seen: dict[tuple, int] = {}
        seen_reports: dict[tuple, int] = {}
        self.new = []
        for row, record in records:
            timeline_day = (
                record["mission_id"],
                record["country_id"],
                record["personnel_type"],
                record["date"],
            )
            key = (*timeline_day, record["kind"], record["personnel"], record["source"])
            values = (record["date_precision"], record["disputed"], record["notes"])
            what = (
                f"{record['country_id']} {record['personnel_type']} on {record['date'].isoformat()}"
            )
            is_report = record["kind"] == EventKind.STRENGTH_REPORT
            if key in seen:
                row.error(
                    None,
                    f"repeats line {seen[key]} (same date, mission, country, event, "
                    "personnel_type, personnel and source): keep one of the two rows.",
                )
                continue
            seen[key] = row.line
            if key in recorded:
                if recorded[key] == values:
                    self.result.present_lines.append(row.line)
                else:
                    old = recorded[key]
                    diff = differences(
                        {
                            "date_precision": (old[0], values[0]),
                            "disputed": (old[1], values[1]),
                            "notes": (old[2], values[2]),
                        }
                    )
                    row.error(
                        None,
                        f"this {record['kind']} of {what} from this source is already "
                        f"recorded with other values ({diff}); correct it in the admin.",
                    )
                continue
            if is_report and timeline_day in reports:
                personnel, publisher = reports[timeline_day]
                row.error(
                    "date",
                    f"a strength report of {personnel:,} for {what} ({publisher}) is already "
                    "recorded; one strength report per date: correct that one instead.",
                )
                continue
            if is_report and timeline_day in seen_reports:
                row.error(
                    "date",
                    f"line {seen_reports[timeline_day]} already has a strength report for "
                    f"{what}; one strength report per date: keep one of the two rows.",
                )
                continue
            if is_report:
                seen_reports[timeline_day] = row.line
            self.new.append((row.line, record))
        self.result.new_lines = [line for line, _record in self.new]

    def write(self):
        self.bulk_create(DeploymentEvent, self.records())
        keys = {(r["mission_id"], r["country_id"], r["personnel_type"]) for _l, r in self.new}
        rebuild_timelines(keys)  # NegativeStrength names its timeline_key and day

    def negative_strength_error(self, exc: NegativeStrength) -> RowError:
        """The file's row that drives the timeline below zero: the one on that date, or
        else the latest before it (a back-dated report or departure)."""
        mission_id, country, personnel_type = exc.timeline_key
        lines = sorted(
            (record["date"], line)
            for line, record in self.new
            if (record["mission_id"], record["country_id"], record["personnel_type"])
            == (mission_id, country, personnel_type)
        )
        before = [line for day, line in lines if day <= exc.day]
        line = before[-1] if before else (lines[0][1] if lines else None)
        return RowError(line, "personnel" if line else None, exc.messages[0])
