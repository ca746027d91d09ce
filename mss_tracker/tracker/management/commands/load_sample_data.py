"""`manage.py load_sample_data`: the bundled MSS/GSF missions, pledges and events."""

from django.core.management.base import BaseCommand, CommandError

from mss_tracker.tracker.sample_data import SAMPLE_DATA_DIR, load_sample_data


class Command(BaseCommand):
    help = (
        "Load the MSS/GSF sample data (missions, pledges, events; sources in "
        f"{SAMPLE_DATA_DIR.name}/NOTES.md) through the CSV import. Idempotent: a second run "
        "creates nothing."
    )

    def handle(self, *args, **options) -> None:
        results = load_sample_data()
        for result in results:
            for error in result.errors:
                self.stderr.write(f"{result.kind}.csv {error}")
            if result.errors:
                raise CommandError(f"{result.summary()} The sample data was not loaded.")
            self.stdout.write(result.summary())
        created = sum(result.created for result in results)
        corrected = sum(getattr(result, "corrected", 0) for result in results)
        if corrected:
            self.stdout.write(f"{corrected} recorded rows corrected to the bundled version.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Sample data loaded: {created} rows created."
                if created
                else "Sample data already loaded: nothing created."
            )
        )
