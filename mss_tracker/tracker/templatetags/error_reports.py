"""The admin index's line about readers' error reports: how many are new."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser, User

from mss_tracker.tracker.models import ErrorReport

register = template.Library()


@register.simple_tag
def new_error_reports(user: User | AnonymousUser) -> int | None:
    """How many error reports wait to be read (None when `user` may not see them)."""
    if not user.has_perm("tracker.view_errorreport"):
        return None
    return ErrorReport.objects.new().count()
