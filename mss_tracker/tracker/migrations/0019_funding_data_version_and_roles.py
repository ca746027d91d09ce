"""Funding records bump the data version like every tracker table (so cached pages and
exports follow a change of money), and the Editors and Analysts groups get their
permissions on them (roles.py)."""

from django.db import migrations

from mss_tracker.tracker.roles import ensure_role_groups

TABLE = "tracker_fundingrecord"

_SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"
_SQLITE_BUMP = (
    f"INSERT INTO tracker_dataversion (id, version) VALUES (1, {_SQLITE_NOW}) "
    "ON CONFLICT (id) DO UPDATE SET version = max(version + 1, excluded.version);"
)
_OPERATIONS = ["insert", "update", "delete"]

FORWARD = {
    "postgresql": [
        f"""
        CREATE TRIGGER {TABLE}_bumps_data_version
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION tracker_bump_data_version()
        """
    ],
    "sqlite": [
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_{operation}_bumps_data_version "
        f"AFTER {operation.upper()} ON {TABLE} BEGIN {_SQLITE_BUMP} END"
        for operation in _OPERATIONS
    ],
}
BACKWARD = {
    "postgresql": [f"DROP TRIGGER IF EXISTS {TABLE}_bumps_data_version ON {TABLE}"],
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {TABLE}_{operation}_bumps_data_version"
        for operation in _OPERATIONS
    ],
}


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise NotImplementedError(f"No data version triggers for {vendor}.")
        for statement in statements[vendor]:
            schema_editor.execute(statement)

    return run


def give_roles_their_permissions(apps, schema_editor):
    ensure_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0018_funding")]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
        migrations.RunPython(give_roles_their_permissions, migrations.RunPython.noop),
    ]
