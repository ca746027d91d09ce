# Record ids: every pledge and event gets a stable UUID, the CSV/JSON column `id`.
#
# Three steps so that existing rows get distinct ids on SQLite and PostgreSQL alike: add
# the column nullable, give each row its own UUID (one UPDATE with the database's UUIDv4
# function, not one value for all rows as a callable default in AddField would), then
# make it unique and required. A historical row takes the id of its record; the history
# of a record deleted before this migration shares one new id per record.

import uuid

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


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0006_event_recorded_at"),
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
    ]
