"""Hostile CSV files get a bounded, line-numbered report: a NUL byte, a header of a million
columns, a file of bad rows, and text longer than any field holds. How fast that report
comes is measured by `manage.py bench --hostile-csv`, not asserted here."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from mss_tracker.tracker.csv.importing import PROBE_ROWS, import_csv
from mss_tracker.tracker.csv.importing.errors import MAX_ERRORS
from mss_tracker.tracker.csv.spec import EVENT_COLUMNS
from mss_tracker.tracker.models import DeploymentEvent, Pledge
from mss_tracker.tracker.text import TEXT_MAX_LENGTH
from tests.test_admin import ADD_EVENT, errors_of, event_form
from tests.test_admin_csv import IMPORT_EVENTS, job_page, upload
from tests.test_import_csv import events_file

pytestmark = pytest.mark.django_db


def bad_rows(count: int) -> bytes:
    """`count` rows, each with one error (a month 13)."""
    return events_file(*[{"date": "2024-13-01"}] * count)


# NUL bytes ------------------------------------------------------------------------------------


def nul_file() -> bytes:
    return events_file({}, {"notes": "before\x00after"}, {})


def test_a_nul_byte_is_an_error_of_its_line(mission):
    result = import_csv("events", nul_file())

    assert [str(error) for error in result.errors] == [
        "line 3: contains a NUL character (a zero byte), which no text value may hold; this "
        "looks like a binary file or a damaged export, not CSV text. Save it again as CSV UTF-8."
    ]
    assert not DeploymentEvent.objects.exists()


def test_the_admin_preview_shows_the_nul_byte_error(editor_client, mission):
    response = job_page(editor_client, upload(editor_client, IMPORT_EVENTS, nul_file()))

    assert response.status_code == 200
    assert "<td>3</td><td>—</td><td>contains a NUL character" in response.content.decode()


def test_import_csv_reports_the_nul_byte_without_a_traceback(mission, tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_bytes(nul_file())

    with pytest.raises(CommandError, match="1 error"):
        call_command("import_csv", "events", str(path))

    assert "line 3: contains a NUL character" in capsys.readouterr().err


# Bounded reports ------------------------------------------------------------------------------


def test_a_header_of_a_million_columns_lists_100_errors_and_counts_the_rest(mission):
    data = ("x," * 1_000_000).encode() + b"\r\n" + events_file({}).split(b"\r\n", 1)[1]

    result = import_csv("events", data)

    assert len(result.errors) == MAX_ERRORS
    assert all(error.line == 1 for error in result.errors)  # no row was read
    # Each x after the first appears twice and is unknown; then the missing columns.
    total = 1 + 999_999 * 2 + 1 + 1  # and the blank last column, also unknown
    assert result.errors.more == f"…and {total - MAX_ERRORS:,} more."


def test_a_file_of_bad_rows_lists_100_and_says_where_checking_stopped(mission):
    result = import_csv("events", bad_rows(500))

    assert len(result.errors) == MAX_ERRORS
    assert [error.line for error in result.errors] == list(range(2, 2 + MAX_ERRORS))
    assert result.errors.more == (
        f"More errors were found: checking stopped at line 102, after {MAX_ERRORS}. "
        "Correct these and import the file again."
    )
    assert result.summary() == (
        "events: more than 100 errors (checking stopped at line 102); nothing was written."
    )


def test_the_admin_preview_and_the_command_say_there_are_more(editor_client, mission, tmp_path):
    uploaded = upload(editor_client, IMPORT_EVENTS, bad_rows(150))
    page = job_page(editor_client, uploaded).content.decode()

    assert "More than 100 errors: nothing will be written" in page
    assert page.count("<tr><td>") == MAX_ERRORS
    assert "checking stopped at line 102" in page

    path = tmp_path / "events.csv"
    path.write_bytes(bad_rows(150))
    with pytest.raises(CommandError, match="more than 100 errors"):
        call_command("import_csv", "events", str(path))


def test_a_large_file_of_bad_rows_is_reported_from_its_first_rows(mission, settings):
    row = events_file({"date": "2024-13-01", "notes": "x" * 80}).split(b"\r\n", 1)[1]
    header = ",".join(EVENT_COLUMNS).encode() + b"\r\n"
    data = header + row * (10 * 1024 * 1024 // len(row))  # 10 MB

    result = import_csv("events", data)

    # Checking stopped at the 101st bad row: the rest of the file is never checked (how
    # long that takes is measured in docs/csv.md, not asserted here).
    assert len(result.errors) == MAX_ERRORS and result.errors.stopped_at == 102


def test_a_large_file_whose_first_rows_are_good_is_read_whole(mission):
    """The first rows decide only when they already hold too many errors."""
    good = [{"date": f"2024-07-{day:02}", "personnel": "1"} for day in range(1, 29)]
    rows = (good * (PROBE_ROWS // len(good) + 1))[: PROBE_ROWS + 10]
    rows = [dict(row, source_title=f"report {n}") for n, row in enumerate(rows)]

    result = import_csv("events", events_file(*rows, {"personnel": "lots"}), dry_run=True)

    assert [(error.line, error.column) for error in result.errors] == [
        (PROBE_ROWS + 12, "personnel")
    ]


# Long text: one limit, kept by the admin, the import and the database ------------------------

LIMIT = TEXT_MAX_LENGTH


@pytest.mark.parametrize("length", [LIMIT + 1, 140_000])
def test_the_admin_refuses_notes_over_the_limit(editor_client, mission, kenya, source, length):
    form = event_form(mission, kenya, source, "2024-06-25", "arrival", 10, notes="n" * length)

    response = editor_client.post(ADD_EVENT, form)

    assert response.status_code == 200
    assert f"Ensure this value has at most {LIMIT:,}".replace(",", "") in errors_of(
        response
    ).replace(",", "")
    assert not DeploymentEvent.objects.exists()


def test_the_admin_takes_notes_up_to_the_limit(editor_client, mission, kenya, source):
    form = event_form(mission, kenya, source, "2024-06-25", "arrival", 10, notes="n" * LIMIT)

    assert editor_client.post(ADD_EVENT, form).status_code == 302


@pytest.mark.parametrize("length", [LIMIT + 1, 140_000])
def test_the_import_refuses_notes_over_the_limit_by_line_and_column(mission, length):
    result = import_csv("events", events_file({}, {"notes": "n" * length}))

    assert [str(error) for error in result.errors] == [
        f"line 3, column notes: is {length} characters long; at most {LIMIT} fit."
    ]


def test_the_database_refuses_notes_over_the_limit(mission, kenya, source):
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(
            mission=mission,
            country=kenya,
            personnel_type="police",
            date=datetime.date(2024, 1, 1),
            personnel=1,
            source=source,
            notes="n" * (LIMIT + 1),
        )


def test_an_export_with_the_longest_notes_imports_back_unchanged(client, mission, kenya, source):
    """A note of the limit's length, formula-guarded and full of quotes, reads back."""
    note = "=" + '"quoted", ' * ((LIMIT - 1) // 10)
    DeploymentEvent.objects.create(
        mission=mission,
        country=kenya,
        kind="arrival",
        personnel_type="police",
        date=datetime.date(2024, 6, 25),
        personnel=10,
        source=source,
        notes=note[:LIMIT],
    )
    exported = b"".join(client.get("/missions/mss/export/events.csv").streaming_content)

    result = import_csv("events", exported)

    assert result.ok, [str(error) for error in result.errors]
    assert result.new_lines == [] and result.present_lines == [2]


# Dates: the range of every date field -----------------------------------------------------------


@pytest.mark.parametrize("day", ["1899-12-31", "2101-01-01"])
def test_the_admin_refuses_a_date_outside_the_range(editor_client, mission, kenya, source, day):
    form = event_form(mission, kenya, source, day, "arrival", 10)

    response = editor_client.post(ADD_EVENT, form)

    assert response.status_code == 200
    assert "dates run from 1900-01-01 to 2100-12-31" in errors_of(response)


@pytest.mark.parametrize("day", ["1899-12-31", "2101-01-01", "9999-12-31"])
def test_the_import_refuses_a_date_outside_the_range(mission, day):
    result = import_csv("events", events_file({"source_date": day}))

    assert [str(error) for error in result.errors] == [
        f"line 2, column source_date: {day} is out of range: dates run from 1900-01-01 to "
        "2100-12-31."
    ]


@pytest.mark.parametrize("value", ["١٢", "1" * 5000, "99999999999999999999"])
def test_a_number_is_ascii_digits_of_a_sensible_length(mission, value):
    result = import_csv("events", events_file({"personnel": value}))

    assert [(error.line, error.column) for error in result.errors] == [(2, "personnel")]


# Encodings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "notes", ["Côte d’Ivoire: café – naïve", "Déploiement prévu à Port-au-Prince, “renforts”"]
)
def test_a_windows_1252_file_is_reported_as_windows_1252(mission, notes):
    """charset-normalizer alone named such short files CP1257 or CP1250."""
    data = events_file({"notes": notes}).decode().encode("cp1252")

    result = import_csv("events", data)

    assert "it looks like Windows-1252 (Western European)" in str(result.errors[0])
