"""Login throttling (django-axes): whose address a login comes from, and the lockout page.

Failed logins are counted per (username, client address) pair, so the address must be
the client's, not the proxy's, and must be one the client cannot choose. That is
REMOTE_ADDR, the connection's own address, unless the connection comes from one of the
proxies in FORWARDED_ALLOW_IPS (the one list gunicorn trusts too). Each such proxy
appends the address it received the request from to X-Forwarded-For (nginx's
`$proxy_add_x_forwarded_for`), so reading from the right, past the entries of trusted
proxies, the first other address is the client: everything left of it was written by
the client and may be forged. A client that reaches the app directly cannot use the
header at all.
"""

from __future__ import annotations

import ipaddress
import math
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted_proxy(remote_addr: str) -> bool:
    """Whether a connection from `remote_addr` comes from a proxy in FORWARDED_ALLOW_IPS.

    A connection without an IP address (a unix socket, whose REMOTE_ADDR is empty) can only
    come from this machine, where the proxy is: trusted when any proxy is configured, as
    gunicorn does.
    """
    proxies = settings.FORWARDED_ALLOW_IPS
    if not proxies:
        return False
    if not remote_addr:
        return True
    address = _address(remote_addr)
    return address is not None and any(address in network for network in proxies)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or for a connection from a trusted proxy the
    rightmost X-Forwarded-For entry that is not itself a trusted proxy."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(remote_addr):
        return remote_addr or None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for entry in reversed(forwarded):
        if not entry.strip() or is_trusted_proxy(entry.strip()):
            continue
        address = _address(entry)
        # Written by a trusted proxy, so an address; anything else means a misconfigured
        # proxy, and the connection's own address is the one that cannot be forged.
        return str(address) if address is not None else remote_addr or None
    return remote_addr or None


# django-axes' AccessAttempt.username column; Django's login form does not stop a longer one.
USERNAME_MAX_LENGTH = 255


def client_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The username a login attempt is counted under: as typed, cut to what django-axes
    can store (no account's name is that long, so nothing is confused with one)."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return username[:USERNAME_MAX_LENGTH] if isinstance(username, str) else username


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, object] | None = None,
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
        request,
        "admin/locked_out.html",
        context,
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    ).render()
