"""Two app servers, one database, one task worker (and one Redis when there is one):
an upload on the first server is previewed by the worker, confirmed on the second, and the
result is the same on both, at once.

Real gunicorn processes and the real `manage.py db_worker`, on a SQLite file here (CI's
PostgreSQL run uses its own database for the rest of the suite); mss_tracker/bench/two_servers.py
does the same on PostgreSQL with the load test on top.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import time

import pytest

from mss_tracker.bench.app_servers import (
    EDITOR,
    EVENTS_HEADER,
    Browser,
    create_editor,
    manage,
    prepare,
    server_environment,
    servers,
    visible_text,
    worker,
)

pytestmark = pytest.mark.slow


def arrivals(count: int) -> bytes:
    """`count` arrivals of one Kenyan police officer each, a day apart, in the GSF."""
    start = datetime.date(2025, 12, 11)  # after the sample's last Kenyan headcount (10 Dec)
    lines = [EVENTS_HEADER]
    for day in range(count):
        date = (start + datetime.timedelta(days=day)).isoformat()
        lines.append(
            f"{date},day,gsf,KEN,Kenya,arrival,police,1,false,Test wire,Two servers,"
            f"https://example.org/two-servers,{start.isoformat()},"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def deployed_police(browser: Browser) -> int:
    response = browser.get("/missions/gsf/export/summary.csv?type=police")
    assert response.status == 200
    rows = {row["country_iso3"]: row for row in csv.DictReader(io.StringIO(response.text))}
    return int(rows["KEN"]["deployed"])


def wait_for(browser: Browser, path: str, text: str, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = browser.get(path).text
        if text in page:
            return page
        time.sleep(0.3)
    shown = page.split('id="content-main"')[-1]
    raise AssertionError(f"{path} never said {text!r}; it says:\n{visible_text(shown)[:3000]}")


# A database of its own (13): test_shared_cache.py's gunicorns empty and count theirs (14).
REDIS_URL = "redis://127.0.0.1:6379/13"


def redis_url() -> dict[str, str]:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL).ping()
    except Exception:
        return {}
    return {"CACHE_URL": REDIS_URL}


def test_upload_on_one_server_confirm_on_the_other_see_the_result_on_both(tmp_path):
    env = server_environment(
        f"sqlite:///{tmp_path / 'shared.sqlite3'}", tmp_path / "static", **redis_url()
    )
    prepare(env)
    create_editor(env)

    with servers(env, count=2, workers=1) as (first_url, second_url), worker(env):
        first, second = Browser(first_url), Browser(second_url)
        before = deployed_police(first)
        first.log_in(*EDITOR)
        second.log_in(*EDITOR)

        started = time.monotonic()
        response = first.post(
            "/admin/tracker/deploymentevent/import-csv/",
            {},
            files={"file": ("arrivals.csv", arrivals(300))},
        )
        assert response.status == 302, response.text[:3000]
        assert time.monotonic() - started < 5  # the upload does not wait for the check
        job_path = response.headers["location"]
        assert re.fullmatch(r"/admin/tracker/importjob/\d+/change/", job_path)

        # The worker previews it; the page on either server shows the same preview.
        wait_for(first, job_path, "Ready to confirm")
        page = wait_for(second, job_path, "Confirm: import 300 events")
        assert "<strong>300</strong> rows to create" in page

        response = second.post(job_path, {"action": "confirm"})
        assert response.status == 302
        done = wait_for(first, job_path, "Imported on")
        assert "<strong>300</strong> rows written (300 created, 0 updated)" in done

        assert deployed_police(first) == before + 300
        assert deployed_police(second) == before + 300
        imports = second.get("/admin/tracker/importjob/").text
        assert "arrivals.csv" in imports and "Imported" in imports
        status = json.loads(manage(env, "shell", "-v0", "-c", STATUS).splitlines()[-1])
        assert status == {"job": "imported", "tasks": ["SUCCESSFUL", "SUCCESSFUL"]}


STATUS = """
import json
from django_tasks_db.models import DBTaskResult
from mss_tracker.tracker.import_jobs import ImportJob
print(json.dumps({
    "job": ImportJob.objects.get().status,
    "tasks": list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True)),
}))
"""
