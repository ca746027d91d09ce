"""Every step of a sign-in goes on the record (records.py), and a changed second factor
ends the account's other sessions (sessions.py), as a changed password does."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django_mfa import events, policy
from django_mfa import session as mfa_session
from django_mfa.registry import registry

from mss_tracker.accounts import sessions
from mss_tracker.accounts.models import SignInStep, StaffSession
from mss_tracker.accounts.records import record


def _what_follows_the_password(request, user) -> str:
    if mfa_session.is_pending(request):
        return "second factor asked"
    required = policy.resolve()
    if required is not None and required(user) and not registry.has_primary_factor(user):
        return "no second factor yet: enrolment asked before anything else"
    if mfa_session.is_verified(request):
        return "second factor already verified in this browser"
    return "no second factor required"


@receiver(user_logged_in, dispatch_uid="accounts-signed-in")
def signed_in(sender: Any, request, user, **kwargs: Any) -> None:
    sessions.start(request, user)
    record(
        SignInStep.PASSWORD_ACCEPTED,
        user=user,
        request=request,
        detail=_what_follows_the_password(request, user),
    )


@receiver(user_login_failed, dispatch_uid="accounts-password-refused")
def password_refused(sender: Any, credentials: dict, request=None, **kwargs: Any) -> None:
    record(
        SignInStep.PASSWORD_REFUSED,
        username=str(credentials.get("username", ""))[:150],
        request=request,
    )


@receiver(user_logged_out, dispatch_uid="accounts-signed-out")
def signed_out(sender: Any, request, user, **kwargs: Any) -> None:
    if request is not None and request.session.session_key:
        StaffSession.objects.filter(session_key=request.session.session_key).delete()
    if user is not None:
        record(SignInStep.SIGNED_OUT, user=user, request=request)


@receiver(events.mfa_verified, dispatch_uid="accounts-factor-accepted")
def factor_accepted(sender: Any, user, method: str, request=None, **kwargs: Any) -> None:
    record(SignInStep.FACTOR_ACCEPTED, user=user, request=request, detail=method)


@receiver(events.mfa_verification_failed, dispatch_uid="accounts-factor-refused")
def factor_refused(sender: Any, user, method: str, request=None, **kwargs: Any) -> None:
    record(SignInStep.FACTOR_REFUSED, user=user, request=request, detail=method)


@receiver(events.factor_added, dispatch_uid="accounts-factor-added")
def factor_added(sender: Any, user, authenticator, request=None, **kwargs: Any) -> None:
    ended = sessions.end_other_sessions(user, keep=request)
    record(
        SignInStep.ENROLLED,
        user=user,
        request=request,
        detail=f"{authenticator.get_type_display()}; other sessions ended: {ended}",
    )


@receiver(events.factor_removed, dispatch_uid="accounts-factor-removed")
def factor_removed(sender: Any, user, factor_type: str, request=None, **kwargs: Any) -> None:
    ended = sessions.end_other_sessions(user, keep=request)
    record(
        SignInStep.FACTOR_REMOVED,
        user=user,
        request=request,
        detail=f"{factor_type}; other sessions ended: {ended}",
    )
