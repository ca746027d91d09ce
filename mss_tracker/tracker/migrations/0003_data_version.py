"""The data version: one number that every write to the tracker's tables bumps.

Database triggers do the bumping, so no write path can forget it: the admin, the CSV
import, `generate_data`'s COPY, a queryset `update()`, a raw SQL fix in psql. The bump
happens inside the writing transaction, so a reader sees the new version exactly when it
sees the new rows. Pages cached under a version (dashboards/caching.py) are therefore
never served once the data they were computed from has changed.

A bump sets max(version + 1, the clock in microseconds): a version is never reused, even
after a rolled-back transaction or a table emptied and refilled.
"""

from django.db import migrations

TABLES = [
    "tracker_mission",
    "tracker_country",
    "tracker_source",
    "tracker_pledge",
    "tracker_deploymentevent",
]

POSTGRESQL = [
    """
    CREATE TABLE tracker_dataversion (
        id smallint PRIMARY KEY CHECK (id = 1),
        version bigint NOT NULL
    )
    """,
    """
    CREATE FUNCTION tracker_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO tracker_dataversion (id, version)
        VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
        ON CONFLICT (id) DO UPDATE
            SET version = GREATEST(tracker_dataversion.version + 1, EXCLUDED.version);
        RETURN NULL;
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER {table}_bumps_data_version
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION tracker_bump_data_version()
        """
        for table in TABLES
    ),
    "INSERT INTO tracker_dataversion (id, version) "
    "VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)",
]

POSTGRESQL_REVERSE = [
    *(f"DROP TRIGGER {table}_bumps_data_version ON {table}" for table in TABLES),
    "DROP FUNCTION tracker_bump_data_version()",
    "DROP TABLE tracker_dataversion",
]

# SQLite has row-level triggers only: one per table and operation.
_SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"
_SQLITE_BUMP = (
    f"INSERT INTO tracker_dataversion (id, version) VALUES (1, {_SQLITE_NOW}) "
    "ON CONFLICT (id) DO UPDATE SET version = max(version + 1, excluded.version);"
)
_OPERATIONS = ["insert", "update", "delete"]

SQLITE = [
    """
    CREATE TABLE tracker_dataversion (
        id integer PRIMARY KEY CHECK (id = 1),
        version integer NOT NULL
    )
    """,
    *(
        f"CREATE TRIGGER {table}_{operation}_bumps_data_version "
        f"AFTER {operation.upper()} ON {table} BEGIN {_SQLITE_BUMP} END"
        for table in TABLES
        for operation in _OPERATIONS
    ),
    f"INSERT INTO tracker_dataversion (id, version) VALUES (1, {_SQLITE_NOW})",
]

SQLITE_REVERSE = [
    *(
        f"DROP TRIGGER {table}_{operation}_bumps_data_version"
        for table in TABLES
        for operation in _OPERATIONS
    ),
    "DROP TABLE tracker_dataversion",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise NotImplementedError(f"No data version triggers for {vendor}.")
        for statement in statements[vendor]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("tracker", "0002_roles")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
