"""Login throttling: repeated failed logins lock that username from that address for a
while, and nothing else; behind a configured proxy, X-Forwarded-For tells clients apart."""

import datetime
import ipaddress

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client, RequestFactory
from test_settings import clean_environment, run, settings_in

from mss_tracker.lib.throttling import client_ip

PASSWORD = "correct horse battery"  # tests/conftest.py
HOME = "203.0.113.5"
ELSEWHERE = "198.51.100.7"
PROXY = "10.0.0.2"


def log_in(username: str, password: str, address: str = HOME, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return Client().post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        headers=headers,
    )


def fail(times: int, username: str = "editor", address: str = HOME, forwarded=None):
    return [log_in(username, "wrong", address, forwarded) for _ in range(times)]


def is_locked_out(response) -> bool:
    return response.status_code == 429


def logged_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"] == "/admin/"


@pytest.fixture
def limit(settings) -> int:
    return settings.AXES_FAILURE_LIMIT


def test_it_locks_a_username_from_an_address_after_the_failure_limit(editor, limit):
    *before, last = fail(limit)

    assert [response.status_code for response in before] == [200] * (limit - 1)
    assert is_locked_out(last)
    assert is_locked_out(log_in("editor", PASSWORD))  # even the right password


def test_the_lockout_page_says_why_and_for_how_long_in_the_admin_design(editor, limit):
    response = fail(limit)[-1]

    html = response.content.decode()
    assert response.status_code == 429
    assert "admin/locked_out.html" in [t.name for t in response.templates]
    assert (
        "Too many failed logins for this username from your address; try again in 15 minutes."
        in html
    )
    assert 'id="site-name"' in html  # the admin's header


def test_another_username_from_the_same_address_still_gets_in(editor, analyst, limit):
    fail(limit, "editor")

    assert logged_in(log_in("analyst", PASSWORD))


def test_the_same_username_from_another_address_still_gets_in(editor, limit):
    fail(limit, "editor", HOME)

    assert logged_in(log_in("editor", PASSWORD, ELSEWHERE))


def test_failures_under_the_limit_are_forgotten_after_a_successful_login(editor, limit):
    fail(limit - 1)
    assert logged_in(log_in("editor", PASSWORD))

    assert not is_locked_out(fail(limit - 1)[-1])


def test_the_lock_lifts_after_the_cool_off_time(editor, limit, settings):
    fail(limit)
    assert is_locked_out(log_in("editor", PASSWORD))

    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    )

    assert logged_in(log_in("editor", PASSWORD))


def test_an_attempt_during_the_lockout_starts_the_cool_off_again(editor, limit, settings):
    fail(limit)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME / 2)

    assert is_locked_out(log_in("editor", PASSWORD))
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME / 2)
    assert is_locked_out(log_in("editor", PASSWORD))


# Behind a proxy --------------------------------------------------------------------------------


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(editor, limit):
    """A client cannot dodge the lock by sending a different X-Forwarded-For each time."""
    for attempt in range(limit):
        response = log_in("editor", "wrong", HOME, forwarded=f"192.0.2.{attempt}")

    assert is_locked_out(response)


def proxies(*networks: str) -> list:
    return [ipaddress.ip_network(network) for network in networks]


def test_behind_a_trusted_proxy_x_forwarded_for_tells_clients_apart(editor, limit, settings):
    settings.FORWARDED_ALLOW_IPS = proxies(PROXY)
    fail(limit, "editor", PROXY, forwarded=HOME)

    assert is_locked_out(log_in("editor", PASSWORD, PROXY, forwarded=HOME))
    assert logged_in(log_in("editor", PASSWORD, PROXY, forwarded=ELSEWHERE))


def test_behind_a_trusted_proxy_the_client_cannot_forge_its_address(editor, limit, settings):
    """nginx appends the address it saw; whatever the client put before it is ignored."""
    settings.FORWARDED_ALLOW_IPS = proxies(PROXY)
    for attempt in range(limit):
        response = log_in("editor", "wrong", PROXY, forwarded=f"192.0.2.{attempt}, {HOME}")

    assert is_locked_out(response)


def test_x_forwarded_for_from_a_connection_that_is_not_a_proxy_is_ignored(editor, limit, settings):
    """The proxy is configured, but this client reached the app directly."""
    settings.FORWARDED_ALLOW_IPS = proxies(PROXY)
    for attempt in range(limit):
        response = log_in("editor", "wrong", HOME, forwarded=f"192.0.2.{attempt}")

    assert is_locked_out(response)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], PROXY, "192.0.2.1", PROXY),  # no proxy configured
        ([PROXY], HOME, "192.0.2.1", HOME),  # not from the proxy: the header is the client's
        ([PROXY], PROXY, "", PROXY),  # from the proxy, without the header
        ([PROXY], PROXY, HOME, HOME),
        ([PROXY], PROXY, f"192.0.2.1, {HOME}", HOME),  # counted from the right
        ([PROXY, "10.0.0.1"], PROXY, f"192.0.2.1, {HOME}, 10.0.0.1", HOME),  # past proxies
        (["10.0.0.0/8"], PROXY, f"192.0.2.1, {HOME}, 10.0.0.1", HOME),  # a network
        ([PROXY], PROXY, f"{HOME}, not-an-address", PROXY),  # a broken proxy: its own address
        ([PROXY], PROXY, "2001:db8::1", "2001:db8::1"),
        ([PROXY], "", HOME, HOME),  # a unix socket: only this machine, the proxy, connects
    ],
)
def test_the_client_address_comes_from_the_trusted_proxies_only(
    settings, trusted, remote, forwarded, expected
):
    settings.FORWARDED_ALLOW_IPS = proxies(*trusted)
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR=remote)
    if forwarded:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded

    assert client_ip(request) == expected


# Configuration ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_limits_come_from_the_environment():
    env = clean_environment(
        DEBUG="true",
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF_MINUTES="60",
        FORWARDED_ALLOW_IPS="127.0.0.1, 10.0.0.0/8",
    )

    found = settings_in(env, "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME", "FORWARDED_ALLOW_IPS")

    assert found == {
        "AXES_FAILURE_LIMIT": 3,
        "AXES_COOLOFF_TIME": "1:00:00",
        "FORWARDED_ALLOW_IPS": ["127.0.0.1/32", "10.0.0.0/8"],
    }


@pytest.mark.parametrize(
    ("variable", "value", "why"),
    [
        ("AXES_FAILURE_LIMIT", "0", "must be at least 1"),
        ("AXES_COOLOFF_MINUTES", "soon", "is not a whole number"),
        ("FORWARDED_ALLOW_IPS", "*", "is not an IP address or network"),
        ("FORWARDED_ALLOW_IPS", "10.0.0.1/8", "is not an IP address or network"),
        ("TRUSTED_PROXY_COUNT", "1", "is no longer read: list the proxies' addresses"),
    ],
)
@pytest.mark.slow
def test_a_bad_value_stops_start_up(variable, value, why):
    result = run(["manage.py", "check"], clean_environment(DEBUG="true", **{variable: value}))

    assert result.returncode != 0
    assert f"Configuration error: {variable}" in result.stderr
    assert why in result.stderr


# Hostile input ---------------------------------------------------------------------------------


def test_a_username_longer_than_any_account_is_a_failed_login_not_an_error(editor, limit):
    """django-axes stores the username it was given (255 characters at most)."""
    responses = fail(limit, "x" * 1000)

    assert [response.status_code for response in responses[:-1]] == [200] * (limit - 1)
    assert is_locked_out(responses[-1])
    assert logged_in(log_in("editor", PASSWORD))


@pytest.mark.parametrize("username", ["edi\x00tor", "\x00" * 300])
def test_a_username_with_a_nul_byte_is_a_failed_login_not_an_error(editor, username):
    response = log_in(username, PASSWORD)

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
