# The dashboard's latest events and disputed flags as index seeks (docs/performance.md).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0004_history"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deploymentevent",
            index=models.Index(fields=["mission", "date", "id"], name="event_latest_in_mission"),
        ),
        migrations.AddIndex(
            model_name="deploymentevent",
            index=models.Index(
                condition=models.Q(("disputed", True)),
                fields=["mission", "country", "date", "id"],
                name="event_disputed_by_country",
            ),
        ),
    ]
