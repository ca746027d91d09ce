"""Import pledges.csv: one pledge per (mission, country, type, date); a row with an `id`
corrects the pledge it names (csv.corrections)."""

from __future__ import annotations

from mss_tracker.tracker.csv.importing.corrections import check_repeated_id, correction_refused
from mss_tracker.tracker.csv.importing.errors import RowError
from mss_tracker.tracker.csv.importing.importer import (
    SOURCE_FIELDS,
    DatedImporter,
)
from mss_tracker.tracker.models import Country, Pledge

_COMPARED = ("personnel", "date_precision", "disputed", "notes", "source")


def _figure(personnel: int | None) -> str:
    return "no number" if personnel is None else f"{personnel:,}"


class PledgeImporter(DatedImporter):
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
        records = self.checked_records(rows, "checking pledges")
        by_id = self.by_id(Pledge, records)
        recorded: dict[tuple, dict] = {}
        scope = Pledge.objects.filter(
            mission_id__in={record["mission_id"] for _line, record in records},
            country_id__in={record["country_id"] for _line, record in records},
        ).values_list(
            *("mission_id", "country_id", "personnel_type", "date", "personnel"),
            *("date_precision", "disputed", "notes", "uuid", *SOURCE_FIELDS),
        )
        for m, c, t, day, personnel, precision, disputed, notes, uuid, *source in scope.iterator(
            chunk_size=5000
        ):
            recorded[(m, c, t, day)] = {
                "mission_id": m,
                "country_id": c,
                "personnel_type": t,
                "date": day,
                "personnel": personnel,
                "date_precision": precision,
                "disputed": disputed,
                "notes": notes,
                "uuid": uuid,
                "source": tuple(source),
            }
        seen: dict[tuple, tuple[int, tuple]] = {}
        seen_ids: dict = {}
        for line, record in records:
            if not check_repeated_id(self.errors, line, record["uuid"], seen_ids):
                continue
            if record["uuid"] in by_id:
                self.update_or_present(line, record, by_id[record["uuid"]])
                continue
            key = (
                record["mission_id"],
                record["country_id"],
                record["personnel_type"],
                record["date"],
            )
            values = tuple(record[name] for name in _COMPARED)
            what = f"{record['country_id']} {record['personnel_type']} on {key[3].isoformat()}"
            if key in seen:
                first_line, first = seen[key]
                self.error(
                    line,
                    None,
                    f"repeats line {first_line} (the same pledge)"
                    if first == values
                    else f"line {first_line} already has a pledge for {what}; a mission has one "
                    "pledge per country, type and date: keep one of the two rows.",
                )
                continue
            seen[key] = (line, values)
            stored = recorded.get(key)
            if stored is None:
                self.new.append((line, record))
            elif tuple(stored[name] for name in _COMPARED) == values:
                self.result.present_lines.append(line)
            else:
                correction_refused(self.errors, line, self.describe(stored))
        self.finish_plan(rows)
        self._warn_of_unknown_figures(recorded)

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
        self.bulk_create(Pledge, self.records())
        self.apply_updates(Pledge)
