"""Two editors recording departures at the same moment cannot drive strength negative."""

import datetime
import threading

import pytest
from django.db import connection, connections

from mss_tracker.tracker import figures
from mss_tracker.tracker.models import DeploymentEvent
from mss_tracker.tracker.timelines import NegativeStrength

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite has one writer)"
)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_departures_one_wins_one_is_refused(mission, kenya, source):
    DeploymentEvent.objects.create(
        mission=mission,
        country=kenya,
        source=source,
        date=datetime.date(2024, 6, 25),
        kind="arrival",
        personnel=200,
        personnel_type="police",
    )
    start_together = threading.Barrier(2)
    outcomes: list[str] = []

    def record_departure(day: int) -> None:
        try:
            start_together.wait()
            DeploymentEvent.objects.create(
                mission=mission,
                country=kenya,
                source=source,
                date=datetime.date(2024, 7, day),
                kind="departure",
                personnel=150,
                personnel_type="police",
            )
            outcomes.append("saved")
        except NegativeStrength as refusal:
            outcomes.append(refusal.messages[0])
        finally:
            connections.close_all()

    editors = [threading.Thread(target=record_departure, args=(day,)) for day in (1, 2)]
    for editor in editors:
        editor.start()
    for editor in editors:
        editor.join(timeout=30)

    assert sorted(outcome == "saved" for outcome in outcomes) == [False, True]
    refusal = next(outcome for outcome in outcomes if outcome != "saved")
    assert "shortfall of 100" in refusal
    assert DeploymentEvent.objects.filter(kind="departure").count() == 1
    row = figures.country_figures(mission, datetime.date(2024, 8, 1)).get(iso3="KEN")
    assert row.deployed == 50
