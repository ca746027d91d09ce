from django.db import migrations

from mss_tracker.tracker.roles import ensure_role_groups


def give_editors_the_error_reports(apps, schema_editor):
    """Editors view and close readers' error reports; analysts are given nothing of them
    (ensure_role_groups sets each group's permissions to exactly its list)."""
    ensure_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0016_error_reports")]

    operations = [migrations.RunPython(give_editors_the_error_reports, migrations.RunPython.noop)]
