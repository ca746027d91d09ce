"""The import reads a file row by row and keeps only what it will write: what the
editor sees is the same as when it held every row, and its memory follows the records,
not the file."""

import tracemalloc

import pytest
from django.db import transaction

from mss_tracker.bench.import_benchmark import START, create_bench_mission, events_file
from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.history import CREATED, record_history
from mss_tracker.tracker.models import DeploymentEvent
from tests.test_import_csv import EVENT, messages
from tests.test_import_csv import events_file as file_of

pytestmark = pytest.mark.django_db


def arrivals(count: int, start_day: int = 1) -> list[dict]:
    return [
        {"date": f"2024-07-{start_day + i // 10:02d}", "personnel": str(1 + i), "notes": f"n{i}"}
        for i in range(count)
    ]


def test_the_preview_shows_new_rows_that_come_after_rows_already_recorded(mission):
    recorded = arrivals(60)
    assert import_csv("events", file_of(*recorded)).written
    late = [
        {"date": "2024-07-20", "personnel": "5", "notes": "late one"},
        {"date": "2024-07-21", "personnel": "6", "notes": "late two"},
    ]

    result = import_csv("events", file_of(*recorded, *late), dry_run=True)

    assert len(result.present_lines) == 60
    assert result.new_lines == [62, 63]
    assert [(line, cells["notes"], cells["date"]) for line, cells in result.new_rows] == [
        (62, "late one", "2024-07-20"),
        (63, "late two", "2024-07-21"),
    ]
    assert result.new_rows[0][1] == {**EVENT, **late[0], "id": ""}


def test_a_broken_row_after_many_wrong_ones_is_reported_alone(mission):
    """A row of the wrong width is the file's fault and is said alone, as when the whole
    file was read before any row was checked, even past the hundred errors listed."""
    wrong = [{"country_iso3": "XXX"} | row for row in arrivals(150)]
    data = file_of(*wrong) + b"2024-07-30,day,mss\r\n"

    result = import_csv("events", data)

    assert messages(result) == [
        "line 152: 3 values, expected 15 (one per column of the header); check for an "
        "unquoted comma or a missing quote."
    ]
    assert not DeploymentEvent.objects.exists()


def test_every_row_is_counted_when_checking_stops_early(mission):
    wrong = [{"country_iso3": "XXX"} | row for row in arrivals(130)]

    result = import_csv("events", file_of(*wrong))

    assert result.rows == 130
    assert len(result.errors) == 100
    assert result.errors.stopped_at == 102


def _bulk_events(mission, kenya, source, count: int) -> list[int]:
    events = DeploymentEvent.objects.bulk_create(
        DeploymentEvent(
            mission=mission,
            country=kenya,
            personnel_type="police",
            date=START.replace(year=2024, month=7, day=1 + i),
            kind="arrival",
            personnel=1 + i,
            source=source,
        )
        for i in range(count)
    )
    return [event.pk for event in events]


@pytest.mark.parametrize("chosen", [[0, 1, 2], [0, 2, 4], [3]])
def test_the_history_of_a_bulk_write_holds_exactly_the_rows_named(chosen, mission, kenya, source):
    """Consecutive keys are read as one range, others one by one: either way only the
    rows named get a history row."""
    ids = _bulk_events(mission, kenya, source, 5)
    named = [ids[i] for i in chosen]

    record_history(DeploymentEvent, named, CREATED, reason="test")

    history = DeploymentEvent.history.model.objects.filter(history_change_reason="test")
    assert sorted(history.values_list("id", flat=True)) == sorted(named)


def test_the_import_keeps_a_few_bytes_per_row_not_the_file(db):
    """Memory traced during a dry run of 20,000 rows (3 MB): the import held about 24
    times the file's size when it kept every row's cells and a dict per record, and
    about 7 times since it reads row by row into slotted records."""
    data = events_file(20_000)
    with transaction.atomic():
        create_bench_mission()
        tracemalloc.start()
        try:
            result = import_csv("events", data, dry_run=True)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        transaction.set_rollback(True)

    assert len(result.new_lines) == 20_000
    assert peak < 12 * len(data), f"{peak / len(data):.1f} times the file's size"


def test_every_imported_row_without_an_id_gets_its_own_and_its_history(mission):
    """The id of a row without one is given as it is written (gen_random_uuid() in the
    INSERT on PostgreSQL, uuid4() elsewhere); the history holds each row once."""
    given = "0b8e5f0c-3c2a-4f7e-9a51-6c1d2e3f4a5b"
    rows = [*arrivals(4), {"date": "2024-07-09", "personnel": "9", "id": given}]

    assert import_csv("events", file_of(*rows)).written

    events = DeploymentEvent.objects.all()
    uuids = {str(event.uuid) for event in events}
    assert len(events) == 5 and len(uuids) == 5 and given in uuids
    history = DeploymentEvent.history.model.objects.filter(history_type="+")
    assert sorted(history.values_list("id", "uuid")) == sorted(events.values_list("id", "uuid"))
