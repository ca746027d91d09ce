"""Corrections travel by id (docs/csv.md, "Record ids"): what pledge and event imports do
with the `id` column.

- A row whose id names a recorded record updates it to the row's values (or is already
  present when every column is equal); the preview lists each change, before → after.
- A row whose id names no record creates one with that id.
- A row without an id that matches a recorded record's identity (mission, country, type,
  kind for events, date and source) but differs in a value is refused: it looks like a
  correction, which needs the id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from mss_tracker.tracker.csv.importing.errors import FieldChange, RowError
from mss_tracker.tracker.csv.spec.cells import cell

_IDS_PER_QUERY = 500  # SQLite: well under its limit on query parameters

# A record's values as an import compares them: the record dict's keys (importer.read_common)
# and the CSV column each is shown under.
COLUMN_OF = {
    "date": "date",
    "date_precision": "date_precision",
    "mission_id": "mission",
    "country_id": "country_iso3",
    "kind": "event",
    "personnel_type": "personnel_type",
    "personnel": "personnel",
    "disputed": "disputed",
    "source": "source",
    "notes": "notes",
}
_STORED = {
    "pk": "pk",
    "uuid": "uuid",
    "mission_id": "mission_id",
    "mission_slug": "mission__slug",
    "country_id": "country_id",
    "personnel_type": "personnel_type",
    "date": "date",
    "date_precision": "date_precision",
    "disputed": "disputed",
    "notes": "notes",
    "personnel": "personnel",
    "publisher": "source__publisher",
    "title": "source__title",
    "url": "source__url",
}


def stored_by_id(model, ids: Iterable[uuid.UUID], extra: Sequence[str] = ()) -> dict:
    """The recorded values of the records with these ids, as record dicts, by id."""
    ids = list(ids)
    names = {**_STORED, **{name: name for name in extra}}
    found = {}
    for start in range(0, len(ids), _IDS_PER_QUERY):
        rows = model.objects.filter(uuid__in=ids[start : start + _IDS_PER_QUERY]).values(
            *names.values()
        )
        for values in rows:
            record = {name: values[path] for name, path in names.items()}
            record["source"] = (record.pop("publisher"), record.pop("title"), record.pop("url"))
            found[record["uuid"]] = record
    return found


def _shown(name: str, value: Any, slugs: dict[int, str]) -> str:
    if name == "mission_id":
        return slugs.get(value, str(value))
    if name == "source":
        return " / ".join(filter(None, value))
    return cell(value)


def field_changes(
    stored: dict, record: dict, slugs: dict[int, str], columns: dict[str, str] = COLUMN_OF
) -> tuple[FieldChange, ...]:
    """The columns in which `record` (a row) differs from `stored`, before → after
    (`columns`: each compared value's column name)."""
    return tuple(
        FieldChange(column, _shown(name, stored[name], slugs), _shown(name, record[name], slugs))
        for name, column in columns.items()
        if name in record and stored[name] != record[name]
    )


def check_repeated_id(errors: list[RowError], line: int, record_id, seen: dict) -> bool:
    """False (with an error of `line`) when another line of the file has the same id."""
    if record_id is None:
        return True
    if record_id in seen:
        errors.append(
            RowError(
                line,
                "id",
                f"line {seen[record_id]} has the same id; a record appears once per file.",
            )
        )
        return False
    seen[record_id] = line
    return True


def correction_refused(errors: list[RowError], line: int, the_record: str) -> None:
    """The message for an id-less row that differs from a recorded one (docs/csv.md)."""
    errors.append(
        RowError(
            line,
            None,
            f"this looks like a correction of {the_record}; put its id in the id column to "
            "change it; if it is a separate event, record it in the admin",
        )
    )
