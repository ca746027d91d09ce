"""Sessions that end: after a working day without activity, after a week in all, and at
once for every other session of an account whose second factor changed or that was
disabled. The limits are settings (STAFF_SESSION_IDLE_HOURS, STAFF_SESSION_MAX_DAYS);
docs/staff-accounts.md explains them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.backends.base import UpdateError
from django.http import HttpRequest, HttpResponse

from mss_tracker.accounts.models import SignInStep, StaffSession
from mss_tracker.accounts.records import record
from mss_tracker.lib.busy import if_free, is_busy

SIGNED_IN_AT = "staff_signed_in_at"
LAST_SEEN = "staff_last_seen"
# Activity is written to the session at most this often, not on every request.
LAST_SEEN_RESOLUTION = 60


def start(request: HttpRequest, user: AbstractBaseUser) -> None:
    """A new session: when it began, and that it belongs to `user`."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    if request.session.session_key is None:
        request.session.save()
    StaffSession.objects.update_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )


def end_other_sessions(user: AbstractBaseUser, keep: HttpRequest | None = None) -> int:
    """End every open session of `user` but the one of `keep` (the request that asked)."""
    kept = keep.session.session_key if keep is not None else None
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in StaffSession.objects.filter(user=user).exclude(session_key=kept or ""):
        store(session_key=session.session_key).delete()
        session.delete()
        ended += 1
    return ended


def expiry(request: HttpRequest, now: int) -> str | None:
    """Why this session has ended, or None while it is alive."""
    signed_in_at = request.session.get(SIGNED_IN_AT)
    last_seen = request.session.get(LAST_SEEN, signed_in_at)
    if signed_in_at is None:
        return None  # begun before these limits: it starts counting now
    if now - signed_in_at > settings.STAFF_SESSION_MAX_DAYS * 86_400:
        return f"signed in more than {settings.STAFF_SESSION_MAX_DAYS} days ago"
    if now - last_seen > settings.STAFF_SESSION_IDLE_HOURS * 3_600:
        return f"inactive for more than {settings.STAFF_SESSION_IDLE_HOURS} hours"
    return None


class SessionLimitsMiddleware:
    """Signs out a session past its limits before the view sees the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seen_at = None
        if request.user.is_authenticated:
            now = int(time.time())
            reason = expiry(request, now)
            if reason is not None:
                user = request.user
                logout(request)
                record(SignInStep.SESSION_EXPIRED, user=user, request=request, detail=reason)
            elif request.session.get(SIGNED_IN_AT) is None:
                request.session[SIGNED_IN_AT] = request.session[LAST_SEEN] = now
            elif now - request.session.get(LAST_SEEN, 0) >= LAST_SEEN_RESOLUTION:
                seen_at = now
        session_key = request.session.session_key
        response = self.get_response(request)
        if seen_at is not None and request.session.session_key == session_key:
            note_activity(request, seen_at)
        return response


def note_activity(request: HttpRequest, now: int) -> None:
    """Stamp the session's activity. With other changes to the session, the stamp is
    saved with them; alone, it is saved only if the database can take it at once: on
    SQLite an import may hold the write lock for a minute, and a page that only reads
    must not wait for it (lib/busy.py). A stamp left unsaved is written by a later page."""
    modified = request.session.modified
    request.session[LAST_SEEN] = now
    if not modified:
        try:
            if_free(request.session.save)
        except UpdateError as error:  # the session store's name for a write that failed
            if not is_busy(error.__context__ or error):
                raise
        request.session.modified = False
