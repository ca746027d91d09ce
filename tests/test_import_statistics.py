"""What a large import leaves besides its rows: the countries it names, created in one
statement as one by one, and fresh planner statistics of the columns queries use
(lib/table_statistics.py; docs/performance.md, "The CSV import, beside PostgreSQL's COPY")."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mss_tracker.tracker.csv.importing import events as event_import
from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.models import Country
from tests.test_import_csv import events_file, messages

pytestmark = pytest.mark.django_db


def test_countries_created_at_once_are_those_created_one_by_one(kenya):
    kenya.name = "Kenya (as an editor named it)"
    kenya.save()

    Country.objects.create_from_iso3(["ben", "JAM", "KEN"])

    created = {c.iso3: (c.iso2, c.name) for c in Country.objects.filter(iso3__in=["BEN", "JAM"])}
    Country.objects.filter(iso3__in=["BEN", "JAM"]).delete()
    one_by_one = {
        code: (c.iso2, c.name)
        for code in ("BEN", "JAM")
        for c in [Country.objects.get_or_create_from_iso3(code)]
    }
    assert created == one_by_one == {"BEN": ("BJ", "Benin"), "JAM": ("JM", "Jamaica")}
    assert Country.objects.get(iso3="KEN").name == "Kenya (as an editor named it)"


def test_an_unknown_code_creates_no_country(db):
    with pytest.raises(ValidationError):
        Country.objects.create_from_iso3(["BEN", "XXX"])
    assert not Country.objects.filter(iso3="BEN").exists()


def test_an_import_creates_every_country_it_names(mission):
    codes = ["BEN", "JAM", "TCD", "BGD"]
    result = import_csv("events", events_file(*({"country_iso3": code} for code in codes)))
    assert result.ok, messages(result)
    assert set(Country.objects.values_list("iso3", flat=True)) >= set(codes)


def _analysed(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT attname FROM pg_stats WHERE tablename = %s", [table])
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_stats is PostgreSQL's")
def test_a_large_import_analyses_the_columns_queries_use(mission, monkeypatch):
    monkeypatch.setattr(event_import, "BULK_ROWS", 2)  # a "large" import of three rows
    rows = [{"date": f"2024-07-0{day}", "notes": f"note {day}"} for day in (1, 2, 3)]
    assert import_csv("events", events_file(*rows)).ok

    events = _analysed("tracker_deploymentevent")
    assert set(event_import.EVENT_STATISTICS) <= events
    assert not events & {"notes", "uuid", "updated_at"}
    history = _analysed("tracker_historicaldeploymentevent")
    assert set(event_import.HISTORY_STATISTICS) <= history
    assert "notes" not in history
    assert {"deployed", "date"} <= _analysed("tracker_timelinepoint")
