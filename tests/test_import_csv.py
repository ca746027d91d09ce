"""`manage.py import_csv` and `csv.importing.import_csv`: all or nothing, every error named."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.csv.spec import EVENT_COLUMNS, MISSION_COLUMNS, PLEDGE_COLUMNS
from mss_tracker.tracker.models import (
    Country,
    DeploymentEvent,
    Mission,
    Pledge,
    Source,
    TimelinePoint,
)
from mss_tracker.tracker.sample_data import load_sample_data

pytestmark = pytest.mark.django_db

EVENT = {
    "date": "2024-06-25",
    "date_precision": "day",
    "mission": "mss",
    "country_iso3": "KEN",
    "country": "Kenya",
    "event": "arrival",
    "personnel_type": "police",
    "personnel": "200",
    "disputed": "false",
    "source_publisher": "AP",
    "source_title": "Kenyans land",
    "source_url": "https://apnews.com/x",
    "source_date": "2024-06-25",
    "notes": "",
}
PLEDGE = {key: value for key, value in EVENT.items() if key != "event"} | {"personnel": "1000"}


def csv_bytes(columns: list[str], *rows: dict, encoding: str = "utf-8") -> bytes:
    lines = [",".join(columns)]
    for row in rows:
        cells = []
        for column in columns:
            value = str(row.get(column, ""))
            if any(ch in value for ch in ',"\n\r'):
                value = '"' + value.replace('"', '""') + '"'
            cells.append(value)
        lines.append(",".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def events_file(*rows: dict) -> bytes:
    return csv_bytes(EVENT_COLUMNS, *[EVENT | row for row in rows])


def pledges_file(*rows: dict) -> bytes:
    return csv_bytes(PLEDGE_COLUMNS, *[PLEDGE | row for row in rows])


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


def assert_nothing_written() -> None:
    assert not DeploymentEvent.objects.exists()
    assert not Pledge.objects.exists()
    assert not TimelinePoint.objects.exists()


# --- a valid file ---------------------------------------------------------------------


def test_it_imports_events_and_builds_their_timelines(mission):
    result = import_csv(
        "events",
        events_file(
            {},
            {"date": "2024-07-16", "personnel": "200", "source_publisher": "AFP"},
            {"date": "2024-08-01", "event": "departure", "personnel": "50"},
        ),
    )
    assert result.ok, messages(result)
    assert result.created == 3
    assert DeploymentEvent.objects.count() == 3
    point = TimelinePoint.objects.get(personnel_type="police", date="2024-08-01")
    assert point.deployed == 350
    assert Source.objects.count() == 2  # AP reused by two rows, AFP created once


def test_reimporting_the_same_file_changes_nothing(mission):
    data = events_file({}, {"date": "2024-07-16", "event": "strength_report", "personnel": "400"})
    import_csv("events", data)
    again = import_csv("events", data)
    assert again.ok
    assert again.created == 0
    assert again.present_lines == [2, 3]
    assert DeploymentEvent.objects.count() == 2
    assert Source.objects.count() == 1


def test_it_creates_countries_on_first_use_and_codes_decide(mission):
    result = import_csv(
        "pledges", pledges_file({"country_iso3": "ben", "country": "Bénin (sic)", "personnel": ""})
    )
    assert result.ok, messages(result)
    pledge = Pledge.objects.get()
    assert pledge.country == Country.objects.get(iso3="BEN")
    assert pledge.country.name == "Benin"
    assert pledge.personnel is None  # no number announced


def test_it_accepts_utf8_with_a_byte_order_mark(mission):
    result = import_csv("events", b"\xef\xbb\xbf" + events_file({"notes": "Bénédict"}))
    assert result.ok, messages(result)
    assert DeploymentEvent.objects.get().notes == "Bénédict"


def test_it_strips_exactly_the_formula_guard(mission):
    result = import_csv(
        "events",
        events_file(
            {"notes": "'=SUM(A1)"},
            {"date": "2024-07-01", "notes": "'Tis a note"},
            {"date": "2024-07-02", "notes": "''=x"},
        ),
    )
    assert result.ok, messages(result)
    notes = list(DeploymentEvent.objects.order_by("date").values_list("notes", flat=True))
    assert notes == ["=SUM(A1)", "'Tis a note", "'=x"]


def test_it_accepts_month_and_year_precision_dates(mission):
    result = import_csv(
        "pledges",
        pledges_file(
            {"date": "2023-09-01", "date_precision": "month"},
            {"date": "2023-01-01", "date_precision": "year", "personnel_type": "military"},
        ),
    )
    assert result.ok, messages(result)
    pledges = Pledge.objects.order_by("date")
    assert [(p.date, p.date_precision, p.date_display) for p in pledges] == [
        (datetime.date(2023, 1, 1), "year", "2023"),
        (datetime.date(2023, 9, 1), "month", "Sep 2023"),
    ]


def test_a_dry_run_writes_nothing_but_reports_what_it_would_do(mission):
    result = import_csv("events", events_file({}), dry_run=True)
    assert result.ok
    assert result.new_lines == [2]
    assert "1 would be created" in result.summary()
    assert_nothing_written()
    assert not Source.objects.exists()


def test_load_sample_data_is_idempotent(db):
    first = load_sample_data()
    assert [r.created for r in first] == [2, 17, 42, 29]  # missions, pledges, events, funding
    second = load_sample_data()
    assert [r.created for r in second] == [0, 0, 0, 0]
    assert Mission.objects.get(slug="mss").successor.slug == "gsf"


# --- errors in rows -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"country_iso3": "XKX"}, "line 2, column country_iso3: 'XKX' is not an ISO 3166-1"),
        ({"mission": "unknown"}, "line 2, column mission: no mission has the slug 'unknown'"),
        ({"event": "landing"}, "line 2, column event: 'landing' is not allowed; expected one of"),
        ({"personnel_type": "navy"}, "line 2, column personnel_type: 'navy' is not allowed"),
        ({"date_precision": "week"}, "line 2, column date_precision: 'week' is not allowed"),
        (
            {"date": "2024-02-30"},
            "line 2, column date: “2024-02-30” is written YYYY-MM-DD but is not a real "
            "calendar date",
        ),
        (
            {"date": "25/06/2024"},
            "line 2, column date: “25/06/2024” is not a date written YYYY-MM-DD",
        ),
        ({"personnel": "2.5"}, "line 2, column personnel: '2.5' is not a whole number"),
        ({"personnel": "0"}, "line 2, column personnel: 0 is out of range"),
        ({"personnel": "-3"}, "line 2, column personnel: -3 is out of range"),
        ({"personnel": "99999999999"}, "line 2, column personnel: 99999999999 is out of range"),
        ({"disputed": "yes"}, "line 2, column disputed: 'yes' is not allowed; expected true or"),
        ({"source_publisher": ""}, "line 2, column source_publisher: is empty"),
        ({"source_url": "not a url"}, "line 2, column source_url: 'not a url' is not a web"),
        (
            {"date": "2024-06-25", "date_precision": "month"},
            "line 2, column date: 2024-06-25 has month precision, so it must be the 1st",
        ),
        (
            {"date": "2024-06-01", "date_precision": "year"},
            "line 2, column date: 2024-06-01 has year precision, so it must be 1 January",
        ),
    ],
)
def test_it_rejects_a_bad_value_naming_line_and_column(mission, row, expected):
    result = import_csv("events", events_file(row))
    assert any(message.startswith(expected) for message in messages(result)), messages(result)
    assert_nothing_written()


def test_a_strength_report_may_be_zero(mission):
    result = import_csv("events", events_file({"event": "strength_report", "personnel": "0"}))
    assert result.ok, messages(result)


def test_it_reports_every_error_and_writes_none_of_the_good_rows(mission):
    result = import_csv(
        "events",
        events_file({}, {"country_iso3": "ZZZ"}, {"date": "2024-07-01"}, {"personnel": "x"}),
    )
    assert [(e.line, e.column) for e in result.errors] == [
        (3, "country_iso3"),
        (5, "personnel"),
    ]
    assert_nothing_written()
    assert not Source.objects.exists()


def test_it_refuses_a_timeline_driven_negative_naming_line_date_and_shortfall(mission):
    result = import_csv(
        "events",
        events_file({}, {"date": "2024-07-01", "event": "departure", "personnel": "250"}),
    )
    (error,) = result.errors
    assert error.line == 3
    assert error.column == "personnel"
    assert "would fall to -50" in error.message
    assert "2024-07-01" in error.message
    assert "shortfall of 50" in error.message
    assert_nothing_written()


def test_it_rejects_a_row_repeated_inside_the_file(mission):
    result = import_csv("events", events_file({}, {}))
    assert messages(result) == [
        "line 3: repeats line 2 (same date, mission, country, event, personnel_type, "
        "personnel and source): keep one of the two rows."
    ]
    assert_nothing_written()


def test_it_rejects_two_strength_reports_on_one_date(mission):
    report = {"event": "strength_report", "personnel": "400"}
    result = import_csv("events", events_file(report, report | {"personnel": "390"}))
    assert "line 3, column date: line 2 already has a strength report" in messages(result)[0]


def test_it_rejects_a_strength_report_where_one_is_recorded(mission):
    import_csv("events", events_file({"event": "strength_report", "personnel": "400"}))
    result = import_csv(
        "events",
        events_file({"event": "strength_report", "personnel": "390", "source_publisher": "X"}),
    )
    assert (
        "a strength report of 400 for KEN police on 2024-06-25 (AP) is already"
        in (messages(result)[0])
    )


def test_it_rejects_a_different_pledge_on_a_recorded_date(mission):
    import_csv("pledges", pledges_file({}))
    result = import_csv("pledges", pledges_file({"personnel": "900"}))
    (message,) = messages(result)
    pledge = Pledge.objects.get()
    assert message == (
        "line 2: this looks like a correction of the pledge of 1,000 KEN police on "
        f"2024-06-25 (AP, id {pledge.uuid}); put its id in the id column to change it; "
        "if it is a separate event, record it in the admin"
    )
    assert pledge.personnel == 1000


def test_it_rejects_an_event_recorded_with_other_notes(mission):
    import_csv("events", events_file({}))
    result = import_csv("events", events_file({"notes": "changed"}))
    assert "line 2: this looks like a correction of the arrival of" in messages(result)[0]


def test_it_rejects_a_source_date_that_contradicts_the_recorded_one(mission):
    import_csv("events", events_file({}))
    result = import_csv("events", events_file({"date": "2024-07-01", "source_date": "2024-07-02"}))
    assert (
        "column source_date: 2024-07-02 differs from the recorded date 2024-06-25"
        in (messages(result)[0])
    )


# --- errors in the file as a whole ----------------------------------------------------------


def test_it_rejects_an_empty_file(mission):
    assert messages(import_csv("events", b"")) == ["The file is empty: expected a header row."]
    assert messages(import_csv("events", b"\r\n  \n")) == [
        "The file is empty: expected a header row."
    ]


def test_it_names_missing_and_unknown_columns(mission):
    header = [c for c in EVENT_COLUMNS if c not in ("notes", "disputed")] + ["comment"]
    result = import_csv("events", csv_bytes(header, EVENT))
    text = "\n".join(messages(result))
    assert "line 1, column comment: unknown column" in text
    assert "line 1: missing columns disputed, notes" in text
    assert_nothing_written()


def test_it_says_when_the_file_is_of_another_kind(mission):
    result = import_csv("events", pledges_file({}))
    assert any("this header is the one of pledges.csv" in m for m in messages(result))


@pytest.mark.parametrize(("encoding", "named"), [("cp1252", "Windows-1252"), ("utf-16", "UTF-16")])
def test_it_names_an_encoding_that_is_not_utf8(mission, encoding, named):
    data = events_file({"notes": "Bénédict Kabiru, déclaré disparu à Port-au-Prince"})
    result = import_csv("events", data.decode().encode(encoding))
    (message,) = messages(result)
    assert "the file is not UTF-8; it looks like" in message
    assert named in message
    assert_nothing_written()


def test_it_refuses_a_file_over_the_size_limit_saying_the_limit(mission, settings):
    settings.CSV_IMPORT_MAX_BYTES = 1024
    result = import_csv("events", events_file(*[{"date": f"2024-07-{d:02}"} for d in range(1, 29)]))
    (message,) = messages(result)
    assert "over the limit of 0.0 MB (1,024 bytes, setting CSV_IMPORT_MAX_BYTES)" in message


def test_it_rejects_a_row_with_the_wrong_number_of_values(mission):
    data = events_file({}) + b"2024-07-01,day,mss\r\n"
    assert messages(import_csv("events", data)) == [
        "line 3: 3 values, expected 15 (one per column of the header); check for an unquoted "
        "comma or a missing quote."
    ]


def test_it_counts_lines_across_quoted_line_breaks(mission):
    data = events_file({"notes": "one\ntwo\nthree"}, {"date": "2024-07-01", "country_iso3": "Q"})
    assert [e.line for e in import_csv("events", data).errors] == [5]


def test_it_rejects_broken_quoting(mission):
    data = events_file({}) + b'2024-07-01,day,mss,KEN,"Ken"ya,arrival\r\n'
    (message,) = messages(import_csv("events", data))
    assert message.startswith("line 3: not valid CSV")


# --- missions -----------------------------------------------------------------------------

MISSION = {
    "slug": "mss",
    "acronym": "MSS",
    "name": "Multinational Security Support",
    "host_country_iso3": "HTI",
    "lead_country_iso3": "KEN",
    "authorized_by": "UNSC resolution 2699",
    "authorized_on": "2023-10-02",
    "start_date": "2024-06-25",
    "end_date": "2025-10-02",
    "authorized_ceiling": "",
    "successor_slug": "gsf",
}
GSF = MISSION | {
    "slug": "gsf",
    "acronym": "GSF",
    "name": "Gang Suppression Force",
    "lead_country_iso3": "",
    "start_date": "2025-10-03",
    "end_date": "",
    "authorized_ceiling": "5550",
    "successor_slug": "",
}


def test_a_mission_may_name_a_successor_defined_later_in_the_file(db):
    result = import_csv("missions", csv_bytes(MISSION_COLUMNS, MISSION, GSF))
    assert result.ok, messages(result)
    mss = Mission.objects.get(slug="mss")
    assert mss.successor.slug == "gsf"
    assert mss.source is None
    assert Mission.objects.get(slug="gsf").authorized_ceiling == 5550


def test_it_rejects_an_unknown_successor_and_an_end_before_the_start(db):
    row = MISSION | {"successor_slug": "nope", "end_date": "2024-01-01"}
    text = messages(import_csv("missions", csv_bytes(MISSION_COLUMNS, row)))
    assert "line 2, column end_date: 2024-01-01 is before start_date 2024-06-25." in text
    assert not Mission.objects.exists()


def test_a_recorded_mission_with_other_values_is_updated_by_its_slug(db):
    import_csv("missions", csv_bytes(MISSION_COLUMNS, MISSION, GSF))
    data = csv_bytes(MISSION_COLUMNS, GSF | {"authorized_ceiling": "1"})

    preview = import_csv("missions", data, dry_run=True)
    assert preview.ok and preview.updated_lines == [2]
    (update,) = preview.updates
    assert [(c.column, c.before, c.after) for c in update.changes] == [
        ("authorized_ceiling", "5550", "1")
    ]

    result = import_csv("missions", data, reason="CSV import: missions.csv")
    assert result.ok and result.updated == 1
    gsf = Mission.objects.get(slug="gsf")
    assert gsf.authorized_ceiling == 1
    assert gsf.history.latest("history_date").history_change_reason == "CSV import: missions.csv"


# --- the command ----------------------------------------------------------------------------


def test_the_command_imports_and_says_how_many(mission, tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(events_file({}))
    out = io.StringIO()
    call_command("import_csv", "events", str(path), stdout=out)
    assert "events: 1 rows, 1 created, 0 already present." in out.getvalue()
    assert DeploymentEvent.objects.get().date == datetime.date(2024, 6, 25)


def test_the_command_exits_non_zero_listing_every_error(mission, tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(events_file({"country_iso3": "ZZZ"}, {"personnel": "many"}))
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 errors in 2 rows; nothing was written"):
        call_command("import_csv", "events", str(path), stderr=err)
    assert "line 2, column country_iso3" in err.getvalue()
    assert "line 3, column personnel" in err.getvalue()
    assert_nothing_written()


def test_the_command_dry_run_writes_nothing(mission, tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(events_file({}))
    out = io.StringIO()
    call_command("import_csv", "events", str(path), "--dry-run", stdout=out)
    assert "1 would be created" in out.getvalue()
    assert_nothing_written()


def test_the_command_names_a_missing_file(db):
    with pytest.raises(CommandError, match=r"Cannot read /no/such\.csv"):
        call_command("import_csv", "events", "/no/such.csv")


def test_load_sample_data_command_says_nothing_was_created_the_second_time(db):
    call_command("load_sample_data", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_sample_data", stdout=out)
    assert "Sample data already loaded: nothing created." in out.getvalue()


def test_the_command_shows_a_progress_bar_on_a_large_file(mission, tmp_path, capsys):
    rows = [  # within the mission's life (it starts on 25 Jun 2024), one row per (date, figure)
        {
            "date": (datetime.date(2024, 6, 25) + datetime.timedelta(days=n % 800)).isoformat(),
            "personnel": str(1 + n // 800),
        }
        for n in range(6000)
    ]
    path = tmp_path / "events.csv"
    path.write_bytes(events_file(*[{"event": "arrival"} | row for row in rows]))

    call_command("import_csv", "events", str(path), stdout=io.StringIO())

    progress = capsys.readouterr().err
    assert "checking events" in progress and "/6000" in progress
    assert DeploymentEvent.objects.count() == 6000


def test_the_command_shows_no_progress_bar_on_a_small_file(mission, tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_bytes(events_file({"event": "arrival", "personnel": "1"}))

    call_command("import_csv", "events", str(path), stdout=io.StringIO())

    assert "checking events" not in capsys.readouterr().err


# --- how the rows are written -----------------------------------------------------------


def test_each_imported_row_gets_its_own_history_when_its_keys_are_not_consecutive(
    mission, monkeypatch
):
    """On PostgreSQL the keys are drawn before the COPY; another writer drawing keys at
    the same moment leaves gaps, and the history must still copy exactly these rows."""
    from django.db import connection

    from mss_tracker.tracker.csv.importing import copy_from

    if connection.vendor != "postgresql":
        pytest.skip("the keys are drawn from a sequence on PostgreSQL only")
    draw = copy_from.reserve_keys
    other_writers = []

    def with_a_gap(model, count):
        """The second key goes to another writer's event, written before the COPY."""
        keys = draw(model, count + 1)
        other_writers.append(
            DeploymentEvent.objects.create(
                pk=keys[1],
                mission=mission,
                country=Country.objects.get_or_create_from_iso3("JAM"),
                personnel_type="police",
                date=datetime.date(2024, 7, 1),
                kind="arrival",
                personnel=5,
                source=Source.objects.create(publisher="x", title="y", url="https://x.org"),
            )
        )
        return keys[:1] + keys[2:]

    monkeypatch.setattr(copy_from, "reserve_keys", with_a_gap)
    result = import_csv(
        "events",
        events_file({}, {"date": "2024-07-16"}, {"date": "2024-08-01"}),
        reason="CSV import: gaps.csv",
    )
    assert result.ok, messages(result)
    (unrelated,) = other_writers
    imported = DeploymentEvent.objects.exclude(pk=unrelated.pk).order_by("date")
    ids = [event.pk for event in imported]
    assert ids[0] < unrelated.pk < ids[1]
    history = DeploymentEvent.history.filter(history_change_reason="CSV import: gaps.csv")
    assert sorted(history.values_list("id", flat=True)) == ids
    assert [(h.uuid, h.date) for h in history.order_by("date")] == [
        (event.uuid, event.date) for event in imported
    ]


def test_a_deleted_mission_takes_its_timeline_points_with_it(mission):
    """The points' mission and country are not foreign keys in the database (derived
    rows): Django's delete must still remove them."""
    import_csv("events", events_file({}, {"date": "2024-07-16"}))
    assert TimelinePoint.objects.filter(mission=mission).count() == 4  # police and all, 2 days
    DeploymentEvent.objects.all().delete()
    assert not TimelinePoint.objects.exists()
    import_csv("events", events_file({}))
    mission.delete()
    assert not TimelinePoint.objects.exists()
