"""DASHBOARDS_REQUIRE_LOGIN=true: only logged-in staff see the dashboards and exports."""

import pytest

MIDDLEWARE = "django.contrib.auth.middleware.LoginRequiredMiddleware"


@pytest.fixture
def login_required(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]


def test_the_dashboards_are_public_by_default(client, mission, settings):
    assert MIDDLEWARE not in settings.MIDDLEWARE
    assert client.get("/").status_code == 200


def test_anonymous_visitors_are_sent_to_log_in_and_back(client, mission, login_required):
    response = client.get("/missions/mss/export/summary.csv?as_of=2025-01-01")

    assert response.status_code == 302
    assert response["Location"] == (
        "/admin/login/?next=/missions/mss/export/summary.csv%3Fas_of%3D2025-01-01"
    )


def test_analysts_see_the_dashboards(analyst_client, mission, login_required):
    assert analyst_client.get("/").status_code == 200
    assert analyst_client.get("/missions/mss/").status_code == 200


def test_the_login_page_and_the_health_check_stay_open(client, db, login_required):
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/favicon.ico").status_code == 302
    assert client.get("/favicon.ico")["Location"].endswith("favicon.svg")


@pytest.mark.slow
def test_the_variable_switches_the_middleware_on():
    from tests.test_settings import clean_environment, settings_in

    found = settings_in(
        clean_environment(DEBUG="true", DASHBOARDS_REQUIRE_LOGIN="true"), "MIDDLEWARE"
    )

    middleware = found["MIDDLEWARE"]
    assert middleware.index(MIDDLEWARE) == (
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    )
