from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "mss_tracker.dashboards"
    verbose_name = "Dashboards"
