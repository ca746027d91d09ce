"""The events CSV written by the database (tracker/csv/writing/csv_sql.py: PostgreSQL's
COPY in csv_postgres.py, SQLite's cursor in csv_sqlite.py) is byte for byte the Python
writer's, and all take their columns and order from one spec (tracker/csv/spec/columns.py)."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mss_tracker.tracker.bulk_writes import rules_kept_by_caller
from mss_tracker.tracker.csv.spec import EVENT_COLUMNS, Cell, Column
from mss_tracker.tracker.csv.spec.cells import (
    ENCODERS,
    FORMULA_TRIGGERS,
    GUARD,
    LEADING_BLANKS,
)
from mss_tracker.tracker.csv.writing import csv_postgres, csv_sqlite
from mss_tracker.tracker.csv.writing.csv_database import events_csv_chunks
from mss_tracker.tracker.csv.writing.csv_python import csv_chunks, event_rows, header_line
from mss_tracker.tracker.csv.writing.csv_sql import cell_expression
from mss_tracker.tracker.models import Country, DeploymentEvent, Mission, Source

pytestmark = pytest.mark.django_db

AWKWARD = ["", "=1+1", "+44", "-3", "@SUM(A1)", "\tx", "\rx", "\nx", "'=x", "''-x", "'Tis"]
AWKWARD += ['say "hi", then', "a\nb", "a\r\nb", "Bénédict, Port-au-Prince", "日本", " spaced "]
AWKWARD += ["x\r", '"', ",", "'", "\\N", "\\.", "a\\b"]
AWKWARD += [" =1", "\t =1", "＝1", "－1", "|cmd", "\u3000＠x", "\u00a0+1", "' =x", "\x0b=1"]
text = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20),
)

# Text made of the characters the guard and the quoting look at, anywhere in the cell.
edgy = st.text(
    st.sampled_from([GUARD, *LEADING_BLANKS, *FORMULA_TRIGGERS, ",", '"', "\\", "a", "é"]),
    max_size=5,
)


def python_csv() -> str:
    return "".join(csv_chunks(EVENT_COLUMNS, event_rows(DeploymentEvent.objects.all())))


def joined(chunks) -> str:
    """The chunks as one text: PostgreSQL's writer gives text, SQLite's its UTF-8 bytes."""
    return "".join(chunk if isinstance(chunk, str) else chunk.decode() for chunk in chunks)


def sql_csv() -> str:
    return joined(events_csv_chunks(DeploymentEvent.objects.all()))


def test_the_database_writes_the_lines_itself():
    """Neither database falls back on the Python writer (csv_database.export_chunks)."""
    writer = {"postgresql": csv_postgres.csv_lines, "sqlite": csv_sqlite.csv_lines}
    chunks = events_csv_chunks(DeploymentEvent.objects.none())
    assert chunks.gi_code is writer[connection.vendor].__code__
    assert joined(chunks) == python_csv()  # the header alone


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    notes=st.lists(text, min_size=1, max_size=6),
    publisher=text.filter(lambda value: value.strip() != ""),
    title=text,
    published=st.none() | st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 1, 1)),
)
@pytest.mark.leaves_timelines_stale  # rows for the encoders, not timelines: none is rebuilt
def test_the_database_writes_the_same_bytes_as_python(mission, notes, publisher, title, published):
    DeploymentEvent.objects.all()._raw_delete(connection.alias)
    Source.objects.all().delete()
    source = Source.objects.create(
        publisher=publisher, title=title, url="https://x.org/a,b", published_on=published
    )
    Country.objects.filter(pk="KEN").update(name=notes[0] or "Kenya")
    Mission.objects.filter(pk=mission.pk).update(slug="-mss")
    with rules_kept_by_caller():  # any figures and dates: only their text is compared
        DeploymentEvent.objects.bulk_create(
            DeploymentEvent(
                mission=mission,
                country_id="KEN",
                kind=kind,
                personnel_type="police",
                date=datetime.date(2024, 6, 1 + index),
                date_precision="month" if index == 0 else "day",
                disputed=index % 2 == 0,
                personnel=index + 1,
                notes=note,
                source=source,
            )
            for index, (note, kind) in enumerate(
                zip(notes, ["arrival", "strength_report", "departure"] * 2, strict=False)
            )
        )
    # Two lines a chunk on PostgreSQL: chunks with and without escapes, and row ends at a
    # chunk's end.
    with mock.patch.object(csv_postgres, "LINES_PER_CHUNK", 2):
        assert sql_csv() == python_csv()


def test_the_export_view_uses_it_and_filters_still_apply(client, mission, source, kenya):
    for day in (1, 2):
        DeploymentEvent.objects.create(
            mission=mission,
            country=kenya,
            kind="arrival",
            personnel_type="police",
            date=datetime.date(2024, 7, day),  # the mission started on 25 Jun
            personnel=10,
            source=source,
        )
    response = client.get("/missions/mss/export/events.csv", {"to": "2024-07-01"})
    body = b"".join(response.streaming_content).decode()
    expected = joined(
        events_csv_chunks(DeploymentEvent.objects.filter(date=datetime.date(2024, 7, 1)))
    )
    assert body == expected
    assert body.count("\r\n") == 2
    for_spreadsheets = client.get(
        "/missions/mss/export/events.csv", {"to": "2024-07-01", "bom": "1"}
    )
    assert b"".join(for_spreadsheets.streaming_content) == b"\xef\xbb\xbf" + body.encode()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's reader of the lines")
def test_sqlite_streams_a_batch_of_lines_at_a_time(monkeypatch, mission, source, kenya):
    """Memory stays flat: each chunk is one fetch of LINES_PER_CHUNK lines, as bytes."""
    monkeypatch.setattr(csv_sqlite, "LINES_PER_CHUNK", 2)
    for day in (1, 2, 3, 4, 5):
        DeploymentEvent.objects.create(
            mission=mission,
            country=kenya,
            kind="arrival",
            personnel_type="police",
            date=datetime.date(2024, 7, day),
            personnel=10,
            source=source,
        )
    chunks = list(events_csv_chunks(DeploymentEvent.objects.all()))
    assert [chunk.count(b"\r\n") for chunk in chunks] == [1, 2, 2, 1]
    assert joined(chunks) == python_csv()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's reader of the lines")
def test_sqlite_writes_related_cells_once_per_related_record(
    django_assert_num_queries, mission, source, kenya
):
    """The country's and the source's cells come from one table expression each, in the
    one query of the export (csv_sqlite: a related record's cells, once)."""
    DeploymentEvent.objects.create(
        mission=mission,
        country=kenya,
        kind="arrival",
        personnel_type="police",
        date=datetime.date(2024, 7, 1),
        personnel=10,
        source=source,
    )
    with django_assert_num_queries(1) as queries:
        text = joined(events_csv_chunks(DeploymentEvent.objects.all()))
    (query,) = queries.captured_queries
    assert query["sql"].count("AS MATERIALIZED") == 2
    assert text == python_csv()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(st.one_of(edgy, text), min_size=1, max_size=20))
def test_a_text_cell_in_sql_is_the_python_writers_cell(mission, texts):
    """The SQL text cell (csv_sql._TextCell, with PostgreSQL's shortcut for text that needs
    neither the guard nor quotes) gives what the Python writer gives, on any text."""
    names = [f"cell_{index}" for index in range(len(texts))]
    values = {f"value_{index}": Value(value) for index, value in enumerate(texts)}
    cells = {
        name: cell_expression(Column(name, f"value_{index}", Cell.TEXT))
        for index, name in enumerate(names)
    }
    query = Mission.objects.filter(pk=mission.pk).annotate(**values).annotate(**cells)
    sql = query.values_list(*names).get()
    # With a second cell: csv.writer quotes a row of one empty cell ("") to tell it apart.
    python = [header_line([ENCODERS[Cell.TEXT](value), "x"])[:-4] for value in texts]
    assert list(sql) == python
