from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff accounts: the second factor's policy, sessions that end, sign-ins on the record."""

    name = "mss_tracker.accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from mss_tracker.accounts import checks, receivers  # noqa: F401 (connects and registers)
