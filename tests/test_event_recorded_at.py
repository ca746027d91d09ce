"""Events know when they were recorded and last changed (the Atom feed's order)."""

import datetime
import importlib
from pathlib import Path
from types import SimpleNamespace

from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from mss_tracker.bench import synthetic
from mss_tracker.tracker import migrations
from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.models import DeploymentEvent

D = datetime.date


def _arrival(mission, kenya, source, **extra) -> DeploymentEvent:
    values = dict(
        mission=mission,
        country=kenya,
        kind="arrival",
        personnel_type="police",
        date=D(2024, 6, 25),
        personnel=200,
        source=source,
    )
    return DeploymentEvent.objects.create(**values | extra)


def test_a_new_event_is_recorded_now(mission, kenya, source):
    before = timezone.now()
    event = _arrival(mission, kenya, source)
    event.refresh_from_db()
    assert before <= event.recorded_at <= timezone.now()
    assert event.updated_at == event.recorded_at or event.updated_at >= event.recorded_at


def test_an_edit_changes_updated_at_but_not_recorded_at(mission, kenya, source):
    event = _arrival(mission, kenya, source)
    recorded, updated = event.recorded_at, event.updated_at
    event.personnel = 230
    event.save()
    event.refresh_from_db()
    assert event.recorded_at == recorded
    assert event.updated_at > updated


def test_the_audit_history_does_not_copy_the_two_dates(mission, kenya, source):
    fields = {field.name for field in DeploymentEvent.history.model._meta.fields}
    assert "recorded_at" not in fields and "updated_at" not in fields


def test_imported_events_are_recorded_at_the_import(mission, kenya, source):
    before = timezone.now()
    data = (
        b"date,date_precision,mission,country_iso3,country,event,personnel_type,personnel,"
        b"disputed,source_publisher,source_title,source_url,source_date,notes\r\n"
        b"2024-06-25,day,mss,KEN,Kenya,arrival,police,200,false,UN News,Briefing,"
        b"https://news.un.org/x,,\r\n"
    )
    result = import_csv("events", data)
    assert result.ok, result.errors
    event = DeploymentEvent.objects.get()
    assert before <= event.recorded_at <= timezone.now()
    assert before <= event.updated_at <= timezone.now()


def test_generated_events_are_recorded(db):
    synthetic.generate(missions=1, countries=2, events=20, seed=1)
    assert not DeploymentEvent.objects.filter(recorded_at__isnull=True).exists()
    assert not DeploymentEvent.objects.filter(updated_at__isnull=True).exists()


def _migration_module():
    """The migration that added the fields, whatever its number after a rebase."""
    folder = Path(migrations.__file__).parent
    (path,) = folder.glob("*_event_recorded_at.py")
    return importlib.import_module(f"{migrations.__name__}.{path.stem}")


def test_the_migration_dates_existing_events_from_their_history(mission, kenya, source):
    """Events recorded before the fields existed take their first and last history dates
    (the migration's data step, run on today's schema: migrating backwards would have to
    undo every later migration too)."""
    event = _arrival(mission, kenya, source)
    event.personnel = 230
    event.save()
    unrecorded = _arrival(mission, kenya, source, personnel=5, date=D(2024, 7, 1))
    unrecorded.history.all().delete()
    created = timezone.make_aware(datetime.datetime(2025, 1, 2, 10))
    changed = timezone.make_aware(datetime.datetime(2025, 3, 4, 12))
    history = event.history.all()
    history.filter(history_type="+").update(history_date=created)
    history.filter(history_type="~").update(history_date=changed)
    editor = SimpleNamespace(connection=connection)  # all the data step reads of it
    _migration_module().dates_from_history(django_apps, editor)
    event.refresh_from_db()
    assert (event.recorded_at, event.updated_at) == (created, changed)
    kept = (unrecorded.recorded_at, unrecorded.updated_at)
    unrecorded.refresh_from_db()
    assert (unrecorded.recorded_at, unrecorded.updated_at) == kept
