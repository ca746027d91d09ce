# The ids of new records come from codes.record_id, the one rule for them. A default is
# Python's alone (no column default), so only the migration state changes: without
# SeparateDatabaseAndState SQLite would copy six tables to alter nothing.

import mss_tracker.tracker.codes
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0021_timeline_totals_and_discrepancies'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='deploymentevent',
                    name='uuid',
                    field=models.UUIDField(default=mss_tracker.tracker.codes.record_id, editable=False, unique=True),
                ),
                migrations.AlterField(
                    model_name='fundingrecord',
                    name='uuid',
                    field=models.UUIDField(default=mss_tracker.tracker.codes.record_id, editable=False, unique=True),
                ),
                migrations.AlterField(
                    model_name='historicaldeploymentevent',
                    name='uuid',
                    field=models.UUIDField(db_index=True, default=mss_tracker.tracker.codes.record_id, editable=False),
                ),
                migrations.AlterField(
                    model_name='historicalfundingrecord',
                    name='uuid',
                    field=models.UUIDField(db_index=True, default=mss_tracker.tracker.codes.record_id, editable=False),
                ),
                migrations.AlterField(
                    model_name='historicalpledge',
                    name='uuid',
                    field=models.UUIDField(db_index=True, default=mss_tracker.tracker.codes.record_id, editable=False),
                ),
                migrations.AlterField(
                    model_name='pledge',
                    name='uuid',
                    field=models.UUIDField(default=mss_tracker.tracker.codes.record_id, editable=False, unique=True),
                ),
            ],
            database_operations=[],
        ),
    ]
