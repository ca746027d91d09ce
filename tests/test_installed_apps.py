"""The measuring tools (mss_tracker/bench) are development code: a server with DEBUG off
never installs them, and `manage.py bench` and `generate_data` still run.

settings.py is run afresh for each case, with the command line and environment the case
describes, so no subprocess is needed (not with `runpy`, which replaces `sys.argv[0]`, the
very thing settings.py reads).
"""

import sys
from pathlib import Path

import pytest
from django.conf import settings

SETTINGS = Path(settings.BASE_DIR) / "mss_tracker" / "settings.py"
BENCH = "mss_tracker.bench"


def installed_apps(monkeypatch, argv: list[str], **env: str) -> list[str]:
    for name in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "argv", argv)
    namespace = {"__file__": str(SETTINGS), "__name__": "settings_under_test"}
    exec(compile(SETTINGS.read_text(), str(SETTINGS), "exec"), namespace)
    return namespace["INSTALLED_APPS"]


PRODUCTION = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "tracker.example.org"}


@pytest.mark.parametrize(
    "argv",
    [
        ["/srv/.venv/bin/gunicorn"],
        ["manage.py", "runserver"],
        ["manage.py", "migrate"],
        ["manage.py", "import_csv"],
    ],
)
def test_production_does_not_install_the_measuring_tools(monkeypatch, argv):
    apps = installed_apps(monkeypatch, argv, **PRODUCTION)
    assert BENCH not in apps
    assert "mss_tracker.tracker" in apps and "mss_tracker.dashboards" in apps


def test_a_server_with_debug_off_stated_does_not_install_them(monkeypatch):
    apps = installed_apps(monkeypatch, ["manage.py", "runserver"], DEBUG="false", **PRODUCTION)
    assert BENCH not in apps


@pytest.mark.parametrize("command", ["bench", "generate_data"])
def test_their_own_commands_install_them(monkeypatch, command):
    assert BENCH in installed_apps(monkeypatch, ["manage.py", command])


@pytest.mark.parametrize(
    ("argv", "env"),
    [(["manage.py", "demo"], {}), (["manage.py", "runserver"], {"DEBUG": "true"})],
)
def test_development_installs_them(monkeypatch, argv, env):
    assert BENCH in installed_apps(monkeypatch, argv, **env)


def test_the_test_suite_has_them():
    assert BENCH in settings.INSTALLED_APPS
