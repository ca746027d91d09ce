"""`manage.py check_timelines`: every derived timeline point and mission total is derived
afresh from the events and compared with what is stored; a difference is reported by
mission, country, type and date with a non-zero exit, and `--repair` rebuilds it and
bumps the data version, so cached pages follow. Stale carried-over transfers are
reported too (docs/reliability.md, "Derived data checked")."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dashboard_data import event
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from mss_tracker.tracker.carry_over import carry_over, proposed_transfers, update_transfers
from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.csv.spec import EVENT_COLUMNS
from mss_tracker.tracker.data_version import current_data_version
from mss_tracker.tracker.models import (
    DeploymentEvent,
    Mission,
    MissionTotalPoint,
    Source,
    TimelinePoint,
)
from mss_tracker.tracker.timeline_check import find_differences, stale_carry_overs

D = datetime.date
CLEAN = (
    "Every timeline point and mission total matches the events; no carried-over transfer is stale."
)


def check(*args: str) -> tuple[int, str]:
    """Run the command: (its exit status, what it printed on stdout and stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_timelines", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + err.getvalue() + str(exc)
    return 0, out.getvalue() + err.getvalue()


def raw(sql: str, params: list | None = None) -> None:
    """A write no code path sees (a fix in psql, a partial restore)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def kenya_police_point(gsf, day) -> TimelinePoint:
    return TimelinePoint.objects.get(mission=gsf, country="KEN", personnel_type="police", date=day)


def test_the_sample_missions_are_clean(sample_missions):
    assert check() == (0, CLEAN + "\n")


def test_a_point_corrupted_by_raw_sql_is_found_named_and_repaired(sample_missions):
    gsf = sample_missions.gsf
    raw(
        "UPDATE tracker_timelinepoint SET deployed = 999 WHERE mission_id = %s "
        "AND country_id = 'KEN' AND personnel_type = 'police' AND date = %s",
        [gsf.pk, D(2025, 12, 8)],
    )
    status, output = check()
    assert status == 1
    assert (
        "GSF, Kenya (KEN), police, 2025-12-08, timeline point: deployed 999 stored, "
        "930 from the events"
    ) in output
    assert "Found 1 timeline point and 0 mission totals that differ from the events" in output
    assert "Run check_timelines --repair" in output

    before = current_data_version()
    status, output = check("--repair")
    assert status == 0, output
    assert "Rebuilt the timelines and totals that differed in 1 mission" in output
    assert current_data_version() > before
    assert kenya_police_point(gsf, D(2025, 12, 8)).deployed == 930
    assert check() == (0, CLEAN + "\n")


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("deployed_change", 5, "deployed_change 5 stored, 230 from the events"),
        ("fatalities_to_date", 2, "fatalities_to_date 2 stored, 0 from the events"),
        ("first_arrival", None, "first_arrival empty stored, 2025-12-08 from the events"),
        (
            "deployed_disputed_by",
            None,
            "deployed_disputed_by empty stored, {report} from the events",
        ),
        ("deployed_unconfirmed", 40, "deployed_unconfirmed 40 stored, 930 from the events"),
        ("report_unaccounted", 3, "report_unaccounted 3 stored, empty from the events"),
        ("events_to_date", 1, "events_to_date 1 stored, 2 from the events"),
    ],
)
def test_every_derived_column_is_compared(sample_missions, column, value, shown):
    gsf = sample_missions.gsf
    raw(
        f"UPDATE tracker_timelinepoint SET {column} = %s WHERE mission_id = %s "
        "AND country_id = 'KEN' AND personnel_type = 'police' AND date = %s",
        [value, gsf.pk, D(2025, 12, 8)],
    )
    report = DeploymentEvent.objects.get(mission=gsf, country="KEN", kind="strength_report")
    shown = shown.format(report=report.pk)  # disputed: the point names its report
    status, output = check()
    assert status == 1
    assert f"GSF, Kenya (KEN), police, 2025-12-08, timeline point: {shown}\n" in output
    assert check("--repair")[0] == 0
    assert find_differences() == []


def test_a_missing_point_and_a_point_no_event_accounts_for_are_found(sample_missions):
    gsf = sample_missions.gsf
    raw(
        "DELETE FROM tracker_timelinepoint WHERE mission_id = %s AND country_id = 'KEN' "
        "AND personnel_type = 'all' AND date = %s",
        [gsf.pk, D(2025, 12, 9)],
    )
    raw(
        "INSERT INTO tracker_timelinepoint (mission_id, country_id, personnel_type, date, "
        "deployed, deployed_change, fatalities_to_date, deployed_unconfirmed, events_to_date) "
        "VALUES (%s, 'HTI', 'police', %s, 10, 10, 0, 0, 1)",
        [gsf.pk, D(2025, 11, 2)],
    )
    status, output = check()
    assert status == 1
    assert "GSF, Kenya (KEN), all types, 2025-12-09, timeline point: not stored; " in output
    assert (
        "GSF, Haiti (HTI), police, 2025-11-02, timeline point: stored, but no event "
        "accounts for it: deployed 10"
    ) in output
    assert check("--repair")[0] == 0
    assert not TimelinePoint.objects.filter(country="HTI").exists()
    assert find_differences() == []


def test_a_drifted_mission_total_is_found_and_replaced(sample_missions):
    gsf = sample_missions.gsf
    raw(
        "UPDATE tracker_missiontotalpoint SET deployed_change = deployed_change + 50, "
        "countries = 4 WHERE mission_id = %s AND personnel_type = 'police' AND date = %s",
        [gsf.pk, D(2025, 12, 8)],
    )
    status, output = check()
    assert status == 1
    assert (
        "GSF, all countries, police, 2025-12-08, mission total: countries 4 stored, "
        "1 from the events; deployed_change 280 stored, 230 from the events"
    ) in output
    assert "Found 0 timeline points and 1 mission total that differ" in output
    # The rebuild alone keeps totals by difference, which would carry the drift over.
    assert check("--repair")[0] == 0
    total = MissionTotalPoint.objects.get(mission=gsf, personnel_type="police", date=D(2025, 12, 8))
    assert (total.countries, total.deployed_change) == (1, 230)


def test_a_repaired_timeline_reaches_the_cached_page(sample_missions, client, settings):
    settings.DASHBOARD_CACHE_SECONDS = 3600
    cache.clear()
    gsf = sample_missions.gsf
    url = reverse("dashboards:country", args=["gsf", "KEN"])
    page = client.get(url).text
    raw("UPDATE tracker_timelinepoint SET deployed = 4321 WHERE mission_id = %s", [gsf.pk])
    assert client.get(url).text == page  # cached: the timeline tables bump nothing
    cache.clear()
    assert "4,321" in client.get(url).text  # the drift, computed afresh
    assert check("--repair")[0] == 0
    assert "4,321" not in client.get(url).text  # the repair's new version: a fresh page
    cache.clear()


@pytest.mark.leaves_timelines_stale  # events that break a rule, written by raw SQL
def test_events_that_break_a_rule_are_named_not_repaired(sample_missions):
    gsf = sample_missions.gsf
    arrival = DeploymentEvent.objects.get(mission=gsf, country="KEN", kind="arrival")
    raw(
        "UPDATE tracker_deploymentevent SET kind = 'departure', personnel = 1000 WHERE id = %s",
        [arrival.pk],
    )
    status, output = check()
    assert status == 1
    assert (
        "GSF, Kenya (KEN), police, 2025-12-08, timeline point: deployed 930 stored, -300" in output
    )
    status, output = check("--repair")
    assert status == 1
    assert (
        "GSF not repaired: Refused: Kenya police strength in GSF would fall to -300 on "
        "8 Dec 2025 (2025-12-08)"
    ) in output
    assert "6 differences left: correct the events named above" in output
    assert kenya_police_point(gsf, D(2025, 12, 8)).deployed == 930  # the rebuild rolled back


def test_a_stale_carried_over_transfer_is_reported(sample_missions):
    mss, gsf, source = sample_missions.mss, sample_missions.gsf, sample_missions.source
    carry_over(gsf, proposed_transfers(gsf), source)
    assert check() == (0, CLEAN + "\n")
    event(mss, "KEN", "departure", "police", D(2025, 9, 30), 8, source)  # a late correction
    status, output = check()
    assert status == 1
    ((mission, stale),) = stale_carry_overs()
    assert mission == gsf
    assert str(stale) == "Kenya police: a transfer of 616, while MSS now has 608 on its end date"
    assert (
        f"GSF, Kenya (KEN), police, 2025-10-03, carried-over transfer: {stale}; an editor "
        "updates it on GSF's carry-over page in the admin, with a reason\n"
    ) in output
    assert "differ from the events, and 1 stale carried-over transfer." in output
    assert (
        "An editor updates or keeps each stale transfer on its mission's carry-over page" in output
    )
    # --repair leaves it to an editor: still reported, still non-zero.
    status, output = check("--repair")
    assert status == 1 and "carried-over transfer:" in output
    update_transfers([stale], reason="MSS's departure corrected")
    assert check() == (0, CLEAN + "\n")


def test_the_check_is_one_statement(sample_missions, django_assert_num_queries):
    with django_assert_num_queries(1):
        find_differences()


def test_the_sample_data_stays_clean_through_every_write_path(db, editor_client):
    """The command as CI and a deploy run it, after the data-changing paths one after the
    other on the bundled sample: an import with a correction by id and new rows, an admin
    edit, a model delete, the queryset's bulk writes and delete, and a carry-over."""
    call_command("load_sample_data", verbosity=0)
    assert check() == (0, CLEAN + "\n")

    mss = Mission.objects.get(slug="mss")
    gsf = Mission.objects.get(slug="gsf")
    source = Source.objects.order_by("pk").first()
    first = DeploymentEvent.objects.filter(mission=mss, kind="arrival").order_by("date", "pk")[0]
    header = ",".join(EVENT_COLUMNS)
    cited = f"{source.publisher},{source.title},{source.url},,"
    rows = [
        f"{first.date},day,mss,KEN,,arrival,police,{first.personnel + 5},false,{cited}"
        f"corrected,{first.uuid}",
        f"2025-11-20,day,gsf,SLV,,arrival,military,12,false,{cited},",
    ]
    result = import_csv("events", "\n".join([header, *rows, ""]).encode())
    assert result.ok, result.errors

    edited = DeploymentEvent.objects.filter(mission=gsf, kind="arrival").order_by("pk").last()
    url = reverse("admin:tracker_deploymentevent_change", args=[edited.pk])
    form = editor_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data |= {"personnel": edited.personnel + 1, "change_reason": "recount"}
    assert editor_client.post(url, data).status_code == 302

    DeploymentEvent.objects.filter(mission=gsf, country="SLV").update(personnel=15)
    DeploymentEvent.objects.filter(mission=gsf, country="SLV").delete()
    DeploymentEvent.objects.filter(mission=mss, kind="arrival").order_by("-date", "-pk")[0].delete()
    rows = proposed_transfers(gsf)
    DeploymentEvent.objects.filter(mission=gsf, kind="transfer").delete()
    carry_over(gsf, rows, source)

    assert check() == (0, CLEAN + "\n")


@pytest.mark.skipif(
    not os.environ.get("MSS_SHOW_THE_TIMELINE_GUARD"),
    reason="fails on purpose: run in a pytest of its own by the test below",
)
def test_a_test_that_leaves_a_timeline_stale(sample_missions):
    raw(
        "UPDATE tracker_timelinepoint SET deployed = deployed + 1 WHERE mission_id = %s "
        "AND date = %s",
        [sample_missions.gsf.pk, D(2025, 12, 8)],
    )


@pytest.mark.slow
def test_the_suite_fails_a_test_that_leaves_a_timeline_stale():
    """tests/conftest.py checks the timelines after every test that used the database, so
    CI runs the check after each data-changing test (on SQLite here: a pytest of its own
    must not create the running suite's PostgreSQL test database a second time)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name != "DATABASE_URL" and not name.startswith("PYTEST_")
    }
    env["MSS_SHOW_THE_TIMELINE_GUARD"] = "1"
    test = f"{Path(__file__).name}::test_a_test_that_leaves_a_timeline_stale"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-m", "", "-p", "no:cacheprovider", test],
        cwd=Path(__file__).parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "the timelines differ from their events after this test:" in run.stdout
    assert (
        "GSF, Kenya (KEN), police, 2025-12-08, timeline point: deployed 931 stored, "
        "930 from the events"
    ) in run.stdout
