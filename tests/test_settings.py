"""Configuration from environment variables, as an administrator meets it at start-up.

Settings are read once, at import, so each test starts a fresh Python process with the
environment it describes.
"""

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow  # every test here starts manage.py or gunicorn

BASE_DIR = Path(settings.BASE_DIR)
PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name, None) for name in %r}, default=str))
"""


def our_variables() -> set[str]:
    """Every variable the README's configuration table documents."""
    readme = (BASE_DIR / "README.md").read_text()
    return set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE))


def clean_environment(**variables: str) -> dict[str, str]:
    """This process's environment without any of our variables, plus `variables`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in our_variables() and not name.startswith(("DJANGO_", "PYTEST_"))
    }
    return {**env, **variables}


def production_environment(tmp_path: Path) -> dict[str, str]:
    """The production environment documented in the README, with a real secret key."""
    readme = (BASE_DIR / "README.md").read_text()
    block = readme.split("<!-- production-env -->")[1].split("<!-- /production-env -->")[0]
    variables = dict(re.findall(r"^([A-Z_]+)=(\S*)$", block, flags=re.MULTILINE))
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"} <= variables.keys()
    variables["SECRET_KEY"] = secrets.token_urlsafe(50)
    variables["DATABASE_URL"] = f"sqlite:///{tmp_path / 'production.sqlite3'}"
    variables["STATIC_ROOT"] = str(tmp_path / "static")
    return clean_environment(**variables)


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=120
    )


def settings_in(env: dict[str, str], *names: str) -> dict:
    result = run(
        ["-c", PRINT_SETTINGS % (names,)], {**env, "DJANGO_SETTINGS_MODULE": "mss_tracker.settings"}
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# Bad values stop start-up ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "why"),
    [
        ("DEBUG", "maybe", "is not a boolean"),
        ("DATABASE_URL", "mysql://db/mss", "only sqlite:// and postgres:// URLs"),
        ("DATABASE_URL", "not a url", "is not a database URL"),
        ("DATABASE_CONN_MAX_AGE", "forever", "is not a whole number"),
        ("LOG_LEVEL", "loud", "is not one of: DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("CSRF_TRUSTED_ORIGINS", "tracker.example.org", "is not an origin"),
        ("SECURE_HSTS_SECONDS", "-1", "must be at least 0"),
        ("USE_X_FORWARDED_PROTO", "sometimes", "is not a boolean"),
        ("CSV_IMPORT_MAX_BYTES", "lots", "is not a whole number"),
        ("DASHBOARD_CACHE_SECONDS", "-5", "must be at least 0"),
        ("DASHBOARD_CACHE_SECONDS", "86401", "must be at most 86400"),
        ("DASHBOARD_CACHE_MAX_BYTES", "1MB", "is not a whole number"),
        ("CACHE_TIMEOUT_MS", "0", "must be at least 1"),
        ("CACHE_RETRY_SECONDS", "soon", "is not a whole number"),
        ("DATABASE_POOL_SIZE", "big", "is not a whole number"),
        ("CACHE_URL", "memcached://127.0.0.1:11211", "is not a Redis URL"),
        ("CACHE_URL", "redis://127.0.0.1:port/1", "is not a Redis URL"),
        ("CACHE_URL", "redis://127.0.0.1:6379/cache", "is not a Redis URL"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_message_naming_the_variable(variable, value, why):
    env = clean_environment(**{"DEBUG": "true", variable: value})

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert f"Configuration error: {variable}" in result.stderr
    assert why in result.stderr
    assert "Traceback" not in result.stderr


def test_without_debug_a_secret_key_is_required(tmp_path):
    env = production_environment(tmp_path)
    del env["SECRET_KEY"]

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_without_debug_allowed_hosts_are_required(tmp_path):
    env = {**production_environment(tmp_path), "ALLOWED_HOSTS": ""}

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when DEBUG is off" in result.stderr


def test_one_off_commands_need_no_secret_key(tmp_path):
    env = production_environment(tmp_path)
    del env["SECRET_KEY"]

    result = run(["manage.py", "migrate", "--check"], env)

    assert "SECRET_KEY" not in result.stderr


def test_debug_is_off_by_default():
    assert settings_in(clean_environment(SECRET_KEY="x" * 50, ALLOWED_HOSTS="a"), "DEBUG") == {
        "DEBUG": False
    }


def test_the_page_cache_is_per_process_unless_cache_url_names_a_redis():
    default = settings_in(clean_environment(DEBUG="true"), "CACHES")["CACHES"]["default"]
    redis = settings_in(
        clean_environment(DEBUG="true", CACHE_URL="redis://127.0.0.1:6379/1"), "CACHES"
    )["CACHES"]["default"]

    assert default["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert redis == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
        # A Redis that does not answer costs a page 250 ms, not a worker (caching.py).
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }
    timeout = settings_in(
        clean_environment(DEBUG="true", CACHE_URL="redis://h:6379/1", CACHE_TIMEOUT_MS="100"),
        "CACHES",
    )["CACHES"]["default"]["OPTIONS"]
    assert timeout == {"socket_connect_timeout": 0.1, "socket_timeout": 0.1}


def test_the_database_defaults_to_sqlite_in_the_project_folder():
    database = settings_in(clean_environment(DEBUG="true"), "DATABASES")["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(BASE_DIR / "db.sqlite3")


def test_a_postgres_url_selects_postgresql():
    env = clean_environment(DEBUG="true", DATABASE_URL="postgres://mss:pw@db.internal:5433/mss")

    database = settings_in(env, "DATABASES")["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5433, "mss")


# Production ---------------------------------------------------------------------------------


def test_production_settings_are_https_only(tmp_path):
    found = settings_in(
        production_environment(tmp_path),
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "X_FRAME_OPTIONS",
        "SECURE_REFERRER_POLICY",
        "STORAGES",
    )

    assert found["DEBUG"] is False
    assert found["SESSION_COOKIE_SECURE"] is True
    assert found["CSRF_COOKIE_SECURE"] is True
    assert found["SECURE_SSL_REDIRECT"] is True
    assert found["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert found["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["X_FRAME_OPTIONS"] == "DENY"
    assert found["SECURE_REFERRER_POLICY"] == "same-origin"
    assert found["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_the_proxy_header_is_trusted_only_when_asked(tmp_path):
    env = {**production_environment(tmp_path), "USE_X_FORWARDED_PROTO": "false"}

    assert settings_in(env, "SECURE_PROXY_SSL_HEADER") == {"SECURE_PROXY_SSL_HEADER": None}


def test_check_deploy_passes_with_the_production_environment_of_the_readme(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_environment(tmp_path),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_collectstatic_writes_hashed_and_compressed_files(tmp_path):
    env = production_environment(tmp_path)

    result = run(["manage.py", "collectstatic", "--noinput"], env)

    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["admin/css/base.css"]
    assert re.fullmatch(r"admin/css/base\.[0-9a-f]{12}\.css", hashed)
    assert (tmp_path / "static" / hashed).exists()
    assert (tmp_path / "static" / f"{hashed}.gz").exists()


# gunicorn -----------------------------------------------------------------------------------


def gunicorn_setting(name: str, **variables: str) -> object:
    code = f"import runpy; print(repr(runpy.run_path('gunicorn.conf.py')[{name!r}]))"
    result = run(["-c", code], clean_environment(**variables))
    assert result.returncode == 0, result.stderr
    return eval(result.stdout)  # a repr of an int or str we printed ourselves


def test_gunicorn_runs_two_workers_per_core_plus_one_by_default():
    assert gunicorn_setting("workers") == 2 * os.cpu_count() + 1


def test_gunicorn_workers_come_from_web_concurrency():
    assert gunicorn_setting("workers", WEB_CONCURRENCY="3") == 3


def test_gunicorn_refuses_a_bad_web_concurrency():
    code = "import runpy; runpy.run_path('gunicorn.conf.py')"
    result = run(["-c", code], clean_environment(WEB_CONCURRENCY="many"))

    assert result.returncode != 0
    assert "WEB_CONCURRENCY='many' is not a whole number" in result.stderr


def test_gunicorn_replaces_a_worker_rarely_even_at_full_load():
    # About 1,000 requests/s on two workers: 200,000 each is minutes apart, not seconds.
    assert gunicorn_setting("max_requests") == 200_000
    assert gunicorn_setting("max_requests_jitter") == 20_000
    assert gunicorn_setting("max_requests", GUNICORN_MAX_REQUESTS="0") == 0


def test_gunicorn_times_out_stuck_requests_and_logs_to_stdout():
    assert gunicorn_setting("timeout") == 30
    assert gunicorn_setting("accesslog") == "-"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": "tracker.example.org", **headers})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_gunicorn_serves_the_app_and_hashed_static_files_in_production(tmp_path):
    port = free_port()
    env = {**production_environment(tmp_path), "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    assert run(["manage.py", "collectstatic", "--noinput"], env).returncode == 0
    hashed = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"][
        "admin/css/base.css"
    ]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn"],
        env=env,
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _attempt in range(100):
            try:
                health = get(port, "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        https = {"X-Forwarded-Proto": "https"}

        assert (health.status, health.body) == (200, b"ok")  # probes may use plain HTTP
        plain = get(port, "/admin/login/")
        assert plain.status == 301
        assert plain.headers["Location"] == "https://tracker.example.org/admin/login/"
        login = get(port, "/admin/login/", **https)
        assert login.status == 200
        assert "max-age=31536000" in login.headers["Strict-Transport-Security"]
        assert login.headers["X-Frame-Options"] == "DENY"
        assert login.headers["Referrer-Policy"] == "same-origin"
        assert "Secure" in login.headers["Set-Cookie"]
        assert hashed.encode() in login.body
        static = get(port, f"/static/{hashed}", **https)
        assert static.status == 200
        assert "immutable" in static.headers["Cache-Control"]
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert '"GET /healthz HTTP/1.1" 200' in output  # the access log, on stdout
