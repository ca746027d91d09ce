"""The JSON rows written by the database (tracker/csv/writing/json_postgres.py and
json_sqlite.py) are those of the Python writer (json_python.py), from the same spec:
the same document on both databases, and on SQLite the same bytes."""

import datetime
import json

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mss_tracker.tracker.bulk_writes import rules_kept_by_caller
from mss_tracker.tracker.csv.spec import EVENTS, EXPORTS
from mss_tracker.tracker.csv.writing.json_postgres import export_json_chunks
from mss_tracker.tracker.csv.writing.json_python import json_chunks, json_rows
from mss_tracker.tracker.models import (
    Country,
    DeploymentEvent,
    FundingRecord,
    Mission,
    Pledge,
    Source,
)

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2024, 8, 1)
FILTERS = {"type": None, "country": "KEN"}
MODELS = {
    "events": DeploymentEvent,
    "pledges": Pledge,
    "missions": Mission,
    "funding": FundingRecord,
}
text = st.one_of(
    st.sampled_from(["", "=1+1", "'x", 'say "hi", then', "a\\b", "a\r\nb", "\x01\x1f", "日本"]),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20),
)


def _text(chunks) -> str:
    """A streamed document as text: its chunks are text or UTF-8 bytes."""
    return "".join(chunk.decode() if isinstance(chunk, bytes) else chunk for chunk in chunks)


def both(export, queryset) -> tuple[str, str]:
    """The database's document and the Python writer's, of the same records."""
    database = _text(export_json_chunks(export, queryset, AS_OF, FILTERS))
    python = "".join(json_chunks(export.names, json_rows(export, queryset), AS_OF, FILTERS))
    return database, python


def assert_same(database: str, python: str) -> None:
    assert json.loads(database) == json.loads(python)
    if connection.vendor == "sqlite":  # PostgreSQL's json_build_object spaces its colons
        assert database == python


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(notes=st.lists(text, min_size=1, max_size=4), title=text, country=text)
@pytest.mark.leaves_timelines_stale  # rows for the encoders, not timelines: none is rebuilt
def test_the_database_writes_the_python_writers_rows(mission, notes, title, country):
    DeploymentEvent.objects.all()._raw_delete(connection.alias)
    Source.objects.all().delete()
    source = Source.objects.create(publisher="P", title=title, url="https://x.org/a")
    Country.objects.filter(pk="KEN").update(name=country or "Kenya")
    with rules_kept_by_caller():  # any figures and dates: only their text is compared
        DeploymentEvent.objects.bulk_create(
            DeploymentEvent(
                mission=mission,
                country_id="KEN",
                kind="arrival",
                personnel_type="police",
                date=datetime.date(2024, 6, 1 + index),
                disputed=index % 2 == 0,
                personnel=index + 1,
                notes=note,
                source=source,
            )
            for index, note in enumerate(notes)
        )
    assert_same(*both(EVENTS, DeploymentEvent.objects.all()))


@pytest.mark.parametrize("kind", EXPORTS)
def test_every_export(sample_missions, kind):
    assert_same(*both(EXPORTS[kind], MODELS[kind].objects.all()))


def test_no_records(db):
    assert_same(*both(EVENTS, DeploymentEvent.objects.none()))
