"""Login throttling (django-axes): whose address a login comes from, and the lockout page.

Failed logins are counted per (username, client address) pair, so the address must be
the client's, not the proxy's, and must be one the client cannot choose. Without a
proxy that is REMOTE_ADDR. Behind TRUSTED_PROXY_COUNT proxies, each of which appends
the address it received the request from to X-Forwarded-For (nginx's
`$proxy_add_x_forwarded_for`), the client is the entry that many places from the right:
everything left of it was written by the client and may be forged.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind trusted proxies the X-Forwarded-For
    entry written by the outermost one."""
    proxies = settings.TRUSTED_PROXY_COUNT
    remote_addr = request.META.get("REMOTE_ADDR")
    if proxies == 0:
        return remote_addr
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if len(forwarded) < proxies:
        # The request did not come through every proxy (or one is misconfigured): the
        # header cannot be trusted, the connection's address can.
        return remote_addr
    return forwarded[-proxies]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """429 with the admin's look: this username is locked from this address for a while.

    Every failed attempt during a lockout starts the cool-off again (django-axes'
    default), so the wait is always the whole cool-off time.
    """
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "cooloff_minutes": minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return TemplateResponse(
        request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    ).render()
