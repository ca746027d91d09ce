"""`manage.py create_editor USERNAME`: a staff account in the editors' group (--analyst: the
analysts'; --administrator: a superuser instead). The password is asked twice at the
prompt, or read from the first line of standard input when that is not a terminal; it is
never a command-line argument (those show in `ps` and the shell's history)."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from mss_tracker.accounts.models import SignInStep
from mss_tracker.accounts.records import record
from mss_tracker.tracker.roles import ANALYSTS, EDITORS, ensure_role_groups


class Command(BaseCommand):
    help = (
        "Create a staff account in the editors' group (--analyst: the analysts'). The password "
        "is asked at the prompt (or read from standard input), never given as an argument."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        role = parser.add_mutually_exclusive_group()
        role.add_argument(
            "--analyst", action="store_true", help="may read everything, change nothing"
        )
        role.add_argument(
            "--administrator", action="store_true", help="may do everything, manage accounts too"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if not username:
            raise CommandError("The username is empty.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"An account named {username!r} already exists.")
        user = User(username=username, email=options["email"], is_staff=True)
        password = self.ask_password()
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with transaction.atomic():
            ensure_role_groups()
            user.set_password(password)
            if options["administrator"]:
                user.is_superuser = True
                role = "an administrator"
                user.save()
            else:
                group_name = ANALYSTS if options["analyst"] else EDITORS
                role = f"in the group {group_name}"
                user.save()
                user.groups.add(Group.objects.get(name=group_name))
            record(SignInStep.ACCOUNT_CREATED, user=user, detail=role)
        self.stdout.write(
            self.style.SUCCESS(f"Created {username}, {role}.")
            + "\nAt the first sign-in at /admin/, the account is asked to set up its second "
            "factor (an authenticator app) before anything else."
        )

    def ask_password(self) -> str:
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input.")
            return password
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
