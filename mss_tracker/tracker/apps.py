from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


class TrackerConfig(AppConfig):
    name = "mss_tracker.tracker"
    verbose_name = "Missions and deployments"

    def ready(self) -> None:
        from mss_tracker.tracker.data_version import restore_sqlite_triggers
        from mss_tracker.tracker.roles import restore_missing_role_groups

        post_migrate.connect(restore_sqlite_triggers, sender=self)
        post_migrate.connect(restore_missing_role_groups, sender=self)
        if getattr(settings, "COMMAND", None) == "db_worker":
            # Each task worker notices the steps of workers that died (import_watch.py).
            from mss_tracker.tracker.import_watch import watch

            watch()
