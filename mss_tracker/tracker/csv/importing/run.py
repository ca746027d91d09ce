"""`import_csv` and `import_file`: the one import that the `import_csv` command, the
admin's "Import CSV" and `load_sample_data` all go through.

It reads a whole file, checks every row against the database and reports every problem
as "line N, column X: what is wrong and what is expected". Only when the whole file is
valid does it write, in one transaction: new countries, sources and rows in bulk, then
one `rebuild_timelines()` for every timeline touched, whose `NegativeStrength` is
reported as an error of the line that caused it and rolls everything back. Rows already
in the database are recognised and counted as present, never duplicated, so importing a
file that was just exported changes nothing.

Every row it creates or changes gets an audit history row (`history.record_history`,
since bulk writes send no signals) whose reason names the file ("CSV import:
events.csv") and whose user is the one who uploaded it (none for the commands).

When is a row "already present"?

- a mission: same slug and every column equal; same slug with other values is an error.
- a pledge: same (mission, country, type, date) and equal personnel, precision,
  disputed flag, notes and source; the same key with other values is an error (docs/rules.md:
  one pledge per date; a second one is a duplicate to correct).
- an event: same (mission, country, type, date, event, personnel, source) (the
  database's "no exact duplicate" key) and equal precision, disputed flag and notes;
  other values are an error, and so is a second strength report on the same date.
- a funding record: see csv/importing/funding.py (a running total by mission, donor, kind,
  channel and date; a contribution also by its amount and source).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction

from mss_tracker.lib.transactions import rolled_back
from mss_tracker.tracker.csv.importing.decoding import check_size
from mss_tracker.tracker.csv.importing.errors import (
    CsvFileError,
    ErrorList,
    ImportResult,
    Progress,
    RowError,
    TooManyErrors,
    no_progress,
)
from mss_tracker.tracker.csv.importing.events import EventImporter
from mss_tracker.tracker.csv.importing.file_rows import CsvRows
from mss_tracker.tracker.csv.importing.funding import FundingImporter
from mss_tracker.tracker.csv.importing.missions import MissionImporter
from mss_tracker.tracker.csv.importing.pledges import PledgeImporter
from mss_tracker.tracker.possible_dates import ImpossibleDate
from mss_tracker.tracker.timelines import NegativeStrength

PROGRESS_THRESHOLD = 5000  # files with more rows than this show a progress bar

_IMPORTERS = {
    "missions": MissionImporter,
    "pledges": PledgeImporter,
    "events": EventImporter,
    "funding": FundingImporter,
}


def import_csv(
    kind: str,
    data: bytes,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    reason: str | None = None,
    user: AbstractBaseUser | None = None,
    on_written: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Import a missions, pledges, events or funding file (bytes as uploaded), all or nothing.

    Returns what was (or, with `dry_run`, would be) created and every error; when there
    is any error nothing is written. A dry run still writes inside a transaction that it
    rolls back, so it finds what only the database can (a timeline driven negative).
    `reason` and `user` go into the audit history of every row written (`reason`
    defaults to "CSV import"; callers name the file, see `import_reason`).
    `on_written(result)` runs inside the import's transaction once every row is written,
    so that what it records (the job's "imported") commits with the rows or not at all.
    """
    result = ImportResult(kind=kind, dry_run=dry_run)
    progress = progress or no_progress
    reason = reason or import_reason(None)
    try:
        if kind in PROBED_KINDS:
            probe = _probe(kind, data, progress, reason, user)
            if probe is not None:
                return probe
        rows = CsvRows(kind, data)
    except CsvFileError as exc:
        result.errors.extend(exc.errors)
        return result
    importer = _IMPORTERS[kind](result, progress, reason, user)
    with suppress(TooManyErrors):  # the error past MAX_ERRORS: the rest is not checked
        importer.plan(rows)
    if not rows.complete:  # checking stopped early: the file's own faults come first
        for _row in rows:
            pass
    result.rows = rows.count
    if rows.errors:  # a row of the wrong width or broken quoting: said alone, as the file's
        result.errors = ErrorList(rows.errors, stop=False)
    del rows, data  # read: a 50 MB file is not held through the write (callers pass it in)
    if result.errors:
        result.new_lines, result.updated_lines, result.present_lines = [], [], []
        result.new_rows, result.updates = [], []
        result.new_sources, result.dated_sources, result.new_countries = [], [], []
        return result
    if not (result.new_lines or result.updated_lines):
        return result
    try:
        # A dry run writes too, and rolls back: only the database finds some errors.
        with rolled_back() if dry_run else transaction.atomic():
            importer.write()
            result.written = not dry_run
            if on_written is not None and not dry_run:
                on_written(result)
    except NegativeStrength as exc:
        result.written = False  # rolled back, at the commit too
        result.errors.append(importer.negative_strength_error(exc))
    except ImpossibleDate as exc:  # the rows were checked; a mission's dates changed since
        result.written = False  # rolled back, at the commit too
        result.errors.append(RowError(None, "date", exc.messages[0]))
    except IntegrityError as exc:  # a concurrent edit slipped in between check and write
        result.written = False  # rolled back, at the commit too
        result.errors.append(
            RowError(
                None,
                None,
                f"The database refused the file ({exc}); it may have been changed while "
                "importing. Nothing was written: import it again.",
            )
        )
    return result


# A file of many bad rows is refused from its first rows, without reading the rest: a
# 50 MB file of bad rows gets its report in about a second instead of after a full read.
PROBE_ROWS = 2000
PROBED_KINDS = ("pledges", "events", "funding")  # a mission row may name a successor further down


def _probe(kind, data, progress, reason, user) -> ImportResult | None:
    """The report of the first PROBE_ROWS rows if they hold more than MAX_ERRORS errors
    (each of them an error of the whole file: pledges and events are checked against the
    database and the rows above them only), else None: the whole file is read."""
    rows = CsvRows(kind, data, limit=PROBE_ROWS)
    count = sum(1 for _row in rows)  # 2,000 rows at most, read again by the plan
    if rows.errors:
        raise CsvFileError(rows.errors)
    if count < PROBE_ROWS:
        return None  # a small file: read it whole (it is)
    probe = ImportResult(kind=kind, dry_run=True, rows=count)
    with suppress(TooManyErrors):
        _IMPORTERS[kind](probe, progress, reason, user).plan(rows)
    if probe.errors.stopped_at is None:
        return None
    probe.new_lines, probe.present_lines = [], []
    return probe


def import_reason(file_name: str | None) -> str:
    """The audit history's reason for a row written by importing `file_name`."""
    return f"CSV import: {file_name}" if file_name else "CSV import"


def import_file(
    kind: str,
    path: str | Path,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    reason: str | None = None,
    user: AbstractBaseUser | None = None,
) -> ImportResult:
    """`import_csv` on a file on disk, refusing one over the size limit before reading it.
    The audit history's reason names the file unless `reason` is given."""
    path = Path(path)
    try:
        check_size(path.stat().st_size)
    except CsvFileError as exc:
        return ImportResult(kind=kind, dry_run=dry_run, errors=exc.errors)
    return import_csv(
        kind,
        path.read_bytes(),
        dry_run=dry_run,
        progress=progress,
        reason=reason or import_reason(path.name),
        user=user,
    )
