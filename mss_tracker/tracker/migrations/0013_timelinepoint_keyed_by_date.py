"""TimelinePoint keyed by (mission, country, personnel type, date), without its surrogate
id and its country index, and without foreign-key checks on its derived rows: two
indexes and two commit-time checks fewer for every point an import writes.

Django cannot turn an existing primary key into a composite one, so the table is made
anew and the points are copied into it (they are derived data, but copying keeps this
migration independent of the code that derives them)."""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = (
    "mission_id, country_id, personnel_type, date, deployed, deployed_change, "
    "fatalities_to_date, first_arrival"
)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0012_fewer_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="timelinepoint", name="tracker_tim_mission_dbf5bd_idx"),
        migrations.RemoveIndex(model_name="timelinepoint", name="timelinepoint_by_country"),
        migrations.RemoveConstraint(model_name="timelinepoint", name="timelinepoint_unique_date"),
        migrations.RemoveConstraint(
            model_name="timelinepoint", name="timelinepoint_never_negative"
        ),
        migrations.RenameModel(old_name="TimelinePoint", new_name="TimelinePointBefore0013"),
        migrations.CreateModel(
            name="TimelinePoint",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "mission",
                        "country",
                        "personnel_type",
                        "date",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "mission",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tracker.mission",
                    ),
                ),
                (
                    "country",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tracker.country",
                    ),
                ),
                ("personnel_type", models.CharField(max_length=10)),
                ("date", models.DateField()),
                ("deployed", models.IntegerField()),
                (
                    "deployed_change",
                    models.IntegerField(help_text="deployed minus the previous point's"),
                ),
                ("fatalities_to_date", models.IntegerField()),
                ("first_arrival", models.DateField(null=True)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("deployed__gte", 0)),
                        name="timelinepoint_never_negative",
                    )
                ],
                "indexes": [
                    models.Index(
                        fields=["mission", "personnel_type", "date"],
                        name="tracker_tim_mission_dbf5bd_idx",
                    )
                ],
            },
        ),
        migrations.RunSQL(
            f"INSERT INTO tracker_timelinepoint ({COLUMNS}) "
            f"SELECT {COLUMNS} FROM tracker_timelinepointbefore0013",
            reverse_sql=f"INSERT INTO tracker_timelinepointbefore0013 ({COLUMNS}) "
            f"SELECT {COLUMNS} FROM tracker_timelinepoint",
        ),
        migrations.DeleteModel(name="TimelinePointBefore0013"),
    ]
