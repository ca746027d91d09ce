"""Import pledges.csv: one pledge per (mission, country, type, date)."""

from __future__ import annotations

from mss_tracker.tracker.csv.importer import (
    SOURCE_FIELDS,
    DatedImporter,
    differences,
    missions_by_slug,
)
from mss_tracker.tracker.models import Pledge


class PledgeImporter(DatedImporter):
    pledges = True

    def plan(self, rows):
        parsed = self.prepare(rows)
        missions = missions_by_slug(parsed)
        records = []
        for row in self.progress(parsed, len(parsed), "checking pledges"):
            record = self.read_common(row, missions)
            personnel = row.integer(
                "personnel", 0, required=False, what="a whole number of personnel (or empty)"
            )
            if record is not None and row.valid:
                record["personnel"] = personnel
                records.append((row, record))
        self.sources.load()
        self.sources.check_dates(self.errors)
        recorded = {}
        scope = Pledge.objects.filter(
            mission_id__in={record["mission_id"] for _row, record in records},
            country_id__in={record["country_id"] for _row, record in records},
        ).values_list(
            *("mission_id", "country_id", "personnel_type", "date", "personnel"),
            *("date_precision", "disputed", "notes", *SOURCE_FIELDS),
        )
        for mission_id, country, ptype, day, *values in scope.iterator(chunk_size=5000):
            recorded[(mission_id, country, ptype, day)] = (*values[:4], tuple(values[4:]))
        seen: dict[tuple, tuple[int, tuple]] = {}
        self.new = []
        for row, record in records:
            key = (
                record["mission_id"],
                record["country_id"],
                record["personnel_type"],
                record["date"],
            )
            values = (
                record["personnel"],
                record["date_precision"],
                record["disputed"],
                record["notes"],
                record["source"],
            )
            what = f"{record['country_id']} {record['personnel_type']} on {key[3].isoformat()}"
            if key in seen:
                line, first = seen[key]
                row.error(
                    None,
                    f"repeats line {line} (the same pledge)"
                    if first == values
                    else f"line {line} already has a pledge for {what}; a mission has one "
                    "pledge per country, type and date: keep one of the two rows.",
                )
                continue
            seen[key] = (row.line, values)
            if key not in recorded:
                self.new.append((row.line, record))
            elif recorded[key] == values:
                self.result.present_lines.append(row.line)
            else:
                old = recorded[key]
                diff = differences(
                    {
                        "personnel": (old[0], values[0]),
                        "date_precision": (old[1], values[1]),
                        "disputed": (old[2], values[2]),
                        "notes": (old[3], values[3]),
                        "source": (
                            " / ".join(filter(None, old[4])),
                            " / ".join(filter(None, values[4])),
                        ),
                    }
                )
                row.error(
                    "personnel" if old[0] != values[0] else None,
                    f"a different pledge for {what} is already recorded ({diff}); "
                    "correct that one in the admin instead of adding a second.",
                )
        self.result.new_lines = [line for line, _record in self.new]

    def write(self):
        self.bulk_create(Pledge, self.records())
