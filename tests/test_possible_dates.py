"""docs/rules.md, "Dates must be possible": refused on every write path, naming the mission's dates.

The conftest mission (MSS) starts on 25 Jun 2024; here it ends on 2 Oct 2025.
"""

import datetime

import pytest
from django.urls import reverse

from mss_tracker.tracker.bulk_writes import rules_kept_by_caller
from mss_tracker.tracker.models import DeploymentEvent, Mission, Pledge, TimelinePoint
from mss_tracker.tracker.possible_dates import ImpossibleDate, impossible_date
from mss_tracker.tracker.timelines import timeline_keys

D = datetime.date
MSS_DATES = "25 Jun 2024 (2024-06-25) to 2 Oct 2025 (2025-10-02)"


@pytest.fixture
def ended(mission) -> Mission:
    mission.end_date = D(2025, 10, 2)
    mission.save()
    return mission


def new_event(mission, country, source, day, kind="arrival", precision="day"):
    return DeploymentEvent(
        mission=mission,
        country=country,
        source=source,
        date=day,
        date_precision=precision,
        kind=kind,
        personnel=10,
        personnel_type="police",
    )


def new_pledge(mission, country, source, day):
    return Pledge(
        mission=mission,
        country=country,
        source=source,
        date=day,
        personnel=100,
        personnel_type="police",
    )


@pytest.mark.parametrize(
    ("day", "precision", "why"),
    [
        (D(2025, 10, 3), "day", "after the mission ended"),
        (D(2025, 11, 1), "month", "after the mission ended"),
        (D(2024, 6, 24), "day", "before the mission started"),
        (D(2024, 5, 1), "month", "before the mission started"),
        (D(2023, 1, 1), "year", "before the mission started"),
    ],
)
def test_an_event_outside_the_missions_life_is_refused(ended, kenya, source, day, precision, why):
    with pytest.raises(ImpossibleDate) as refused:
        new_event(ended, kenya, source, day, precision=precision).save()
    assert why in refused.value.message and MSS_DATES in refused.value.message
    assert not DeploymentEvent.objects.exists() and not TimelinePoint.objects.exists()


@pytest.mark.parametrize(
    ("day", "precision"),
    [
        (D(2024, 6, 25), "day"),  # the start date
        (D(2025, 10, 2), "day"),  # the end date
        (D(2024, 6, 1), "month"),  # "Jun 2024" overlaps the mission's life
        (D(2024, 1, 1), "year"),  # "2024" too
        (D(2025, 10, 1), "month"),  # "Oct 2025", the month it ended
    ],
)
def test_an_event_within_the_missions_life_is_saved(ended, kenya, source, day, precision):
    new_event(ended, kenya, source, day, precision=precision).save()
    assert DeploymentEvent.objects.count() == 1


def test_nothing_is_dated_after_today(mission, kenya, source):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ImpossibleDate, match="after today"):
        new_event(mission, kenya, source, tomorrow).save()
    with pytest.raises(ImpossibleDate, match="after today"):
        new_pledge(mission, kenya, source, tomorrow).save()
    new_event(mission, kenya, source, datetime.date.today()).save()


def test_a_pledge_may_precede_the_start_but_not_follow_the_end(ended, kenya, source):
    new_pledge(ended, kenya, source, D(2023, 7, 29)).save()
    with pytest.raises(ImpossibleDate) as refused:
        new_pledge(ended, kenya, source, D(2025, 10, 3)).save()
    assert "after the mission ended" in refused.value.message
    assert MSS_DATES in refused.value.message
    assert Pledge.objects.count() == 1


def test_the_rule_names_an_ongoing_missions_start(mission):
    message = impossible_date(mission, D(2024, 1, 1), "day")
    assert "started on 25 Jun 2024 (2024-06-25) and has not ended" in message


@pytest.mark.leaves_timelines_stale  # an impossible event written in bulk, then refused
def test_bulk_writes_are_refused_when_the_timelines_are_rebuilt(ended, kenya, source):
    """The guard every event write path goes through: a queryset's bulk_create rebuilds
    itself (bulk_writes.py); the import (COPY, or bulk writes while it keeps the rules)
    rebuilds once at the end."""
    with pytest.raises(ImpossibleDate, match="after the mission ended"):
        DeploymentEvent.objects.bulk_create([new_event(ended, kenya, source, D(2026, 1, 5))])
    assert not DeploymentEvent.objects.exists()
    with rules_kept_by_caller():
        DeploymentEvent.objects.bulk_create([new_event(ended, kenya, source, D(2026, 1, 5))])
    with pytest.raises(ImpossibleDate, match="after the mission ended"):
        DeploymentEvent.objects.rebuild_timelines(timeline_keys(DeploymentEvent.objects.all()))


def test_moving_an_event_out_of_the_missions_life_is_refused(ended, kenya, source):
    event = new_event(ended, kenya, source, D(2025, 1, 1))
    event.save()
    event.date = D(2025, 12, 1)
    with pytest.raises(ImpossibleDate):
        event.save()
    assert DeploymentEvent.objects.get().date == D(2025, 1, 1)


def test_the_admin_refuses_an_event_after_the_end_with_a_form_error(
    editor_client, ended, kenya, source
):
    form = {
        "mission": ended.pk,
        "country": kenya.pk,
        "date": "2025-10-05",
        "date_precision": "day",
        "kind": "arrival",
        "personnel_type": "police",
        "personnel": 10,
        "source": source.pk,
        "notes": "",
    }
    response = editor_client.post(reverse("admin:tracker_deploymentevent_add"), form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["date"]
    assert "after the mission ended" in errors[0] and MSS_DATES in errors[0]
    assert not DeploymentEvent.objects.exists()


def test_the_admin_refuses_a_pledge_after_the_end_with_a_form_error(
    editor_client, ended, kenya, source
):
    form = {
        "mission": ended.pk,
        "country": kenya.pk,
        "date": "2025-12-09",
        "date_precision": "day",
        "personnel_type": "police",
        "personnel": 1500,
        "source": source.pk,
        "notes": "",
    }
    response = editor_client.post(reverse("admin:tracker_pledge_add"), form)
    assert response.status_code == 200
    assert MSS_DATES in response.context["adminform"].form.errors["date"][0]
    assert not Pledge.objects.exists()


def test_a_missions_dates_cannot_strand_its_events(admin_client, ended, kenya, source):
    new_event(ended, kenya, source, D(2025, 9, 1)).save()
    form = {
        "slug": "mss",
        "acronym": "MSS",
        "name": ended.name,
        "host_country": "HTI",
        "lead_country": "KEN",
        "authorized_by": ended.authorized_by,
        "authorized_on": "2023-10-02",
        "start_date": "2024-06-25",
        "end_date": "2025-06-30",
        "notes": "",
    }
    response = admin_client.post(reverse("admin:tracker_mission_change", args=[ended.pk]), form)
    assert response.status_code == 200
    assert "1 recorded events would fall outside" in response.content.decode()
    assert Mission.objects.get().end_date == D(2025, 10, 2)


def test_csv_import_refuses_impossible_dates_line_by_line_and_writes_nothing(ended):
    from test_import_csv import events_file, messages, pledges_file

    from mss_tracker.tracker.csv.importing import import_csv

    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    result = import_csv(
        "events",
        events_file(
            {"date": "2024-07-01"},  # fine
            {"date": "2025-10-05"},  # after the end
            {"date": "2024-06-01"},  # before the start
            {"date": "2024-05-01", "date_precision": "month"},  # May 2024: before too
        ),
    )
    errors = messages(result)
    assert len(errors) == 3, errors
    assert errors[0].startswith("line 3") and "after the mission ended" in errors[0]
    assert errors[1].startswith("line 4") and "before the mission started" in errors[1]
    assert all(MSS_DATES in error for error in errors)
    assert not DeploymentEvent.objects.exists() and not TimelinePoint.objects.exists()
    result = import_csv("pledges", pledges_file({"date": "2023-07-29"}, {"date": tomorrow}))
    assert [error.line for error in result.errors] == [3]
    assert "after today" in messages(result)[0]
    assert not Pledge.objects.exists()
