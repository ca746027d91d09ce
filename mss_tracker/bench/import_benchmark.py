"""`manage.py bench --import-rows N`: the import's throughput beside PostgreSQL's own COPY.

On the configured database, inside one transaction that is rolled back at the end (the
database is left as it was): a synthetic events file of N arrivals (50 countries × 3
types, 20 sources, a day per 150 rows, notes with commas) is imported with the
`import_csv events` command, then the same file is loaded with `COPY … FROM` into a
temporary table of the same columns (the CSV header's names, each with the type of its
model field). The ratio says how far the import is from the floor: parsing and storing
the same bytes with no checking at all.
"""

from __future__ import annotations

import datetime
import io
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction

from mss_tracker.tracker.csv.spec import EVENT_COLUMNS
from mss_tracker.tracker.models import Country, Mission

# fmt: off
CODES = [
    "KEN", "JAM", "BHS", "BLZ", "GTM", "SLV", "BEN", "BGD", "TCD", "BRB", "ATG", "HTI", "USA",
    "CAN", "FRA", "DEU", "ITA", "ESP", "PRT", "BRA", "ARG", "CHL", "PER", "COL", "MEX", "URY",
    "PRY", "BOL", "ECU", "VEN", "NGA", "GHA", "SEN", "RWA", "UGA", "TZA", "ETH", "ZAF", "EGY",
    "MAR", "IND", "PAK", "NPL", "LKA", "IDN", "PHL", "VNM", "THA", "MYS", "AUS",
]
# fmt: on
TYPES = ["police", "military", "civilian"]
SLUG = "bench-import"
START = datetime.date(2020, 1, 1)
_COLUMN_TYPES = {
    "date": "date",
    "source_date": "date",
    "personnel": "integer",
    "disputed": "boolean",
    "id": "uuid",
}


@dataclass
class ImportBenchmark:
    rows: int
    megabytes: float
    import_seconds: float
    copy_seconds: float | None
    peak_rss_megabytes: float

    @property
    def import_rows_per_second(self) -> float:
        return self.rows / self.import_seconds

    @property
    def copy_rows_per_second(self) -> float | None:
        return self.rows / self.copy_seconds if self.copy_seconds else None

    @property
    def ratio(self) -> float | None:
        """How many times longer the import takes than COPY."""
        return self.import_seconds / self.copy_seconds if self.copy_seconds else None

    def render(self) -> str:
        lines = [
            f"Import of {self.rows:,} events ({self.megabytes:.1f} MB), "
            f"{connection.vendor}, in one run:",
            "| what | seconds | rows/s |",
            "| --- | ---: | ---: |",
            f"| `import_csv events` | {self.import_seconds:.2f} | "
            f"{self.import_rows_per_second:,.0f} |",
        ]
        if self.copy_seconds is not None:
            lines.append(
                f"| `COPY … FROM` the same file | {self.copy_seconds:.2f} | "
                f"{self.copy_rows_per_second:,.0f} |"
            )
            lines.append(f"\nImport / COPY: {self.ratio:.1f}× the time of COPY.")
        else:
            lines.append("\n(COPY FROM needs PostgreSQL: no ratio on this database.)")
        lines.append(
            f"Peak memory of this process up to the end of the import (RSS, Django "
            f"included): {self.peak_rss_megabytes:.0f} MB."
        )
        return "\n".join(lines)


def events_file(rows: int) -> bytes:
    """`rows` arrivals, every one new and valid, in the columns of events.csv."""
    out = io.BytesIO()
    write_events_file(rows, out)
    return out.getvalue()


def write_events_file(rows: int, out) -> None:
    """Write `events_file(rows)` to the binary file `out`, a line at a time."""
    per_day = len(CODES) * len(TYPES)
    out.write((",".join(EVENT_COLUMNS) + "\r\n").encode())
    cells = dict.fromkeys(EVENT_COLUMNS, "")
    for i in range(rows):
        day = (START + datetime.timedelta(days=i // per_day)).isoformat()
        cells.update(
            date=day,
            date_precision="day",
            mission=SLUG,
            country_iso3=CODES[i % len(CODES)],
            event="arrival",
            personnel_type=TYPES[(i // len(CODES)) % len(TYPES)],
            personnel=str(1 + i % 7),
            disputed="false",
            source_publisher=f"Bench wire {i % 20}",
            source_title="Daily report",
            source_url=f"https://example.org/bench/{i % 20}",
            source_date=START.isoformat(),
            notes=f'"row {i}, with a comma"',
        )
        out.write((",".join(cells[column] for column in EVENT_COLUMNS) + "\r\n").encode())


class _RollBack(Exception):
    pass


def create_bench_mission() -> Mission:
    """The mission `bench-import` that the events files of `events_file` name."""
    return Mission.objects.create(
        slug=SLUG,
        acronym="BENCH",
        name="Import benchmark (rolled back)",
        host_country=Country.objects.get_or_create_from_iso3("HTI"),
        lead_country=Country.objects.get_or_create_from_iso3("KEN"),
        authorized_by="benchmark",
        authorized_on=START,
        start_date=START,
    )


def run_import_benchmark(rows: int) -> ImportBenchmark:
    path = Path(tempfile.mkdtemp(prefix="mss-import-bench-")) / "events.csv"
    with path.open("wb") as out:  # written a line at a time: the peak memory is the import's
        write_events_file(rows, out)
    try:
        with transaction.atomic():
            create_bench_mission()
            started = time.perf_counter()
            call_command("import_csv", "events", str(path), stdout=io.StringIO())
            import_seconds = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            data = path.read_bytes()
            copy_seconds = _copy_seconds(data) if connection.vendor == "postgresql" else None
            raise _RollBack
    except _RollBack:
        pass
    finally:
        path.unlink()
        path.parent.rmdir()
    return ImportBenchmark(rows, len(data) / 1e6, import_seconds, copy_seconds, peak)


def _copy_seconds(data: bytes) -> float:
    columns = ", ".join(f"{name} {_COLUMN_TYPES.get(name, 'text')}" for name in EVENT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE bench_copy ({columns}) ON COMMIT DROP")
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)") as copy:
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start : start + (1 << 20)])
        return time.perf_counter() - started
