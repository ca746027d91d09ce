"""`manage.py check --deploy` warns when staff accounts can open the admin with a password
alone (STAFF_SECOND_FACTOR=false)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def second_factor_is_on(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.STAFF_SECOND_FACTOR:
        return []
    return [
        checks.Warning(
            "STAFF_SECOND_FACTOR is off: a staff password alone opens the admin, where every "
            "published figure can be changed.",
            hint="Unset STAFF_SECOND_FACTOR (it is on whenever DEBUG is off).",
            id="accounts.W001",
        )
    ]
