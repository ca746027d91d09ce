"""Corrections travel by id (docs/csv.md, "Record ids"): export, change a figure, a note and a
date in a spreadsheet keeping the ids, import — exactly those records change, no new ones,
their history names the file; importing again changes nothing."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from mss_tracker.tracker.csv.importing import import_csv, import_reason
from mss_tracker.tracker.figures import mission_totals
from mss_tracker.tracker.models import DeploymentEvent, Mission, Pledge, Source
from mss_tracker.tracker.sample_data import load_sample_data

pytestmark = pytest.mark.django_db

EVENT_FIELDS = ("date", "date_precision", "kind", "personnel_type", "personnel", "disputed")
EVENT_FIELDS += ("notes", "mission__slug", "country_id", "source__publisher")
PLEDGE_FIELDS = tuple(f for f in EVENT_FIELDS if f != "kind")


def export(client, kind: str, slug: str = "mss") -> list[dict]:
    url = reverse(f"dashboards:export-{kind}", args=[slug])
    response = client.get(url)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text, newline="")))


def to_csv(rows: list[dict], columns: list[str] | None = None) -> bytes:
    columns = columns or list(rows[0])
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def snapshot(model, fields) -> dict:
    return {row["uuid"]: row for row in model.objects.values("uuid", *fields)}


@pytest.fixture
def sample(db):
    results = load_sample_data()
    assert all(result.ok for result in results)


def _find(rows, **cells) -> dict:
    (row,) = [row for row in rows if all(row[k] == v for k, v in cells.items())]
    return row


def test_a_corrected_export_changes_exactly_those_records_and_says_so(client, sample):
    events, pledges = export(client, "events"), export(client, "pledges")
    events_before = snapshot(DeploymentEvent, EVENT_FIELDS)
    pledges_before = snapshot(Pledge, PLEDGE_FIELDS)
    kenya = _find(events, date="2025-02-06", country_iso3="KEN", event="arrival")
    kenya["personnel"] = "145"  # a figure
    noted = events[0]
    noted["notes"] = "Checked against the UN briefing"  # a note
    moved = _find(events, date="2024-07-16", country_iso3="KEN", event="arrival")
    moved["date"] = "2024-07-17"  # a date
    pledge = _find(pledges, date="2023-07-29", country_iso3="KEN", personnel_type="police")
    pledge["personnel"] = "1001"
    mss = Mission.objects.get(slug="mss")
    deployed_before = mission_totals(mss, datetime.date(2025, 2, 10)).deployed

    preview = import_csv("events", to_csv(events), dry_run=True)
    assert preview.ok, preview.errors
    assert (len(preview.new_lines), len(preview.updated_lines)) == (0, 3)
    changes = {(c.column, c.before, c.after) for u in preview.updates for c in u.changes}
    assert changes == {
        ("personnel", "144", "145"),
        ("notes", events_before[_uuid(noted)]["notes"], "Checked against the UN briefing"),
        ("date", "2024-07-16", "2024-07-17"),
    }

    result = import_csv("events", to_csv(events), reason=import_reason("events.csv"))
    assert result.ok, result.errors
    assert import_csv("pledges", to_csv(pledges), reason=import_reason("pledges.csv")).ok

    events_after = snapshot(DeploymentEvent, EVENT_FIELDS)
    pledges_after = snapshot(Pledge, PLEDGE_FIELDS)
    assert events_after.keys() == events_before.keys()  # no new records
    assert pledges_after.keys() == pledges_before.keys()
    changed = {key for key in events_after if events_after[key] != events_before[key]}
    assert changed == {_uuid(kenya), _uuid(noted), _uuid(moved)}
    assert events_after[_uuid(kenya)]["personnel"] == 145
    assert events_after[_uuid(moved)]["date"] == datetime.date(2024, 7, 17)
    changed = {key for key in pledges_after if pledges_after[key] != pledges_before[key]}
    assert changed == {_uuid(pledge)}
    assert mission_totals(mss, datetime.date(2025, 2, 10)).deployed == deployed_before + 1
    for uuid in (_uuid(kenya), _uuid(noted), _uuid(moved)):
        latest = DeploymentEvent.objects.get(uuid=uuid).history.latest("history_date")
        assert (latest.history_type, latest.history_change_reason) == (
            "~",
            "CSV import: events.csv",
        )
    latest = Pledge.objects.get(uuid=_uuid(pledge)).history.latest("history_date")
    assert latest.history_change_reason == "CSV import: pledges.csv"

    history = DeploymentEvent.history.count() + Pledge.history.count()
    again = import_csv("events", to_csv(events), reason=import_reason("events.csv"))
    assert (again.new_lines, again.updated_lines) == ([], [])
    assert len(again.present_lines) == len(events)
    assert import_csv("pledges", to_csv(pledges)).updated_lines == []
    assert DeploymentEvent.history.count() + Pledge.history.count() == history
    assert snapshot(DeploymentEvent, EVENT_FIELDS) == events_after


def _uuid(row: dict):
    import uuid

    return uuid.UUID(row["id"])


def test_an_id_bearing_export_restores_an_empty_database_with_every_id(client, sample):
    missions = export_missions(client)
    files = {
        kind: {slug: export(client, kind, slug) for slug in ("mss", "gsf")}
        for kind in (
            "pledges",
            "events",
        )
    }
    events_before = snapshot(DeploymentEvent, EVENT_FIELDS)
    pledges_before = snapshot(Pledge, PLEDGE_FIELDS)
    DeploymentEvent.objects.all().delete()
    Pledge.objects.all().delete()
    Mission.objects.update(successor=None)
    Mission.objects.all().delete()
    Source.objects.all().delete()

    assert import_csv("missions", missions).ok
    for kind in ("pledges", "events"):
        rows = [row for slug in ("mss", "gsf") for row in files[kind][slug]]
        result = import_csv(kind, to_csv(rows))
        assert result.ok, result.errors

    assert snapshot(DeploymentEvent, EVENT_FIELDS) == events_before
    assert snapshot(Pledge, PLEDGE_FIELDS) == pledges_before


def export_missions(client) -> bytes:
    response = client.get(reverse("dashboards:export-missions"))
    return b"".join(response.streaming_content)


def test_a_file_without_the_id_column_still_imports(client, sample):
    rows = export(client, "events")
    columns = [column for column in rows[0] if column != "id"]
    DeploymentEvent.objects.all().delete()

    result = import_csv("events", to_csv(rows, columns))

    assert result.ok, result.errors
    assert DeploymentEvent.objects.count() == len(rows)
    assert import_csv("events", to_csv(rows, columns)).present_lines  # and again: present


def test_an_id_less_near_duplicate_is_refused_with_its_line_and_nothing_is_written(client, sample):
    rows = export(client, "events")
    kenya = _find(rows, date="2025-02-06", country_iso3="KEN", event="arrival")
    line = rows.index(kenya) + 2
    recorded = DeploymentEvent.objects.get(uuid=_uuid(kenya))
    kenya["personnel"], kenya["id"] = "145", ""
    before = snapshot(DeploymentEvent, EVENT_FIELDS)

    result = import_csv("events", to_csv(rows))

    assert [str(error) for error in result.errors] == [
        f"line {line}: this looks like a correction of the arrival of 144 KEN police on "
        f"2025-02-06 ({recorded.source.publisher}, id {recorded.uuid}); put its id in the id "
        "column to change it; if it is a separate event, record it in the admin"
    ]
    assert snapshot(DeploymentEvent, EVENT_FIELDS) == before


def test_an_unknown_id_creates_the_record_with_it(client, sample):
    rows = export(client, "events")
    row = _find(rows, date="2025-02-06", country_iso3="KEN", event="arrival")
    DeploymentEvent.objects.filter(uuid=_uuid(row)).delete()

    result = import_csv("events", to_csv(rows))

    assert result.ok and result.new_lines == [rows.index(row) + 2]
    assert DeploymentEvent.objects.get(uuid=_uuid(row)).personnel == 144


def test_a_repeated_or_malformed_id_is_an_error(client, sample):
    rows = export(client, "events")
    rows[1]["id"] = rows[0]["id"]
    rows[2]["id"] = "not-an-id"

    messages = [str(error) for error in import_csv("events", to_csv(rows)).errors]

    assert messages[0].startswith("line 4, column id: 'not-an-id' is not a record id")
    assert (
        messages[1] == "line 3, column id: line 2 has the same id; a record appears once per file."
    )


def test_a_pledge_without_a_number_superseding_a_figure_is_a_warning(client, sample):
    rows = export(client, "pledges")
    pledge = _find(rows, date="2023-07-29", country_iso3="KEN", personnel_type="police")
    later = dict(pledge, date="2023-08-10", personnel="", id="", notes="")

    result = import_csv("pledges", to_csv([*rows, later]), dry_run=True)

    assert result.ok
    assert [str(w) for w in result.warnings] == [
        f"line {len(rows) + 2}, column personnel: this makes Kenya's pledged police unknown, "
        "replacing 1,000 pledged on 29 Jul 2023"
    ]
