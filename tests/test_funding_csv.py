"""funding.csv: `import_csv funding` (all or nothing, line-numbered errors, corrections by
id), the exports (.csv and .json, formula-safe, `country`/`from`/`to`), the round trip and
the sample data."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.csv.spec import FUNDING_COLUMNS
from mss_tracker.tracker.models import FundingRecord, Mission
from mss_tracker.tracker.sample_data import SAMPLE_DATA_DIR, load_sample_data

pytestmark = pytest.mark.django_db

ROW = {
    "date": "2024-02-29",
    "date_precision": "day",
    "mission": "mss",
    "donor_iso3": "",
    "donor": "",
    "kind": "received",
    "measure": "total",
    "channel": "trust_fund",
    "amount_usd": "10800000",
    "disputed": "false",
    "source_publisher": "AllAfrica",
    "source_title": "",
    "source_url": "https://allafrica.com/stories/202403020081.html",
    "source_date": "2024-03-02",
    "notes": "",
}


def csv_bytes(*rows: dict, columns=FUNDING_COLUMNS) -> bytes:
    lines = [",".join(columns)]
    for row in rows:
        cells = []
        for column in columns:
            value = str(row.get(column, ""))
            if any(ch in value for ch in ',"\n\r'):
                value = '"' + value.replace('"', '""') + '"'
            cells.append(value)
        lines.append(",".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode()


def errors_of(*rows: dict) -> list[str]:
    result = import_csv("funding", csv_bytes(*rows))
    assert not FundingRecord.objects.exists(), "a refused file writes nothing"
    return [str(error) for error in result.errors]


def export(client, slug="mss", **params) -> bytes:
    response = client.get(f"/missions/{slug}/export/funding.csv", params)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_valid_file_is_imported_with_its_history(mission):
    rows = [
        ROW,
        ROW | {"donor_iso3": "CAN", "kind": "pledged", "measure": "contribution"},
        ROW | {"kind": "requirement", "measure": "per_year", "channel": "", "date": "2023-10-02"},
    ]
    result = import_csv("funding", csv_bytes(*rows), reason="CSV import: funding.csv")

    assert result.ok, result.summary()
    assert FundingRecord.objects.count() == 3
    record = FundingRecord.objects.get(donor="CAN")
    assert (record.kind, record.measure, record.amount_usd) == ("pledged", "contribution", 10800000)
    assert record.history.get().history_change_reason == "CSV import: funding.csv"
    assert import_csv("funding", csv_bytes(*rows)).present_lines == [2, 3, 4]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"amount_usd": "-5"}, "line 3, column amount_usd: -5 is out of range"),
        ({"amount_usd": "10.5"}, "line 3, column amount_usd: '10.5' is not a whole number"),
        ({"amount_usd": "1,000"}, "line 3, column amount_usd: '1,000' is not a whole number"),
        ({"amount_usd": ""}, "line 3, column amount_usd: is empty"),
        ({"kind": "gift"}, "line 3, column kind: 'gift' is not allowed"),
        ({"measure": "lump"}, "line 3, column measure: 'lump' is not allowed"),
        ({"measure": "per_year"}, "line 3, column measure: a received figure is measured"),
        (
            {"kind": "requirement", "measure": "total", "channel": ""},
            "line 3, column measure: a requirement figure is measured per_year",
        ),
        (
            {"kind": "requirement", "measure": "per_year"},
            "line 3, column channel: a requirement (the estimated cost a year) has no channel",
        ),
        ({"channel": ""}, "line 3, column channel: money received goes through a channel"),
        ({"kind": "pledged", "channel": ""}, "line 3, column channel: money pledged goes"),
        ({"channel": "cash"}, "line 3, column channel: 'cash' is not allowed"),
        ({"donor_iso3": "XYZ"}, "line 3, column donor_iso3: 'XYZ' is not an ISO 3166-1"),
        ({"mission": "nope"}, "line 3, column mission: no mission has the slug 'nope'"),
        ({"disputed": "maybe"}, "line 3, column disputed: 'maybe' is not allowed"),
        ({"source_publisher": ""}, "line 3, column source_publisher: is empty"),
        ({"date": "2024-02-30"}, "line 3, column date: "),  # the date rule's own message
    ],
)
def test_bad_rows_are_refused_whole_with_line_numbers(mission, changes, expected):
    messages = errors_of(ROW | {"donor_iso3": "CAN", "amount_usd": "1"}, ROW | changes)

    assert any(message.startswith(expected) for message in messages), messages


def test_dates_follow_the_pledges_rule(mission):
    mission.end_date = datetime.date(2025, 10, 2)
    mission.save()
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()

    messages = errors_of(
        ROW | {"date": "2023-10-02"},  # before the start: money is pledged early
        ROW | {"date": "2025-10-03"},
    )
    assert messages == [
        "line 3, column date: A funding record of MSS cannot be dated after the mission "
        "ended: MSS ran from 25 Jun 2024 (2024-06-25) to 2 Oct 2025 (2025-10-02), and this "
        "one is dated 3 Oct 2025."
    ]
    mission.end_date = None
    mission.save()
    assert "cannot be dated after today" in errors_of(ROW | {"date": tomorrow})[0]


def test_two_totals_for_one_mission_donor_kind_channel_and_date_are_refused(mission):
    messages = errors_of(ROW, ROW | {"amount_usd": "1", "source_publisher": "UN"})
    assert messages == [
        "line 3: line 2 already has a received total from all donors (trust_fund) on "
        "2024-02-29; a mission has one running total per donor, kind, channel and date: "
        "keep one of the two rows."
    ]
    # two contributions on one date are two records; so is a total of another channel
    other = [
        ROW | {"measure": "contribution", "donor_iso3": "CAN"},
        ROW | {"measure": "contribution", "donor_iso3": "CAN", "amount_usd": "5"},
        ROW | {"channel": "bilateral"},
        ROW,
    ]
    assert import_csv("funding", csv_bytes(*other)).ok


def test_a_second_total_against_a_recorded_one_looks_like_a_correction(mission):
    assert import_csv("funding", csv_bytes(ROW)).ok
    result = import_csv("funding", csv_bytes(ROW | {"amount_usd": "11000000"}))

    (message,) = [str(error) for error in result.errors]
    assert message.startswith(
        "line 2: this looks like a correction of the received total of US$10,800,000 "
        "(trust_fund) from all donors on 2024-02-29 (AllAfrica, id "
    )
    assert message.endswith(
        "put its id in the id column to change it; if it is a separate event, "
        "record it in the admin"
    )


def test_corrections_travel_by_id(mission, client):
    assert import_csv("funding", csv_bytes(ROW)).ok
    record = FundingRecord.objects.get()
    exported = export(client).decode()
    corrected = exported.replace(",10800000,", ",11000000,").encode()

    preview = import_csv("funding", corrected, dry_run=True)
    assert [(c.column, c.before, c.after) for c in preview.updates[0].changes] == [
        ("amount_usd", "10800000", "11000000")
    ]
    result = import_csv("funding", corrected, reason="CSV import: fix.csv")
    assert result.ok and result.updated_lines == [2]
    record.refresh_from_db()
    assert record.amount_usd == 11_000_000
    assert FundingRecord.objects.count() == 1
    assert record.history.first().history_change_reason == "CSV import: fix.csv"


def test_a_correction_may_not_move_a_total_onto_another(mission, client):
    other = ROW | {"date": "2024-03-11"}
    assert import_csv("funding", csv_bytes(ROW, other)).ok
    moved = export(client).decode().replace("2024-03-11,day", "2024-02-29,day")

    result = import_csv("funding", moved.encode())
    assert any("already stands for a received total" in str(e) for e in result.errors)


def test_the_export_is_formula_safe_and_filtered(mission, client):
    rows = [
        ROW | {"notes": "=HYPERLINK(1)"},
        ROW | {"donor_iso3": "CAN", "measure": "contribution", "date": "2024-03-01"},
        ROW | {"donor_iso3": "FRA", "measure": "contribution", "date": "2024-04-01"},
    ]
    assert import_csv("funding", csv_bytes(*rows)).ok

    whole = export(client).decode()
    assert ",'=HYPERLINK(1)," in whole
    assert whole.splitlines()[0] == ",".join(FUNDING_COLUMNS)
    assert export(client, country="can").decode().count("\r\n") == 2
    dated = export(client, **{"from": "2024-03-01", "to": "2024-03-31"}).decode()
    assert [line.split(",")[3] for line in dated.splitlines()[1:]] == ["CAN"]
    # the events' kind and type are checked like everywhere but do not narrow funding
    assert export(client, kind="arrival", type="police") == export(client)
    response = client.get("/missions/mss/export/funding.csv", {"country": "QQQ"})
    assert response.status_code == 400


def test_the_json_export_has_the_same_rows_typed(mission, client):
    assert import_csv("funding", csv_bytes(ROW | {"notes": "=x"})).ok
    document = json.loads(
        b"".join(client.get("/missions/mss/export/funding.json").streaming_content)
    )

    assert document["columns"] == FUNDING_COLUMNS
    (row,) = document["rows"]
    assert row["amount_usd"] == 10800000
    assert row["donor_iso3"] is None
    assert row["disputed"] is False
    assert row["notes"] == "=x"


def test_export_import_export_is_the_identity(client):
    load_sample_data()
    first = {slug: export(client, slug) for slug in ("mss", "gsf")}
    FundingRecord.objects.all().delete()
    for body in first.values():
        assert import_csv("funding", body).ok
    assert {slug: export(client, slug) for slug in ("mss", "gsf")} == first
    for body in first.values():  # and importing it again changes nothing
        result = import_csv("funding", body)
        assert result.ok and not result.new_lines and not result.updated_lines


def test_the_sample_data_loads_its_funding_once():
    load_sample_data()
    lines = (SAMPLE_DATA_DIR / "funding.csv").read_text().count("\n") - 1
    assert FundingRecord.objects.count() == lines == 29
    load_sample_data()
    assert FundingRecord.objects.count() == 29
    assert FundingRecord.objects.filter(mission__slug="gsf").count() == 3


def test_the_sample_upgrade_corrects_a_funding_record_by_its_natural_key():
    load_sample_data()
    record = FundingRecord.objects.get(mission__slug="mss", date="2024-09-23")
    FundingRecord.objects.filter(pk=record.pk).update(disputed=True, notes="older text")

    load_sample_data()
    record.refresh_from_db()
    assert not record.disputed and record.notes.startswith("SG message")
    assert record.history.first().history_change_reason == "Sample data update"
    assert FundingRecord.objects.count() == 29


def test_the_command_imports_funding_and_exits_non_zero_on_errors(mission, tmp_path):
    good = tmp_path / "funding.csv"
    good.write_bytes(csv_bytes(ROW))
    call_command("import_csv", "funding", str(good), stdout=io.StringIO())
    assert FundingRecord.objects.count() == 1

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(ROW | {"amount_usd": "-1", "date": "2024-01-01"}))
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_csv", "funding", str(bad), stdout=io.StringIO(), stderr=errors)
    assert "line 2, column amount_usd" in errors.getvalue()


def test_the_admin_upload_previews_funding(editor_client, mission):
    from django.urls import reverse

    page = editor_client.get(reverse("admin:tracker_fundingrecord_import_csv"))
    assert page.status_code == 200
    assert ",".join(FUNDING_COLUMNS) in page.content.decode()
    listing = editor_client.get(reverse("admin:tracker_fundingrecord_changelist"))
    assert "Import CSV" in listing.content.decode()
    assert Mission.objects.exists()
