# Record ids (issue 10): every pledge and event gets a stable UUID, the CSV/JSON column `id`.
#
# Three steps so that existing rows get distinct ids on SQLite and PostgreSQL alike: add
# the column nullable, give each row its own UUID (one UPDATE with the database's UUIDv4
# function, not one value for all rows as a callable default in AddField would), then
# make it unique and required. A historical row takes the id of its record; the history
# of a record deleted before this migration shares one new id per record.
#
# SQLite makes a field unique by rebuilding the table, which drops the table's triggers:
# the data version's triggers (0003) are put back on the two rebuilt tables.

import uuid
from importlib import import_module

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import UUID4


def give_every_record_a_uuid(apps, schema_editor):
    for name in ("Pledge", "DeploymentEvent"):
        model = apps.get_model("tracker", name)
        history = apps.get_model("tracker", f"Historical{name}")
        model.objects.filter(uuid__isnull=True).update(uuid=UUID4())
        live = model.objects.filter(pk=OuterRef("id")).values("uuid")[:1]
        history.objects.filter(uuid__isnull=True).update(uuid=Subquery(live))
        gone = history.objects.filter(uuid__isnull=True).values_list("id", flat=True).distinct()
        for record_id in list(gone):
            history.objects.filter(id=record_id).update(uuid=uuid.uuid4())


def restore_sqlite_data_version_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    data_version = import_module("mss_tracker.tracker.migrations.0003_data_version")
    for table in ("tracker_pledge", "tracker_deploymentevent"):
        for operation in data_version._OPERATIONS:
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_{operation}_bumps_data_version "
                f"AFTER {operation.upper()} ON {table} BEGIN {data_version._SQLITE_BUMP} END"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0005_event_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="pledge",
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="deploymentevent",
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalpledge",
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicaldeploymentevent",
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_every_record_a_uuid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="pledge",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="deploymentevent",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="historicalpledge",
            name="uuid",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name="historicaldeploymentevent",
            name="uuid",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
        migrations.RunPython(restore_sqlite_data_version_triggers, migrations.RunPython.noop),
    ]
