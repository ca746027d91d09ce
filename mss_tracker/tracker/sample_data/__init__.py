"""The bundled MSS/GSF sample data (missions.csv, pledges.csv, events.csv; NOTES.md says
where each figure comes from) and its loading through the ordinary CSV import."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from mss_tracker.tracker.csv.importing import import_file
from mss_tracker.tracker.csv.importing.errors import ImportResult, Progress
from mss_tracker.tracker.csv.spec import KINDS

SAMPLE_DATA_DIR = Path(__file__).resolve().parent


def load_sample_data(progress: Progress | None = None) -> list[ImportResult]:
    """Import the bundled MSS/GSF sample files (missions, pledges, events) in one
    transaction; idempotent: a second run creates nothing. A database holding an older
    bundled version is brought up to this one: changed records corrected in place
    (`upgrade`), new ones added, nothing duplicated."""
    from mss_tracker.tracker.sample_data.upgrade import apply_sample_corrections

    results = []
    with transaction.atomic():
        corrected = apply_sample_corrections(SAMPLE_DATA_DIR)
        for kind in KINDS:
            result = import_file(kind, SAMPLE_DATA_DIR / f"{kind}.csv", progress=progress)
            result.corrected = corrected if kind == "events" else 0
            results.append(result)
            if result.errors:
                transaction.set_rollback(True)
                break
    return results
