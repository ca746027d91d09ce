"""The sign-in record in the admin: read-only, for administrators."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from mss_tracker.accounts.models import SignInRecord
from mss_tracker.lib.admin_filters import OfferedFiltersOnly


@admin.register(SignInRecord)
class SignInRecordAdmin(OfferedFiltersOnly, admin.ModelAdmin):
    list_display = ["at", "username", "step", "ip_address", "detail"]
    list_filter = ["step", "at"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "at"
    readonly_fields = ["at", "user", "username", "step", "ip_address", "detail"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
