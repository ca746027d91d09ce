"""`manage.py import_csv missions|pledges|events FILE [--dry-run]`: the admin's import."""

import sys
from collections.abc import Iterable

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from mss_tracker.tracker.csv.importing import PROGRESS_THRESHOLD, import_file
from mss_tracker.tracker.csv.importing.errors import ImportResult
from mss_tracker.tracker.csv.spec import KINDS


class Command(BaseCommand):
    help = (
        "Import a missions, pledges or events CSV file (the format of docs/csv.md), all or "
        "nothing. Rows already recorded are recognised, not duplicated. Exits non-zero with "
        "a line-numbered list of errors when the file is not valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS, help="what the file holds")
        parser.add_argument("file", help="path of the CSV file (UTF-8)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, write nothing"
        )

    def handle(self, *args, kind: str, file: str, dry_run: bool, **options) -> None:
        try:
            result = import_file(kind, file, dry_run=dry_run, progress=self.progress)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        report(self, result)

    def progress(self, items: Iterable, total: int, description: str) -> Iterable:
        """A progress bar on stderr for files large enough to take a while."""
        if total < PROGRESS_THRESHOLD and not description.startswith("writing"):
            return items
        if total * 2000 < PROGRESS_THRESHOLD:  # writing: `total` counts batches of 2,000
            return items
        return tqdm(items, total=total, desc=description, file=sys.stderr, leave=False)


def report(command: BaseCommand, result: ImportResult) -> None:
    """Print the errors (stderr) and the summary; raise CommandError if nothing was written."""
    for error in result.errors:
        command.stderr.write(str(error))
    if result.errors.more:
        command.stderr.write(result.errors.more)
    if result.errors:
        raise CommandError(result.summary())
    command.stdout.write(command.style.SUCCESS(result.summary()))
