"""How fast hostile CSV files are refused (`manage.py bench --hostile-csv`).

docs/csv.md promises a bounded, line-numbered report quickly: a header of a million
columns and a 10 MB file of bad rows are each reported in well under 10 seconds. The
everyday tests check what the report says (tests/test_csv_limits.py); the seconds are
measured here, where a busy machine makes a slow run a figure to read, not a failure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.csv.spec import EVENT_COLUMNS

BOUND_SECONDS = 10  # the bound docs/csv.md sets for 50 MB (about 1 s on a quiet machine)
_BAD_ROW = (
    "2024-13-01,day,mss,KEN,Kenya,arrival,police,10,false,Wire,Title,,2024-06-01,"
    + "x" * 80
    + ",\r\n"
)


@dataclass(frozen=True)
class HostileTiming:
    name: str
    megabytes: float
    seconds: float
    errors: int

    def render(self) -> str:
        verdict = "met" if self.seconds < BOUND_SECONDS else "NOT met"
        return (
            f"{self.name}: {self.megabytes:.1f} MB reported ({self.errors} errors listed) in "
            f"{self.seconds:.2f} s — goal < {BOUND_SECONDS} s: {verdict}"
        )


def wide_header(columns: int = 1_000_000) -> bytes:
    """A header of `columns` unknown columns, then one row."""
    return ("x," * columns).encode() + b"\r\n" + _BAD_ROW.encode()


def bad_rows(megabytes: int = 10) -> bytes:
    """The events header, then rows that each have an error (a month 13), `megabytes` long."""
    row = _BAD_ROW.encode()
    return ",".join(EVENT_COLUMNS).encode() + b"\r\n" + row * (megabytes * 2**20 // len(row))


def time_hostile_files(columns: int = 1_000_000, megabytes: int = 10) -> list[HostileTiming]:
    """Time `import_csv` on each hostile file (nothing is written: every file is refused)."""
    timings = []
    for name, data in (
        (f"a header of {columns:,} columns", wide_header(columns)),
        (f"{megabytes} MB of bad rows", bad_rows(megabytes)),
    ):
        started = time.perf_counter()
        result = import_csv("events", data)
        seconds = time.perf_counter() - started
        timings.append(HostileTiming(name, len(data) / 2**20, seconds, len(result.errors)))
    return timings
