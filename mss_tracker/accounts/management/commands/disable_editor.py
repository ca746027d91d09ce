"""`manage.py disable_editor USERNAME --reason "..."`: the account can no longer sign in and
its open sessions end at once; its history (every record it changed) is kept."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from mss_tracker.accounts.models import SignInStep
from mss_tracker.accounts.records import record
from mss_tracker.accounts.sessions import end_other_sessions


class Command(BaseCommand):
    help = "Disable a staff account: no more sign-ins, its open sessions ended, history kept."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why, for the sign-in record")

    def handle(self, *args: Any, **options: Any) -> None:
        reason = options["reason"].strip()
        if not reason:
            raise CommandError("Say why with --reason.")
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No account named {options['username']!r}.") from None
        with transaction.atomic():
            user.is_active = False
            user.save(update_fields=["is_active"])
            ended = end_other_sessions(user)
            record(SignInStep.ACCOUNT_DISABLED, user=user, detail=reason)
        self.stdout.write(
            self.style.SUCCESS(f"Disabled {user.username}; {ended} open session(s) ended.")
        )
