"""Time `import_csv events FILE` on DATABASE_URL inside a transaction that is rolled back,
in any checkout of the project: the before/after of docs/performance.md runs this one
script in the old checkout and the new one, on the same file, in turns.

    cd <checkout> && DATABASE_URL=postgres://…/<scratch db> \\
        uv run python <this checkout>/mss_tracker/bench/time_import.py events.csv

It creates the mission `bench-import` (started 2020-01-01) that `manage.py bench` files
name, imports, and prints the seconds and the peak resident memory of the process.

With `--commit` the import is committed and the time includes the commit (the deferred
foreign-key checks of every row written run then), as an editor's import does: give it
a fresh copy of a migrated database each time (`createdb -T <template>`). It
uses nothing of mss_tracker/bench/, so an older checkout runs it too (for a checkout from
before the `id` column, drop the file's last, empty column: `sed 's/,[^,]*$//'`).
"""

import datetime
import io
import os
import resource
import sys
import time

sys.path.insert(0, os.getcwd())  # the checkout to time, not the one this file is in
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mss_tracker.settings")
os.environ.setdefault("SECRET_KEY", "time-import")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from mss_tracker.tracker.models import Country, Mission  # noqa: E402


class _RollBack(Exception):
    pass


def main(path: str, commit: bool = False) -> None:
    start = datetime.date(2020, 1, 1)
    output = io.StringIO()
    try:
        with transaction.atomic():  # rolled back unless --commit
            Mission.objects.create(
                slug="bench-import",
                acronym="BENCH",
                name="Import timing",
                host_country=Country.objects.get_or_create_from_iso3("HTI"),
                lead_country=Country.objects.get_or_create_from_iso3("KEN"),
                authorized_by="benchmark",
                authorized_on=start,
                start_date=start,
            )
            started = time.perf_counter()
            call_command("import_csv", "events", path, stdout=output, stderr=io.StringIO())
            seconds = time.perf_counter() - started
            if not commit:
                raise _RollBack
        seconds = time.perf_counter() - started  # the commit included
    except _RollBack:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = output.getvalue().strip().splitlines()[-1]
    print(f"{os.getcwd()}: {seconds:.2f} s, peak RSS {peak:.0f} MB ({summary})")


if __name__ == "__main__":
    main(sys.argv[1], commit="--commit" in sys.argv[2:])
