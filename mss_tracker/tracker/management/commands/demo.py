"""`manage.py demo`: a working MSS Tracker on a laptop in one command.

Migrates the database, loads the sample data (idempotent), makes sure the demo accounts
`editor` and `analyst` exist, says where to log in, and serves on http://127.0.0.1:8000/
with the development server (DEBUG is on by default for this command, so WhiteNoise serves
static files straight from the apps), with the task worker that previews and imports
uploaded CSV files running in a thread of the same process (production runs
`manage.py db_worker` as a process of its own). Takes runserver's options: an
address:port, --noreload, --nothreading.
"""

from __future__ import annotations

import os
import secrets
import threading

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.commands.runserver import Command as RunserverCommand
from django.db import transaction

from mss_tracker.tracker.roles import ANALYSTS, EDITORS, ensure_role_groups

DEMO_ACCOUNTS = {"editor": EDITORS, "analyst": ANALYSTS}


class Command(RunserverCommand):
    help = (
        "Migrate, load the sample data, make sure the demo accounts editor and analyst exist "
        "(password printed once; DEMO_PASSWORD sets or resets it), then serve on "
        "http://127.0.0.1:8000/."
    )

    def handle(self, *args, **options) -> None:
        # With the autoreloader, runserver starts this command again in a child process
        # (RUN_MAIN=true) and again after every code change: prepare only once, here.
        if os.environ.get("RUN_MAIN") != "true":
            self.prepare()
        super().handle(*args, **options)

    def prepare(self) -> None:
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Loading the sample data…")
        call_command("load_sample_data", stdout=self.stdout, stderr=self.stderr)
        self.ensure_demo_accounts(os.environ.get("DEMO_PASSWORD") or None)

    @transaction.atomic
    def ensure_demo_accounts(self, demo_password: str | None) -> None:
        """Create the accounts with a fresh password; reset an existing one only on request."""
        ensure_role_groups()
        new_password = demo_password or secrets.token_urlsafe(12)
        given, kept = [], []
        for username, group_name in DEMO_ACCOUNTS.items():
            user, created = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_active = True
            if created or demo_password:
                user.set_password(new_password)
                given.append(username)
            else:
                kept.append(username)
            user.save()
            user.groups.add(Group.objects.get(name=group_name))
        if given:
            self.stdout.write(
                self.style.SUCCESS(f"Demo accounts {' and '.join(given)}, password: {new_password}")
            )
            if not demo_password:
                self.stdout.write("(shown once: note it, or set DEMO_PASSWORD next time)")
        if kept:
            self.stdout.write(
                f"Demo accounts {' and '.join(kept)} already exist; their password is unchanged. "
                "To reset it: DEMO_PASSWORD=<new password> uv run manage.py demo"
            )

    def inner_run(self, *args, **options) -> None:
        # Runs in the serving process, after runserver has parsed the address and port.
        host = f"[{self.addr}]" if self._raw_ipv6 else self.addr
        host = "0.0.0.0" if host == "0" else host
        address = f"{self.protocol}://{host}:{self.port}/"
        self.stdout.write(
            self.style.SUCCESS(f"MSS Tracker demo: {address}")
            + f"\nLog in at {address}admin/ as editor (records data) or analyst (reads only)."
        )
        if settings.STAFF_SECOND_FACTOR:
            self.stdout.write("Second factor: on (STAFF_SECOND_FACTOR); each account enrols one.")
        else:
            self.stdout.write(
                "Second factor: off in the demo (DEBUG is on), so the password alone signs in; "
                "in production every staff account sets one up at its first sign-in."
            )
        start_task_worker()
        self.stdout.write("Task worker: running beside the server (CSV previews and imports).")
        super().inner_run(*args, **options)


def task_worker():  # -> django_tasks_db's Worker, which ships no type information
    """The worker `manage.py db_worker` runs, with that command's defaults (the default
    queue and backend, a one-second poll) and an id naming this process.

    django-tasks-db documents only the command; its `Worker` class is not documented. But
    the command's `handle()` installs signal handlers for SIGINT, SIGTERM and SIGQUIT, which
    Python allows only in the main thread, and runserver keeps the main thread for itself
    (its autoreloader), so `call_command("db_worker")` in a thread raises ValueError. A
    subprocess would outlive a server that is killed. So the demo builds the Worker the
    command builds, and `tests/test_demo.py` fails if its arguments change."""
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["default"],
        excluded_queue_names=[],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"demo-{os.getpid()}",
    )


def start_task_worker() -> threading.Thread:
    """`db_worker`'s loop (`task_worker()`) in a daemon thread: it stops with the server,
    and the autoreloader restarts it with the new code."""
    from mss_tracker.tracker.import_watch import watch

    thread = threading.Thread(target=task_worker().run, name="task-worker", daemon=True)
    thread.start()
    watch()  # steps interrupted by an earlier run of the demo (import_watch.py)
    return thread
