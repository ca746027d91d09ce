"""The Content Security Policy header: on every page, the admin and the error pages included,
strict (no 'unsafe-inline', no 'unsafe-eval'), and the pages need nothing it forbids.

tests/test_csp.py shows the same in a real browser.
"""

import re

import pytest
from django.test import Client
from django.urls import path

from mss_tracker.urls import urlpatterns as site_urlpatterns


def failing_view(request):
    raise RuntimeError("a bug")


# For the 500 page: the site's URLs plus one view that fails.
urlpatterns = [
    path("boom/", failing_view),
    *site_urlpatterns,
]


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def assert_strict(response) -> dict[str, list[str]]:
    policy = policy_of(response)
    header = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    assert "'unsafe-hashes'" not in header
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert policy["style-src"][0] == "'self'"
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    return policy


def assert_nothing_inline_without_the_nonce(response, policy: dict[str, list[str]]) -> None:
    """Every inline <script> and <style> carries the response's nonce; no style attribute,
    no event handler attribute."""
    html = response.content.decode()
    nonces = {value[len("'nonce-") : -1] for value in policy["script-src"] if "nonce-" in value}
    for tag, attributes, body in re.findall(r"<(script|style)\b([^>]*)>(.*?)</\1>", html, re.S):
        if tag == "script" and "src=" in attributes:
            continue
        if body.strip():
            found = re.search(r'nonce="([^"]+)"', attributes)
            assert found and found.group(1) in nonces, f"inline <{tag}> without the nonce"
    assert not re.search(r"<[^>]+\sstyle=", html), "a style attribute"
    assert not re.search(r"<[^>]+\son[a-z]+=", html), "an event handler attribute"


PUBLIC_PAGES = [
    "/",
    "/missions/mss/?as_of=2025-01-05&type=police",
    "/missions/mss/countries/KEN/",
    "/missions/mss/events/?kind=arrival",
    "/missions/mss/chart.svg",
    "/missions/mss/countries/KEN/chart.svg",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_the_public_pages_have_a_strict_policy_and_need_no_inline_code(
    client, sample_missions, path
):
    response = client.get(path)

    assert response.status_code == 200
    policy = assert_strict(response)
    assert_nothing_inline_without_the_nonce(response, policy)


def test_an_htmx_swap_has_the_policy_too(client, sample_missions):
    response = client.get("/missions/mss/?as_of=2024-08-01", headers={"HX-Request": "true"})

    assert_strict(response)
    assert "<script" not in response.content.decode()


def test_htmx_is_configured_to_need_neither_inline_styles_nor_eval(client, sample_missions):
    html = client.get("/").content.decode()

    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1)
    assert '"includeIndicatorStyles": false' in config
    assert '"allowEval": false' in config
    assert '"allowScriptTags": false' in config


@pytest.mark.parametrize(
    ("path", "status"),
    [("/missions/nowhere/", 404), ("/missions/mss/?as_of=2025-02-30", 400)],
)
def test_the_error_pages_have_the_policy(client, sample_missions, path, status):
    response = client.get(path)

    assert response.status_code == status
    assert_nothing_inline_without_the_nonce(response, assert_strict(response))


@pytest.mark.urls(__name__)
def test_the_500_page_has_the_policy(db):
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert_nothing_inline_without_the_nonce(response, assert_strict(response))


def test_the_admin_login_page_has_the_policy_and_nonces_its_inline_code(client, db):
    response = client.get("/admin/login/")

    policy = assert_strict(response)
    assert any(value.startswith("'nonce-") for value in policy["script-src"])
    assert_nothing_inline_without_the_nonce(response, policy)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/tracker/deploymentevent/?kind__exact=arrival&date__year=2024",
        "/admin/tracker/pledge/",
        "/admin/tracker/mission/",
        "/admin/tracker/deploymentevent/add/",
        "/admin/tracker/deploymentevent/import-csv/",
    ],
)
def test_the_admin_pages_have_the_policy_and_nonce_their_inline_code(
    editor_client, sample_missions, path
):
    response = editor_client.get(path)

    assert response.status_code == 200
    assert_nothing_inline_without_the_nonce(response, assert_strict(response))


@pytest.mark.parametrize("path", ["/admin/axes/accessattempt/", "/admin/auth/user/add/"])
def test_the_administrators_pages_have_the_policy_too(admin_client, path):
    response = admin_client.get(path)

    assert response.status_code == 200
    assert_nothing_inline_without_the_nonce(response, assert_strict(response))


def test_each_response_has_its_own_nonce(client, db):
    first = policy_of(client.get("/admin/login/"))["script-src"]
    second = policy_of(client.get("/admin/login/"))["script-src"]

    assert first != second


def test_the_admin_history_page_needs_no_style_attribute(editor_client, sample_missions):
    from mss_tracker.tracker.models import DeploymentEvent

    event = DeploymentEvent.objects.first()

    response = editor_client.get(f"/admin/tracker/deploymentevent/{event.pk}/history/")

    assert response.status_code == 200
    assert_nothing_inline_without_the_nonce(response, assert_strict(response))


def test_the_favicon_is_served_for_pages_that_name_none(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("favicon.svg")
