"""`manage.py reset_second_factor USERNAME --reason "..."`: an administrator removes another
account's second factor (a lost phone), with the reason on the record. The account's
sessions end, and its next sign-in asks it to enrol a new factor before anything else."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mss_tracker.accounts.models import SignInStep
from mss_tracker.accounts.records import record
from mss_tracker.accounts.sessions import end_other_sessions


class Command(BaseCommand):
    help = "Remove an account's second factor (and recovery codes), with a reason recorded."

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
        # django-mfa's own reset removes every factor and announces each removal.
        call_command("mfa_reset", str(user.pk), yes=True, stdout=self.stdout)
        ended = end_other_sessions(user)
        record(
            SignInStep.FACTOR_RESET,
            user=user,
            detail=f"by {getpass.getuser()} on the server: {reason}",
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{user.username}: second factor reset, {ended} open session(s) ended; the next "
                "sign-in asks for a new one."
            )
        )
