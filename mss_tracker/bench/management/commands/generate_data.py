"""`manage.py generate_data`: synthetic missions for benchmarks (see bench/synthetic.py)."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mss_tracker.bench.synthetic import SLUG_PREFIX, generate


class Command(BaseCommand):
    help = (
        f"Replace the {SLUG_PREFIX}* missions by generated ones: pledges and revisions, "
        "arrivals, rotations, departures, fatalities and strength reports of all three "
        "personnel types, never negative. Other missions are left alone. Bulk inserts "
        "(COPY on PostgreSQL), then one timeline rebuild."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--missions", type=int, default=1, help="missions (default 1)")
        parser.add_argument(
            "--countries", type=int, default=20, help="contributing countries per mission"
        )
        parser.add_argument(
            "--events", type=int, default=1000, help="deployment events in all (default 1000)"
        )
        parser.add_argument("--seed", type=int, default=0, help="same seed, same data")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        try:
            result = generate(
                options["missions"], options["countries"], options["events"], options["seed"]
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.missions} {SLUG_PREFIX}* missions, {result.countries} countries each: "
                f"{result.events:,} events, {result.pledges:,} pledges, "
                f"{result.timeline_points:,} timeline points "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )
