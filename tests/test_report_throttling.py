"""The error report form's hourly limit holds through gunicorn with several workers: the
count is in the database, not in one worker's memory."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from test_client_address import gunicorn
from test_settings import production_environment, run

from mss_tracker.tracker.models.reports import REPORTS_PER_HOUR

pytestmark = pytest.mark.slow  # starts gunicorn

CREATE_MISSION = (
    "import datetime; from mss_tracker.tracker.models import Country, Mission; "
    "haiti = Country.objects.get_or_create_from_iso3('HTI'); "
    "Mission.objects.create(slug='mss', acronym='MSS', name='MSS', host_country=haiti, "
    "authorized_by='Resolution 2699', authorized_on=datetime.date(2023, 10, 2), "
    "start_date=datetime.date(2024, 6, 25))"
)
PATH = "/missions/mss/report-an-error/"


def send_report(server, **headers: str) -> int:
    form = server.request("GET", PATH, **headers)
    assert form.status == 200
    cookie = SimpleCookie(form.headers["Set-Cookie"])["csrftoken"].value
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)[1].decode()
    body = urlencode(
        {
            "csrfmiddlewaretoken": token,
            "message": "The figure is out of date.",
            "source_url": "https://example.org/briefing",
        }
    )
    response = server.request(
        "POST",
        PATH,
        body,
        **{
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            **headers,
        },
    )
    return response.status


def test_the_limit_holds_across_gunicorn_workers(tmp_path):
    with gunicorn(tmp_path, FORWARDED_ALLOW_IPS="127.0.0.1", WEB_CONCURRENCY="3") as server:
        result = run(["manage.py", "shell", "-c", CREATE_MISSION], production_environment(tmp_path))
        assert result.returncode == 0, result.stderr
        reader = {"X-Forwarded-For": "203.0.113.5"}
        sent = [send_report(server, **reader) for _attempt in range(REPORTS_PER_HOUR + 3)]
        other = send_report(server, **{"X-Forwarded-For": "198.51.100.7"})

    assert sent == [302] * REPORTS_PER_HOUR + [429] * 3
    assert other == 302
