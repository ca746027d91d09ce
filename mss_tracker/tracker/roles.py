"""The two staff roles of docs/rules.md ("Roles"), as Django groups.

Editors record what happened (pledges, events, funding records and their sources; new missions and
countries) but manage no users and delete no missions or countries; Analysts may look
at everything in the admin and change nothing, and see nothing of readers' error
reports (which may hold a reader's email address). The data migration `0002_roles` creates
the groups (`0019` gives them funding records); `ensure_role_groups()` is idempotent, so
`demo` can repair them too, and `restore_missing_role_groups` (after every `migrate` and
`flush`) puts them back when a flush has emptied the tables.
"""

from django.apps import apps as global_apps
from django.apps.registry import Apps

EDITORS = "Editors"
ANALYSTS = "Analysts"

RECORDS = (
    "pledge",
    "deploymentevent",
    "fundingrecord",
    "source",
)  # what editors add, change and delete
REFERENCE = ("mission", "country")  # what editors add and change but never delete

ROLE_PERMISSIONS: dict[str, list[str]] = {
    EDITORS: [
        *(
            f"{action}_{model}"
            for model in RECORDS
            for action in ("view", "add", "change", "delete")
        ),
        *(f"{action}_{model}" for model in REFERENCE for action in ("view", "add", "change")),
        "view_importjob",  # the Imports list; only the uploader confirms or cancels
        # Readers' error reports: read and closed with a reason, never added or deleted.
        "view_errorreport",
        "change_errorreport",
    ],
    ANALYSTS: [f"view_{model}" for model in (*RECORDS, *REFERENCE)],
}


def ensure_role_groups(apps: Apps = global_apps) -> None:
    """Create the groups and give each exactly its permissions (tracker models only)."""
    from django.contrib.auth.management import create_permissions

    # On a fresh database the permissions are created after the last migration;
    # a data migration that needs them creates them now.
    # (A migration's app configs have no models module, which create_permissions wants.)
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True  # type: ignore[assignment]
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        permissions = permission_model.objects.filter(
            content_type__app_label="tracker", codename__in=codenames
        )
        group.permissions.set(permissions)


def restore_missing_role_groups(using: str = "default", **kwargs: object) -> None:
    """post_migrate, which Django also sends after `flush` (that is how it recreates the
    permissions): the groups again when a flush has emptied the tables, as a transactional
    test does when it ends. Groups that exist are left as they are."""
    from django.contrib.auth.models import Group
    from django.db import connections

    if Group._meta.db_table not in connections[using].introspection.table_names():
        return  # auth migrated back to zero: nothing to put them in
    if Group.objects.using(using).filter(name__in=ROLE_PERMISSIONS).count() < len(ROLE_PERMISSIONS):
        ensure_role_groups()
