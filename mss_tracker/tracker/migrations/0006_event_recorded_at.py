# Events get recorded_at and updated_at (the Atom feed lists the latest recorded).
# Existing events take them from their audit history: recorded when first created there,
# changed when last created or changed; an event with no history keeps the migration's time.

import django.db.models.functions.datetime
from django.db import migrations, models
from django.db.models import Max, Min, OuterRef, Subquery


def dates_from_history(apps, schema_editor):
    Event = apps.get_model("tracker", "DeploymentEvent")
    History = apps.get_model("tracker", "HistoricalDeploymentEvent")
    alias = schema_editor.connection.alias
    history = History.objects.using(alias).filter(id=OuterRef("pk")).order_by().values("id")
    first = history.filter(history_type="+").annotate(at=Min("history_date")).values("at")
    last = history.exclude(history_type="-").annotate(at=Max("history_date")).values("at")
    events = Event.objects.using(alias)
    events.filter(models.Exists(first)).update(recorded_at=Subquery(first))
    events.filter(models.Exists(last)).update(updated_at=Subquery(last))


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0005_event_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="deploymentevent",
            name="recorded_at",
            field=models.DateTimeField(
                auto_now_add=True,
                db_default=django.db.models.functions.datetime.Now(),
                verbose_name="recorded",
            ),
        ),
        migrations.AddField(
            model_name="deploymentevent",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True,
                db_default=django.db.models.functions.datetime.Now(),
                verbose_name="last changed",
            ),
        ),
        migrations.RunPython(dates_from_history, migrations.RunPython.noop),
    ]
