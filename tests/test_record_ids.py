"""Record ids: every pledge and event has a stable UUID, given by a migration to
the records that existed before it."""

import datetime
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mss_tracker.tracker.data_version import restore_sqlite_triggers

BEFORE = [("tracker", "0006_event_recorded_at")]
AFTER = [("tracker", "0007_record_uuid")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_records_distinct_ids():
    old = _migrate(BEFORE)
    try:
        country = old.get_model("tracker", "Country")
        haiti = country.objects.create(iso3="HTI", iso2="HT", name="Haiti")
        kenya = country.objects.create(iso3="KEN", iso2="KE", name="Kenya")
        source = old.get_model("tracker", "Source").objects.create(publisher="UN")
        mission = old.get_model("tracker", "Mission").objects.create(
            slug="mss",
            acronym="MSS",
            name="MSS",
            host_country=haiti,
            authorized_by="2699",
            authorized_on=datetime.date(2023, 10, 2),
            start_date=datetime.date(2024, 6, 25),
        )
        common = {"mission": mission, "country": kenya, "source": source}
        pledge_model = old.get_model("tracker", "Pledge")
        for day in (1, 2, 3):
            pledge_model.objects.create(
                **common, personnel_type="police", date=datetime.date(2023, 7, day), personnel=day
            )
        event_model = old.get_model("tracker", "DeploymentEvent")
        for day in (1, 2):
            event_model.objects.create(
                **common,
                personnel_type="police",
                date=datetime.date(2024, 7, day),
                kind="arrival",
                personnel=10,
            )
        history = old.get_model("tracker", "HistoricalPledge")
        kept = pledge_model.objects.first()
        for record_id, history_type in ((kept.pk, "+"), (kept.pk, "~"), (999, "+"), (999, "-")):
            history.objects.create(
                id=record_id,
                mission_id=mission.pk,
                country_id="KEN",
                source_id=source.pk,
                personnel_type="police",
                date=datetime.date(2023, 7, 1),
                history_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
                history_type=history_type,
            )

        new = _migrate(AFTER)

        pledge_ids = list(new.get_model("tracker", "Pledge").objects.values_list("uuid", flat=True))
        event_ids = list(
            new.get_model("tracker", "DeploymentEvent").objects.values_list("uuid", flat=True)
        )
        assert len(set(pledge_ids + event_ids)) == 5
        assert all(isinstance(value, uuid.UUID) for value in pledge_ids + event_ids)
        new_history = new.get_model("tracker", "HistoricalPledge")
        kept_uuid = new.get_model("tracker", "Pledge").objects.get(pk=kept.pk).uuid
        assert set(new_history.objects.filter(id=kept.pk).values_list("uuid", flat=True)) == {
            kept_uuid
        }
        gone = set(new_history.objects.filter(id=999).values_list("uuid", flat=True))
        assert len(gone) == 1 and None not in gone and not gone & set(pledge_ids)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        restore_sqlite_triggers()  # what `migrate` does after migrating (post_migrate)


def test_a_new_record_gets_an_id_that_its_history_keeps(kenya_pledge, record_event):
    pledge = kenya_pledge
    event = record_event(datetime.date(2024, 6, 25), "arrival", 200)
    assert isinstance(pledge.uuid, uuid.UUID) and pledge.uuid != event.uuid
    pledge.personnel = 1200
    pledge.save()
    assert {h.uuid for h in pledge.history.all()} == {pledge.uuid}
    assert event.history.get().uuid == event.uuid


@pytest.mark.django_db
def test_rows_imported_without_an_id_get_new_random_ids():
    """The sample files carry no id column: every record they create, pledge, event or
    funding record, gets its own version 4 UUID (bulk_create here; COPY on PostgreSQL)."""
    from mss_tracker.tracker.models import DeploymentEvent, FundingRecord, Pledge
    from mss_tracker.tracker.sample_data import load_sample_data

    load_sample_data()

    for model in (Pledge, DeploymentEvent, FundingRecord):
        ids = list(model.objects.values_list("uuid", flat=True))
        assert ids and len(set(ids)) == len(ids)
        assert {record_id.version for record_id in ids} == {4}
