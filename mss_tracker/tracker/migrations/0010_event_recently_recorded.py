# The Atom feed reads the latest recorded events of a mission by index.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0009_import_jobs"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deploymentevent",
            index=models.Index(
                fields=["mission", "recorded_at", "id"], name="event_recently_recorded"
            ),
        ),
    ]
