"""`manage.py prune_sign_in_records`: forget sign-in records older than SIGN_IN_RECORDS_DAYS
(ours and django-axes' access and failure logs, through axes' own clean-up), and the
session list's rows of sessions past their limits. Run it daily (README, Production)."""

from __future__ import annotations

import datetime
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from mss_tracker.accounts.models import SignInRecord, StaffSession


class Command(BaseCommand):
    help = "Delete sign-in records older than SIGN_IN_RECORDS_DAYS (or --days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else settings.SIGN_IN_RECORDS_DAYS
        now = timezone.now()
        ours, _ = SignInRecord.objects.filter(at__lt=now - datetime.timedelta(days=days)).delete()
        access = AxesProxyHandler.reset_logs(age_days=days)
        failures = AxesProxyHandler.reset_failure_logs(age_days=days)
        longest = datetime.timedelta(days=settings.STAFF_SESSION_MAX_DAYS)
        sessions, _ = StaffSession.objects.filter(signed_in_at__lt=now - longest).delete()
        self.stdout.write(
            f"Older than {days} days: {ours} sign-in records, {access} access logs and "
            f"{failures} failed-login logs deleted; {sessions} ended sessions forgotten."
        )
