"""Bring a database that holds an older bundled sample up to the current one.

The bundled files carry no record ids, so a record is recognised by its natural key — a
pledge by (mission, country, type, date), an event by (mission, country, type, date,
kind, personnel, source), a funding record's running total by (mission, donor, kind,
channel, date) and a contribution by those and its amount and source — and a recognised
record whose other values differ (a pledge now disputed, a note rewritten) is corrected
in place, through the model (its rules and its audit history, reason "Sample data
update"). The ordinary import then adds the rows
that are new; nothing is duplicated.
"""

from __future__ import annotations

import datetime

from mss_tracker.tracker.csv.importing.file_rows import read_rows
from mss_tracker.tracker.csv.spec.cells import strip_formula_guard
from mss_tracker.tracker.models import (
    DeploymentEvent,
    FundingMeasure,
    FundingRecord,
    Pledge,
    Source,
)

REASON = "Sample data update"


def _source(cells: dict[str, str]) -> Source:
    published = cells["source_date"].strip()
    source, _ = Source.objects.get_or_create(
        publisher=_text(cells["source_publisher"]),
        title=_text(cells["source_title"]),
        url=cells["source_url"].strip(),
        defaults={"published_on": datetime.date.fromisoformat(published) if published else None},
    )
    return source


def _text(value: str) -> str:
    return strip_formula_guard(value)  # as the import stores it


def _common(cells: dict[str, str]) -> dict:
    return {
        "mission__slug": cells["mission"].strip().lower(),
        "country_id": cells["country_iso3"].strip().upper(),
        "personnel_type": cells["personnel_type"].strip(),
        "date": datetime.date.fromisoformat(cells["date"].strip()),
    }


def _correct(record, values: dict) -> bool:
    changed = {name: value for name, value in values.items() if getattr(record, name) != value}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(record, name, value)
    record._change_reason = REASON
    record.save()
    return True


def apply_sample_corrections(directory) -> int:
    """Correct the recorded pledges and events that the bundled files now give otherwise;
    the number corrected. Run inside the transaction of the sample import."""
    corrected = 0
    for _line, cells in read_rows("pledges", (directory / "pledges.csv").read_bytes()):
        pledge = Pledge.objects.filter(**_common(cells)).first()
        if pledge is None:
            continue
        personnel = cells["personnel"].strip()
        values = {
            "personnel": int(personnel) if personnel else None,
            "date_precision": cells["date_precision"].strip(),
            "disputed": cells["disputed"].strip().lower() == "true",
            "notes": _text(cells["notes"]),
        }
        source = _source(cells)
        corrected += _correct(pledge, {**values, "source_id": source.pk})
    for _line, cells in read_rows("events", (directory / "events.csv").read_bytes()):
        event = DeploymentEvent.objects.filter(
            **_common(cells),
            kind=cells["event"].strip(),
            personnel=int(cells["personnel"].strip()),
            source__publisher=_text(cells["source_publisher"]),
            source__title=_text(cells["source_title"]),
            source__url=cells["source_url"].strip(),
        ).first()
        if event is None:
            continue
        values = {
            "date_precision": cells["date_precision"].strip(),
            "disputed": cells["disputed"].strip().lower() == "true",
            "notes": _text(cells["notes"]),
        }
        corrected += _correct(event, values)
    funding = directory / "funding.csv"
    for _line, cells in read_rows("funding", funding.read_bytes()) if funding.exists() else ():
        corrected += _correct_funding(cells)
    return corrected


def _correct_funding(cells: dict[str, str]) -> bool:
    donor = cells["donor_iso3"].strip().upper() or None
    key = {
        "mission__slug": cells["mission"].strip().lower(),
        "donor_id": donor,
        "kind": cells["kind"].strip(),
        "channel": cells["channel"].strip(),
        "date": datetime.date.fromisoformat(cells["date"].strip()),
    }
    amount = int(cells["amount_usd"].strip())
    source = _source(cells)
    values = {
        "date_precision": cells["date_precision"].strip(),
        "disputed": cells["disputed"].strip().lower() == "true",
        "notes": _text(cells["notes"]),
    }
    if cells["measure"].strip() == FundingMeasure.CONTRIBUTION:
        key |= {"measure": FundingMeasure.CONTRIBUTION, "amount_usd": amount, "source": source}
    else:
        key["measure__in"] = [FundingMeasure.TOTAL, FundingMeasure.PER_YEAR]
        values |= {"amount_usd": amount, "source_id": source.pk}
    record = FundingRecord.objects.filter(**key).first()
    return record is not None and _correct(record, values)
