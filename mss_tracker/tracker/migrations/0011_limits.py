"""One date range for every date field (validators) and one length limit for notes,
which the database keeps too. Notes longer than the limit that are already
stored stop the migration with their records named: shortening text is an editor's
decision, not a migration's."""

import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

import mss_tracker.tracker.dates

LIMIT = 10_000  # tracker.text.TEXT_MAX_LENGTH when this migration was written


def refuse_longer_notes(apps, schema_editor) -> None:
    from django.db.models.functions import Length

    too_long = []
    for name in ("Mission", "Pledge", "DeploymentEvent"):
        model = apps.get_model("tracker", name)
        ids = model.objects.annotate(length=Length("notes")).filter(length__gt=LIMIT)
        too_long += [f"{name} {pk}" for pk in ids.values_list("pk", flat=True)[:20]]
    if too_long:
        raise RuntimeError(
            f"Notes longer than {LIMIT:,} characters: {', '.join(too_long)}. Shorten them "
            "(in the admin, or move the text to the source), then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0010_event_recently_recorded"),
    ]

    operations = [
        migrations.AlterField(
            model_name="deploymentevent",
            name="date",
            field=models.DateField(validators=[mss_tracker.tracker.dates.validate_date_in_range]),
        ),
        migrations.AlterField(
            model_name="deploymentevent",
            name="notes",
            field=models.TextField(
                blank=True, help_text="At most 10,000 characters.", max_length=10000
            ),
        ),
        migrations.AlterField(
            model_name="historicaldeploymentevent",
            name="date",
            field=models.DateField(validators=[mss_tracker.tracker.dates.validate_date_in_range]),
        ),
        migrations.AlterField(
            model_name="historicaldeploymentevent",
            name="notes",
            field=models.TextField(
                blank=True, help_text="At most 10,000 characters.", max_length=10000
            ),
        ),
        migrations.AlterField(
            model_name="historicalmission",
            name="authorized_on",
            field=models.DateField(validators=[mss_tracker.tracker.dates.validate_date_in_range]),
        ),
        migrations.AlterField(
            model_name="historicalmission",
            name="end_date",
            field=models.DateField(
                blank=True, null=True, validators=[mss_tracker.tracker.dates.validate_date_in_range]
            ),
        ),
        migrations.AlterField(
            model_name="historicalmission",
            name="notes",
            field=models.TextField(
                blank=True, help_text="At most 10,000 characters.", max_length=10000
            ),
        ),
        migrations.AlterField(
            model_name="historicalmission",
            name="start_date",
            field=models.DateField(validators=[mss_tracker.tracker.dates.validate_date_in_range]),
        ),
        migrations.AlterField(
            model_name="historicalpledge",
            name="date",
            field=models.DateField(validators=[mss_tracker.tracker.dates.validate_date_in_range]),
        ),
        migrations.AlterField(
            model_name="historicalpledge",
            name="notes",
            field=models.TextField(
                blank=True, help_text="At most 10,000 characters.", max_length=10000
            ),
        ),
        migrations.AlterField(
            model_name="historicalsource",
            name="published_on",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[mss_tracker.tracker.dates.validate_date_in_range],
                verbose_name="published",
            ),
        ),
        migrations.AlterField(
            model_name="mission",
            name="authorized_on",
            field=models.DateField(validators=[mss_tracker.tracker.dates.validate_date_in_range]),
        ),
        migrations.AlterField(
            model_name="mission",
            name="end_date",
            field=models.DateField(
                blank=True, null=True, validators=[mss_tracker.tracker.dates.validate_date_in_range]
            ),
        ),
        migrations.AlterField(
            model_name="mission",
            name="notes",
            field=models.TextField(
                blank=True, help_text="At most 10,000 characters.", max_length=10000
            ),
        ),
        migrations.AlterField(
            model_name="mission",
            name="start_date",
            field=models.DateField(validators=[mss_tracker.tracker.dates.validate_date_in_range]),
        ),
        migrations.AlterField(
            model_name="pledge",
            name="date",
            field=models.DateField(validators=[mss_tracker.tracker.dates.validate_date_in_range]),
        ),
        migrations.AlterField(
            model_name="pledge",
            name="notes",
            field=models.TextField(
                blank=True, help_text="At most 10,000 characters.", max_length=10000
            ),
        ),
        migrations.AlterField(
            model_name="source",
            name="published_on",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[mss_tracker.tracker.dates.validate_date_in_range],
                verbose_name="published",
            ),
        ),
        migrations.RunPython(refuse_longer_notes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="deploymentevent",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("notes"), 10000
                ),
                name="event_notes_fit",
                violation_error_message="Notes are at most 10,000 characters long.",
            ),
        ),
        migrations.AddConstraint(
            model_name="mission",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("notes"), 10000
                ),
                name="mission_notes_fit",
                violation_error_message="Notes are at most 10,000 characters long.",
            ),
        ),
        migrations.AddConstraint(
            model_name="pledge",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("notes"), 10000
                ),
                name="pledge_notes_fit",
                violation_error_message="Notes are at most 10,000 characters long.",
            ),
        ),
    ]
