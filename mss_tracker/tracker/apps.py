from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "mss_tracker.tracker"
    verbose_name = "Missions and deployments"
