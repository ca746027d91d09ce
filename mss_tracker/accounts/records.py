"""Putting a sign-in step on the record: one row and one log line."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from mss_tracker.accounts.models import SignInRecord, SignInStep
from mss_tracker.lib.throttling import client_ip

logger = logging.getLogger("mss_tracker.accounts")


def record(
    step: SignInStep,
    *,
    user: AbstractBaseUser | None = None,
    username: str = "",
    request: HttpRequest | None = None,
    detail: str = "",
) -> SignInRecord:
    username = username or (user.get_username() if user is not None else "")
    address = client_ip(request) if request is not None else None
    entry = SignInRecord.objects.create(
        user=user if user is not None and user.pk else None,
        username=username[:150],
        step=step,
        ip_address=address,
        detail=detail,
    )
    logger.info(
        "sign-in: %s: %s%s%s",
        username or "?",
        step.label,
        f" from {address}" if address else "",
        f" ({detail})" if detail else "",
    )
    return entry
