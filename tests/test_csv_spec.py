"""Both CSV writers are generated from one spec (tracker/csv/spec/columns.py): the columns, their
cells and the row order of the SQL writer (PostgreSQL's and SQLite's) are the spec's, and a
change to the spec changes both writers alike."""

import dataclasses
import datetime

import pytest
from django.db.models.expressions import Col

from mss_tracker.tracker.csv.spec import EVENTS, EXPORTS, FUNDING, Export
from mss_tracker.tracker.csv.writing.csv_database import export_chunks
from mss_tracker.tracker.csv.writing.csv_python import csv_chunks, export_text, rows
from mss_tracker.tracker.csv.writing.csv_sql import line_query
from mss_tracker.tracker.models import DeploymentEvent, FundingRecord, Mission, Pledge

pytestmark = pytest.mark.django_db

MODELS = {
    "events": DeploymentEvent,
    "pledges": Pledge,
    "missions": Mission,
    "funding": FundingRecord,
}


def fields_read(expression) -> list[str]:
    """The model fields (attnames) a compiled cell reads."""
    return [node.target.attname for node in expression.flatten() if isinstance(node, Col)]


@pytest.mark.parametrize("kind", EXPORTS)
def test_the_sql_writer_takes_its_columns_and_order_from_the_spec(kind):
    export = EXPORTS[kind]
    query = line_query(export, MODELS[kind].objects.all()).query
    assert tuple(query.order_by) == export.order
    cells = query.annotations["csv_line"].source_expressions
    assert len(cells) == len(export.columns)
    for cell, column in zip(cells, export.columns, strict=True):
        assert set(fields_read(cell)) == {column.field.split("__")[-1]}, column.name


@pytest.mark.parametrize("kind", EXPORTS)
def test_the_python_writer_takes_its_header_from_the_spec(kind):
    assert export_text(kind, MODELS[kind].objects.none()) == ",".join(EXPORTS[kind].names) + "\r\n"


def both_writers(export: Export, queryset) -> tuple[str, str]:
    python = "".join(csv_chunks(export.names, rows(export, queryset)))
    chunks = export_chunks(export, queryset)  # text on PostgreSQL, UTF-8 bytes on SQLite
    sql = "".join(chunk if isinstance(chunk, str) else chunk.decode() for chunk in chunks)
    return sql, python


@pytest.fixture
def records(mission, source, kenya):
    Pledge.objects.create(
        mission=mission,
        country=kenya,
        personnel_type="police",
        date=datetime.date(2023, 8, 1),
        date_precision="month",
        personnel=None,
        notes='=cmd, "quoted"\nnext',
        source=source,
    )
    DeploymentEvent.objects.create(
        mission=mission,
        country=kenya,
        kind="arrival",
        personnel_type="police",
        date=datetime.date(2024, 6, 25),
        personnel=200,
        disputed=True,
        notes="-3, then",
        source=source,
    )
    FundingRecord.objects.create(
        mission=mission,
        donor=kenya,
        date=datetime.date(2024, 7, 1),
        kind="pledged",
        measure="contribution",
        channel="bilateral",
        amount_usd=1_500_000,
        disputed=True,
        notes='@once, "in kind"',
        source=source,
    )


@pytest.mark.parametrize("kind", EXPORTS)
def test_both_writers_write_the_same_bytes_for_every_export(records, kind):
    sql, python = both_writers(EXPORTS[kind], MODELS[kind].objects.all())
    assert sql == python
    assert sql.count("\r\n") == 2


def test_a_record_without_its_related_record_has_blank_cells(records, mission, source):
    """A funding record of all donors has no donor: its donor cells are blank (on SQLite
    the run of the donor's cells is looked up, and missing, csv_sqlite._RunCells)."""
    FundingRecord.objects.create(
        mission=mission,
        donor=None,
        date=datetime.date(2024, 7, 2),
        kind="pledged",
        measure="contribution",
        channel="bilateral",
        amount_usd=2_000,
        notes="all donors",
        source=source,
    )
    sql, python = both_writers(FUNDING, FundingRecord.objects.all())
    assert sql == python
    assert ",2024-07-02,day,mss,,," in "," + sql.split("\r\n")[2]


def test_a_changed_spec_changes_both_writers_alike(records):
    reordered = dataclasses.replace(EVENTS, columns=EVENTS.columns[::-1], order=("-date", "pk"))
    sql, python = both_writers(reordered, DeploymentEvent.objects.all())
    assert sql == python
    assert sql.split("\r\n")[0] == ",".join(EVENTS.names[::-1])
