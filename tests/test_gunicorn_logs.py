"""What gunicorn and the app log in production, request by request: nothing for a HEAD
request, one line for a wrong Host header; and two servers on one host each keep their own
control socket, or none (gunicorn.conf.py)."""

from __future__ import annotations

import pytest

from mss_tracker.bench.app_servers import Browser, gunicorn, prepare, server_environment

HEADS = [
    "/missions/mss/export/events.csv",
    "/missions/mss/export/pledges.json",
    "/missions/mss/export/summary.csv",
    "/export/missions.csv",
    "/missions/mss/events.atom",
    "/missions/mss/",
]


@pytest.mark.slow  # two gunicorns and manage.py
def test_two_gunicorns_log_what_they_should_and_share_no_control_socket(tmp_path, capfd):
    env = server_environment(
        f"sqlite:///{tmp_path / 'logs.sqlite3'}", tmp_path / "static", LOG_LEVEL="INFO"
    )
    prepare(env)
    control = tmp_path / "first.ctl"
    first_env = {**env, "GUNICORN_CONTROL_SOCKET": str(control)}
    with gunicorn(first_env, workers=1) as first, gunicorn(env, workers=1) as second:
        started = capfd.readouterr().err
        assert control.exists()  # the first server's, where it was asked for
        for path in HEADS:
            response = Browser(first).request("HEAD", path)
            assert response.status == 200 and response.body == b"", path
        for _ in range(3):
            assert Browser(second).get("/", headers={"Host": "evil.example"}).status == 400
        logged = capfd.readouterr().err

    assert started.count("Control socket listening") == 1  # the second has none
    assert f"Control socket listening at {control}" in started
    assert "WARNING" not in logged  # gunicorn said nothing of the HEAD requests' bodies
    lines = [line for line in logged.splitlines() if "Invalid HTTP_HOST" in line]
    assert len(lines) == 3
    assert "Traceback" not in logged
