from django.db import migrations

from mss_tracker.tracker.roles import ensure_role_groups


def create_role_groups(apps, schema_editor):
    ensure_role_groups(apps)


def delete_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Analysts"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tracker", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_role_groups, delete_role_groups)]
