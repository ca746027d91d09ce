"""`manage.py bench` at a tiny size: its measurements run and its table prints.

The benchmark's figures belong in docs/performance.md, never in a test: this only checks
the code that takes them still works.
"""

import io

import pytest
from django.db import connection

from mss_tracker.bench import benchmark, report
from mss_tracker.bench.synthetic import generate

pytestmark = pytest.mark.django_db


def test_it_measures_the_pages_and_the_export_and_prints_the_table():
    generate(missions=1, countries=2, events=120, seed=1)
    pages = benchmark.measure_pages(repeat=1)
    export = benchmark.measure_export()
    assert export["rows"] == 120
    export_json = benchmark.measure_export_json()
    assert export_json["rows"] == 120 and export_json["peak_rss_mb"] > 0
    assert pages["dashboard"]["queries"] > 1
    assert pages["events"] == 120

    runs = []
    for events in (1000, 1_000_000):
        run = report.Run("sqlite", events, pages=pages, export=export, export_json=export_json)
        run.throughput = {"trivial_rps": 100.0, "dashboard_rps": 80.0, "ratio": 0.8}
        runs.append(run)
    table = report.render_table(runs)
    assert table.count("\n| sqlite |") == 2
    assert report.render_json_table(runs).count("\n| sqlite |") == 2
    goals = report.render_goals(runs)
    assert "dashboard: 1,000,000 ÷ 1,000 events = 1.00× — goal ≤ 2×: met" in goals
    assert "0.80× the requests/s of /healthz — goal ≥ 0.5: met" in goals


def test_the_import_benchmark_prints_its_figures_and_leaves_the_database_as_it_was(db):
    from django.core.management import call_command

    from mss_tracker.tracker.models import DeploymentEvent, Mission, Source

    out = io.StringIO()
    call_command("bench", "--import-only", "--import-rows", "300", stdout=out, stderr=io.StringIO())

    text = out.getvalue()
    assert "Import of 300 events" in text
    assert "| `import_csv events` |" in text
    if connection.vendor == "postgresql":
        assert "| `COPY … FROM` the same file |" in text
        assert "Import / COPY:" in text
    assert not DeploymentEvent.objects.exists()
    assert not Mission.objects.exists() and not Source.objects.exists()


def test_it_times_the_hostile_csv_files_without_writing_anything():
    from mss_tracker.bench.hostile_csv import time_hostile_files

    header, rows = time_hostile_files(columns=2_000, megabytes=1)
    assert header.errors == rows.errors == 100
    assert rows.megabytes >= 0.99 and header.seconds >= 0
    assert "goal < 10 s" in rows.render()
