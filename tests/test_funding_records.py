"""Funding records: the codes that go together, possible dates, a stable id, the audit
history with reasons, the roles, the admin, recent changes and the page cache."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from mss_tracker.tracker.data_version import current_data_version
from mss_tracker.tracker.models import Country, FundingRecord
from mss_tracker.tracker.possible_dates import ImpossibleDate

D = datetime.date
ADD = reverse("admin:tracker_fundingrecord_add")


@pytest.fixture
def canada(db) -> Country:
    return Country.objects.get_or_create_from_iso3("CAN")


def funding(mission, source, **fields) -> FundingRecord:
    values = {
        "mission": mission,
        "source": source,
        "date": D(2024, 2, 29),
        "kind": "received",
        "measure": "total",
        "channel": "trust_fund",
        "amount_usd": 10_800_000,
        **fields,
    }
    return FundingRecord(**values)


def form(mission, source, **changes) -> dict:
    return {
        "mission": mission.pk,
        "date": "2024-02-29",
        "date_precision": "day",
        "donor": "",
        "kind": "received",
        "measure": "total",
        "channel": "trust_fund",
        "amount_usd": "10800000",
        "source": source.pk,
        "notes": "",
        **changes,
    }


def messages_of(record: FundingRecord) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


# The record --------------------------------------------------------------------------------


def test_a_valid_record_is_stored_with_a_stable_id(mission, source, canada):
    record = funding(mission, source, donor=canada)
    record.full_clean()
    record.save()
    given = record.uuid
    record.amount_usd = 11_000_000
    record.save()

    assert isinstance(given, uuid.UUID)
    assert FundingRecord.objects.get().uuid == given


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"kind": "requirement", "measure": "total", "channel": ""}, "measure", "per_year"),
        ({"kind": "received", "measure": "per_year"}, "measure", "total or contribution"),
        ({"kind": "requirement", "measure": "per_year"}, "channel", "has no channel"),
        ({"kind": "pledged", "channel": ""}, "channel", "trust_fund or bilateral"),
        ({"kind": "gift"}, "kind", "not a valid choice"),
        ({"measure": "lump"}, "measure", "not a valid choice"),
        ({"amount_usd": -5}, "amount_usd", "greater than or equal to 0"),
    ],
)
def test_codes_that_do_not_go_together_are_refused_with_a_message(
    mission, source, fields, field, words
):
    problems = messages_of(funding(mission, source, **fields))

    assert any(words in message for message in problems[field]), problems


def test_a_requirement_has_no_donor(mission, source, canada):
    record = funding(
        mission, source, kind="requirement", measure="per_year", channel="", donor=canada
    )
    assert "not a donor's" in messages_of(record)["donor"][0]


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "requirement", "measure": "total", "channel": ""},
        {"kind": "pledged", "channel": ""},
        {"kind": "requirement", "measure": "per_year", "channel": "bilateral"},
        {"amount_usd": -1},
    ],
)
def test_the_database_refuses_them_too(mission, source, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingRecord.objects.bulk_create([funding(mission, source, **fields)])


def test_one_running_total_per_donor_kind_channel_and_date(mission, source, canada):
    funding(mission, source, donor=canada).save()
    funding(mission, source).save()  # all donors: another figure
    funding(mission, source, donor=canada, measure="contribution").save()
    funding(mission, source, donor=canada, channel="bilateral").save()

    second = funding(mission, source, donor=canada, amount_usd=1)
    assert "already a running total" in str(messages_of(second))
    for donor in (canada, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundingRecord.objects.bulk_create([funding(mission, source, donor=donor)])


def test_money_may_be_pledged_before_the_mission_starts(mission, source):
    record = funding(mission, source, date=D(2023, 10, 2), kind="pledged")
    record.full_clean()
    record.save()


def test_nothing_after_the_end_or_after_today(mission, source):
    mission.end_date = D(2025, 10, 2)
    mission.save()
    late = funding(mission, source, date=D(2025, 10, 3))
    assert "after the mission ended" in messages_of(late)["date"][0]
    assert "A funding record" in messages_of(late)["date"][0]
    with pytest.raises(ImpossibleDate):
        late.save()

    mission.end_date = None
    mission.save()
    future = funding(mission, source, date=datetime.date.today() + datetime.timedelta(days=1))
    assert "after today" in messages_of(future)["date"][0]


def test_a_mission_cannot_end_before_its_funding_records(mission, source):
    funding(mission, source, date=D(2025, 3, 1)).save()
    mission.end_date = D(2025, 1, 1)

    with pytest.raises(ValidationError, match="1 recorded funding records would fall outside"):
        mission.full_clean()


def test_a_month_precision_date_is_the_first_of_the_month(mission, source):
    record = funding(mission, source, date=D(2024, 11, 5), date_precision="month")
    assert "date" in messages_of(record)


def test_a_write_bumps_the_data_version(mission, source):
    before = current_data_version()
    record = funding(mission, source)
    record.save()
    after_insert = current_data_version()
    FundingRecord.objects.filter(pk=record.pk).update(amount_usd=1)
    after_update = current_data_version()
    record.delete()

    assert before < after_insert < after_update < current_data_version()


# The admin ---------------------------------------------------------------------------------


def test_editors_add_a_record_and_its_history_says_so(editor_client, mission, source):
    response = editor_client.post(ADD, form(mission, source))

    assert response.status_code == 302, response.content.decode()[:3000]
    record = FundingRecord.objects.get()
    assert record.history.get().history_change_reason == "Added in the admin"


def test_the_form_moves_a_month_date_and_refuses_bad_combinations(editor_client, mission, source):
    response = editor_client.post(
        ADD, form(mission, source, kind="requirement", measure="total", channel="trust_fund")
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert "has no channel" in page
    assert "measured per_year" in page
    assert not FundingRecord.objects.exists()

    editor_client.post(ADD, form(mission, source, date="2024-11-19", date_precision="month"))
    assert FundingRecord.objects.get().date == D(2024, 11, 1)


def test_a_change_needs_a_reason_kept_in_the_history(editor_client, mission, source):
    record = funding(mission, source)
    record.save()
    url = reverse("admin:tracker_fundingrecord_change", args=[record.pk])

    refused = editor_client.post(url, form(mission, source, amount_usd="11000000"))
    assert "Say why you are making this change" in refused.content.decode()

    editor_client.post(
        url, form(mission, source, amount_usd="11000000", change_reason="UN figure of 4 Mar")
    )
    record.refresh_from_db()
    assert record.amount_usd == 11_000_000
    assert record.history.first().history_change_reason == "UN figure of 4 Mar"


def test_analysts_see_the_list_and_change_nothing(analyst_client, mission, source):
    funding(mission, source).save()
    listing = analyst_client.get(reverse("admin:tracker_fundingrecord_changelist"))

    assert listing.status_code == 200
    assert "10,800,000" in listing.content.decode()
    assert analyst_client.post(ADD, form(mission, source)).status_code == 403


def test_recent_changes_list_funding_records(editor_client, mission, source):
    editor_client.post(ADD, form(mission, source))
    page = editor_client.get(reverse("tracker-recent-changes"), {"kind": "funding"})

    assert page.status_code == 200
    assert "10,800,000" in page.content.decode()
