"""`manage.py bench`: the performance benchmark of docs/performance.md."""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import django
from django.core.management.base import BaseCommand, CommandParser

from mss_tracker.bench import benchmark, report
from mss_tracker.bench.hostile_csv import time_hostile_files
from mss_tracker.bench.import_benchmark import run_import_benchmark


class Command(BaseCommand):
    help = (
        "Measure the dashboard, country page, summary CSV, events export and throughput "
        "under gunicorn on fresh synthetic databases of each size, on PostgreSQL and "
        "SQLite, and print the table of docs/performance.md. Creates and drops databases "
        "named mss_bench_<size> on --postgres; SQLite files go to --workdir. Then the "
        "import of --import-rows events beside COPY FROM, on DATABASE_URL, rolled back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sizes",
            default="1000,100000,1000000",
            help="event counts, comma-separated (default 1000,100000,1000000)",
        )
        parser.add_argument(
            "--backends", default="postgresql,sqlite", help="postgresql and/or sqlite"
        )
        parser.add_argument(
            "--repeat", type=int, default=9, help="timed requests per page and round"
        )
        parser.add_argument(
            "--rounds", type=int, default=3, help="rounds of page timings over every database"
        )
        parser.add_argument("--seconds", type=int, default=4, help="length of each wrk run")
        parser.add_argument("--connections", type=int, default=16, help="wrk connections")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
        parser.add_argument(
            "--postgres",
            default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
            help="PostgreSQL server URL, without a database name",
        )
        parser.add_argument(
            "--missions",
            type=int,
            help="synthetic missions at every size (default: 1 at 1,000 events, one per "
            "100,000 above); the pages are timed on the first",
        )
        parser.add_argument(
            "--countries", type=int, default=benchmark.COUNTRIES, help="countries per mission"
        )
        parser.add_argument("--seed", type=int, default=1, help="generate_data's seed")
        parser.add_argument("--workdir", type=Path, help="where SQLite files and statics go")
        parser.add_argument("--json", type=Path, help="also write the raw figures here")
        parser.add_argument(
            "--import-rows",
            type=int,
            default=100_000,
            help="events in the import benchmark, run on DATABASE_URL inside a transaction "
            "that is rolled back (0: skip it; default 100000)",
        )
        parser.add_argument(
            "--import-only",
            action="store_true",
            help="only the import benchmark: import_csv events beside COPY FROM, and the ratio",
        )
        parser.add_argument(
            "--hostile-csv",
            action="store_true",
            help="only how fast hostile CSV files are refused (a million-column header, "
            "10 MB of bad rows), on DATABASE_URL; nothing is written",
        )
        # Internal: one measurement inside a child process on the bench database.
        parser.add_argument("--measure-pages", action="store_true", help="(internal)")
        parser.add_argument("--measure-export", action="store_true", help="(internal)")
        parser.add_argument("--measure-export-json", action="store_true", help="(internal)")

    def handle(self, *args, **options) -> None:
        if options["measure_pages"]:
            self.stdout.write(json.dumps(benchmark.measure_pages(options["repeat"])))
            return
        if options["measure_export"]:
            self.stdout.write(json.dumps(benchmark.measure_export()))
            return
        if options["measure_export_json"]:
            self.stdout.write(json.dumps(benchmark.measure_export_json()))
            return

        if options["hostile_csv"]:
            for timing in time_hostile_files():
                self.stdout.write(timing.render() + "\n")
            return

        if options["import_only"]:
            self.bench_import(options["import_rows"] or 100_000)
            return

        workdir = options["workdir"] or Path("/tmp/mss-bench")
        workdir.mkdir(parents=True, exist_ok=True)
        runs = benchmark.run_benchmark(
            backends=options["backends"].split(","),
            sizes=[int(size) for size in options["sizes"].split(",")],
            repeat=options["repeat"],
            rounds=options["rounds"],
            seconds=options["seconds"],
            connections=options["connections"],
            workers=options["workers"],
            postgres=options["postgres"],
            workdir=workdir,
            log=lambda message: self.stderr.write(message),
            shape=benchmark.Shape(options["missions"], options["countries"], options["seed"]),
        )
        self.stdout.write(f"\n{self._machine()}\n")
        self.stdout.write(report.render_table(runs) + "\n")
        self.stdout.write("\n" + report.render_goals(runs) + "\n")
        self.stdout.write("\nevents.json against events.csv (goals: ≥ 0.5× the rows/s, ≤ 1.5× ")
        self.stdout.write("the peak memory)\n" + report.render_json_table(runs) + "\n")
        if options["json"]:
            options["json"].write_text(json.dumps([run.__dict__ for run in runs], indent=2))
        if options["import_rows"]:
            self.bench_import(options["import_rows"])

    def bench_import(self, rows: int) -> None:
        self.stderr.write(f"Import benchmark: {rows:,} events on DATABASE_URL (rolled back)…")
        self.stdout.write("\n" + run_import_benchmark(rows).render() + "\n")

    def _machine(self) -> str:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        postgres = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        import sqlite3

        return (
            f"Machine: {os.cpu_count()} cores, {memory:.0f} GB RAM, {platform.platform()}; "
            f"Python {sys.version.split()[0]}, Django {django.get_version()}, {postgres}, "
            f"SQLite {sqlite3.sqlite_version}"
        )
