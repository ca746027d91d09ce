"""What the staff accounts leave on the record: each step of a sign-in, and open sessions.

docs/staff-accounts.md says what is recorded, for how long, and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SignInStep(models.TextChoices):
    PASSWORD_REFUSED = "password_refused", "Password refused"
    PASSWORD_ACCEPTED = "password_accepted", "Password accepted"
    FACTOR_ACCEPTED = "factor_accepted", "Second factor accepted"
    FACTOR_REFUSED = "factor_refused", "Second factor refused"
    ENROLLED = "enrolled", "Second factor enrolled"
    FACTOR_REMOVED = "factor_removed", "Second factor removed"
    FACTOR_RESET = "factor_reset", "Second factor reset by an administrator"
    SESSION_EXPIRED = "session_expired", "Session expired"
    SIGNED_OUT = "signed_out", "Signed out"
    ACCOUNT_CREATED = "account_created", "Account created"
    ACCOUNT_DISABLED = "account_disabled", "Account disabled"


class SignInRecord(models.Model):
    """One step of one account's sign-in or one change to how it signs in.

    Beside django-axes' access logs (password step only), these say how far a sign-in got:
    a password accepted without the second factor that should follow is visible here.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField(max_length=150, help_text="As typed, for a refused password.")
    step = models.CharField(max_length=24, choices=SignInStep.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.TextField(blank=True, help_text="The method, or the reason given.")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "sign-in record"

    def __str__(self) -> str:
        return f"{self.username}: {self.get_step_display()} ({self.at:%Y-%m-%d %H:%M})"


class StaffSession(models.Model):
    """An open session of an account, so that all of them can be ended at once (a factor
    changed, an account disabled): the session store itself is not searchable by user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} since {self.signed_in_at:%Y-%m-%d %H:%M}"
