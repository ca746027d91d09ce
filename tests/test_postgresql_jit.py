"""PostgreSQL connections run without JIT compilation (lib/env.py, docs/performance.md
"JIT"): the pages' queries carry many small subplans whose estimated cost crosses
jit_above_cost once a mission has tens of thousands of events, and compiling them cost
a dashboard query 285 of its 294 ms."""

import pytest
from django.db import connection

from mss_tracker.lib.env import envdatabase


def test_a_postgresql_url_turns_jit_off_and_keeps_options_it_gave(monkeypatch):
    monkeypatch.setenv("DB", "postgres://u@h:5432/d")
    assert envdatabase("DB", "sqlite:///unused")["OPTIONS"]["options"] == "-c jit=off"
    monkeypatch.setenv("DB", "postgres://u@h:5432/d?options=-c%20statement_timeout%3D5000")
    options = envdatabase("DB", "sqlite:///unused", pool_size=2)["OPTIONS"]
    assert options["options"] == "-c statement_timeout=5000 -c jit=off"
    assert options["pool"]["max_size"] == 2
    monkeypatch.setenv("DB", "sqlite:///x.sqlite3")
    assert "options" not in envdatabase("DB", "sqlite:///unused")["OPTIONS"]


@pytest.mark.django_db
def test_the_application_s_connection_has_jit_off():
    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
