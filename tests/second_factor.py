"""Test helpers for the staff accounts' second factor (django-mfa).

The test settings leave STAFF_SECOND_FACTOR off (DEBUG is on when they load, as for the
demo); a test that wants it switches it on with `enforced(settings)`, which does at run time
what production settings do at start-up, and signs accounts in with these helpers.
"""

from __future__ import annotations

import re
import time

from django.contrib.auth.models import User
from django.test import Client
from django_mfa import session as mfa_session
from django_mfa.crypto import encrypt
from django_mfa.models import Authenticator
from django_mfa.totp import TOTP

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "correct horse battery"


def enforced(settings) -> None:
    """The second factor required of every staff account, as STAFF_SECOND_FACTOR does."""
    settings.STAFF_SECOND_FACTOR = True
    settings.MFA_PROTECT_ADMIN = True


def code(secret: str = SECRET) -> str:
    return TOTP(secret).now()


def give_authenticator_app(user: User, secret: str = SECRET) -> Authenticator:
    return Authenticator.objects.create(user=user, type="totp", data={"secret": encrypt(secret)})


def mark_verified(client: Client) -> None:
    """Mark the client's session as having passed its second factor just now."""
    session = client.session
    session[mfa_session.SESSION_KEY] = {"verified": True, "method": "totp", "at": int(time.time())}
    session.save()


def signed_in_with_second_factor(user: User) -> Client:
    """A client whose session has passed both steps, for an account that has a factor."""
    if not Authenticator.objects.filter(user=user, type="totp").exists():
        give_authenticator_app(user)
    client = Client()
    client.force_login(user)
    mark_verified(client)
    return client


def sign_in_with_password(client: Client, username: str, password: str = PASSWORD):
    return client.post("/admin/login/", {"username": username, "password": password})


def secret_on(page: str) -> str:
    return re.search(r'name="secret_key" value="([A-Z2-7]+)"', page).group(1)
