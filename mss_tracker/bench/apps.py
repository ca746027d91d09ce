from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Installed for its commands (`bench`, `generate_data`); it has no models."""

    name = "mss_tracker.bench"
    verbose_name = "Measuring tools"
