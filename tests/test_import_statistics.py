"""What a large import leaves besides its rows: the countries it names, created in one
statement as one by one, and fresh planner statistics of the columns queries use, from a
smaller sample where autovacuum's full ANALYZE follows the commit (lib/table_statistics.py;
docs/performance.md, "The CSV import, beside PostgreSQL's COPY")."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mss_tracker.lib import table_statistics
from mss_tracker.lib.table_statistics import QUICK_STATISTICS_TARGET, followed_by_autovacuum
from mss_tracker.tracker.csv.importing import events as event_import
from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.models import Country
from tests.test_import_csv import events_file, messages

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's")


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


@postgres_only
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


def _date_bounds() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_length(histogram_bounds, 1) FROM pg_stats "
            "WHERE tablename = 'tracker_deploymentevent' AND attname = 'date'"
        )
        return cursor.fetchone()[0]


def _days(count: int) -> list[dict]:
    start = datetime.date(2024, 6, 25)
    return [{"date": str(start + datetime.timedelta(days=i))} for i in range(count)]


@postgres_only
def test_tables_autovacuum_analyses_after_the_commit_get_a_quick_analysis(mission, monkeypatch):
    """Sixty new rows in an empty table: more than autovacuum's threshold (50 and a tenth),
    so it samples them again after the commit; the import's own sample is the smaller."""
    monkeypatch.setattr(event_import, "BULK_ROWS", 2)
    monkeypatch.setattr(table_statistics, "autovacuum_settings", lambda: (True, 50, 0.1))
    asked = []
    monkeypatch.setattr(
        table_statistics,
        "followed_by_autovacuum",
        lambda tables: asked.append(followed_by_autovacuum(tables)) or asked[-1],
    )
    assert import_csv("events", events_file(*_days(60))).ok

    assert "tracker_deploymentevent" in asked[0]
    assert _date_bounds() == QUICK_STATISTICS_TARGET + 1  # 60 dates, in 30 buckets


@postgres_only
def test_a_table_with_autovacuum_settings_of_its_own_gets_the_full_analysis(mission, monkeypatch):
    monkeypatch.setattr(event_import, "BULK_ROWS", 2)
    monkeypatch.setattr(table_statistics, "autovacuum_settings", lambda: (True, 50, 0.1))
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE tracker_deploymentevent SET (autovacuum_analyze_scale_factor = 0.5)"
        )
    assert import_csv("events", events_file(*_days(60))).ok

    assert followed_by_autovacuum(["tracker_deploymentevent"]) == set()
    assert _date_bounds() == 60  # every date its own bound


@postgres_only
def test_a_dry_run_analyses_nothing(mission, monkeypatch):
    """Its statistics would be rolled back; the row count ANALYZE writes would not."""
    monkeypatch.setattr(event_import, "BULK_ROWS", 2)
    assert import_csv("events", events_file(*_days(60)), dry_run=True).ok
    assert not _analysed("tracker_deploymentevent")


@postgres_only
def test_without_autovacuum_every_table_gets_the_full_analysis(mission, monkeypatch):
    monkeypatch.setattr(event_import, "BULK_ROWS", 2)
    monkeypatch.setattr(table_statistics, "autovacuum_settings", lambda: (False, 50, 0.1))
    assert import_csv("events", events_file(*_days(60))).ok
    assert _date_bounds() == 60
