"""Measure the CSV import and export on large files (numbers quoted in docs/csv.md).

    createdb -h 127.0.0.1 -U postgres mss_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mss_bench \
        uv run python -m mss_tracker.bench.csv_bench [--import-rows 100000] [--export-rows 1000000]

It empties the tracker tables of that database. Import: writes an events file of
`--import-rows` arrivals spread over 50 countries, 3 types and many dates, and times
`import_csv events` on it (the same code as the command and the admin). Export: fills the
events table with `--export-rows` rows in SQL, then streams /missions/bench/export/events.csv
through Django and reports the peak Python memory (tracemalloc) and the time to the last byte.
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mss_tracker.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from mss_tracker.tracker.csv.importing import import_csv  # noqa: E402
from mss_tracker.tracker.csv.spec import EVENT_COLUMNS, MISSION_COLUMNS  # noqa: E402
from mss_tracker.tracker.models import (  # noqa: E402
    Country,
    DeploymentEvent,
    Mission,
    Pledge,
    Source,
    TimelinePoint,
)

# fmt: off
CODES = [
    "KEN", "JAM", "BHS", "BLZ", "GTM", "SLV", "BEN", "BGD", "TCD", "BRB", "ATG", "HTI", "USA",
    "CAN", "FRA", "DEU", "ITA", "ESP", "PRT", "BRA", "ARG", "CHL", "PER", "COL", "MEX", "URY",
    "PRY", "BOL", "ECU", "VEN", "NGA", "GHA", "SEN", "RWA", "UGA", "TZA", "ETH", "ZAF", "EGY",
    "MAR", "IND", "PAK", "NPL", "LKA", "IDN", "PHL", "VNM", "THA", "MYS", "AUS",
]
# fmt: on
TYPES = ["police", "military", "civilian"]


def empty_tables() -> None:
    TimelinePoint.objects.all().delete()
    DeploymentEvent.objects.all()._raw_delete(DeploymentEvent.objects.db)
    Pledge.objects.all().delete()
    Mission.objects.update(successor=None)
    Mission.objects.all().delete()
    Source.objects.all().delete()


def create_mission() -> None:
    row = ["bench", "BENCH", "Benchmark mission", "HTI", "KEN", "bench", "2020-01-01"]
    row += ["2020-01-01", "", "", "", "", "", "", "", ""]
    result = import_csv("missions", (",".join(MISSION_COLUMNS) + "\n" + ",".join(row)).encode())
    assert result.ok, result.errors
    for code in CODES:
        Country.objects.get_or_create_from_iso3(code)


def events_file(rows: int) -> bytes:
    lines = [",".join(EVENT_COLUMNS)]
    start = datetime.date(2020, 1, 1)
    per_day = len(CODES) * len(TYPES)
    for i in range(rows):
        day = start + datetime.timedelta(days=i // per_day)
        country = CODES[i % len(CODES)]
        personnel_type = TYPES[(i // len(CODES)) % len(TYPES)]
        publisher = f"Wire {i % 20}"
        lines.append(
            f"{day.isoformat()},day,bench,{country},,arrival,{personnel_type},{1 + i % 7},false,"
            f'{publisher},,,,"row {i}, with a comma"'
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def bench_import(rows: int) -> None:
    data = events_file(rows)
    path = Path(tempfile.gettempdir()) / f"bench-events-{rows}.csv"
    path.write_bytes(data)
    started = time.perf_counter()
    call_command("import_csv", "events", str(path))
    elapsed = time.perf_counter() - started
    print(f"import: {rows:,} events ({len(data) / 1e6:.1f} MB) in {elapsed:.1f} s")
    started = time.perf_counter()
    result = import_csv("events", data)
    print(
        f"re-import of the same file: {result.created} created, "
        f"{len(result.present_lines):,} present, {time.perf_counter() - started:.1f} s"
    )


def fill_events_in_sql(rows: int) -> None:
    mission = Mission.objects.get(slug="bench")
    source = Source.objects.get_or_create(publisher="Bench wire")[0]
    codes = "ARRAY[" + ",".join(f"'{code}'" for code in CODES) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO tracker_deploymentevent
                (mission_id, country_id, personnel_type, date, date_precision, disputed,
                 notes, source_id, kind, personnel)
            SELECT %s, ({codes})[1 + g %% {len(CODES)}],
                (ARRAY['police','military','civilian'])[1 + (g / {len(CODES)}) %% 3],
                DATE '2020-01-01' + (g / 150), 'day', false,
                'note ' || g || ', with "quotes" and =formula', %s, 'arrival', 1 + g
            FROM generate_series(0, %s - 1) AS g
            """,
            [mission.pk, source.pk, rows],
        )


def bench_export(rows: int) -> None:
    client = Client()
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get("/missions/bench/export/events.csv", {"as_of": "2099-12-31"}, secure=True)
    first_chunk_at = None
    total = lines = 0
    for chunk in response.streaming_content:
        if first_chunk_at is None:
            first_chunk_at = time.perf_counter() - started
        total += len(chunk)
        lines += chunk.count(b"\r\n")
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"export: {rows:,} events, {total / 1e6:.0f} MB, {lines - 1:,} rows, first bytes after "
        f"{first_chunk_at:.2f} s, all in {elapsed:.1f} s; peak Python memory "
        f"{peak / 1e6:.1f} MB (tracemalloc)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    empty_tables()
    create_mission()
    if args.import_rows:
        bench_import(args.import_rows)
    if args.export_rows:
        if connection.vendor != "postgresql":
            sys.exit("The export benchmark fills the table with generate_series: PostgreSQL only.")
        empty_tables()
        create_mission()
        for rows in sorted({args.export_rows // 10, args.export_rows}):
            DeploymentEvent.objects.all()._raw_delete(DeploymentEvent.objects.db)
            fill_events_in_sql(rows)
            bench_export(rows)
    empty_tables()


if __name__ == "__main__":
    main()
