"""One date rule for every form, filter and import column: ISO YYYY-MM-DD (the precision
is a field of its own), and one message naming the value and the format."""

from __future__ import annotations

import datetime
import html

import pytest
from admin_forms import event_form, pledge_form

from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.date_fields import IsoDateField
from mss_tracker.tracker.dates import parse_date
from mss_tracker.tracker.models import DeploymentEvent, Pledge
from mss_tracker.tracker.possible_dates import impossible_date
from tests.test_import_csv import events_file

pytestmark = pytest.mark.django_db

UNPADDED = "2024-7-16"
IMPOSSIBLE = "2024-02-30"
NOT_ISO = "16/07/2024"
MESSAGES = {
    UNPADDED: "“2024-7-16” is not a date written YYYY-MM-DD",
    NOT_ISO: "“16/07/2024” is not a date written YYYY-MM-DD",
    IMPOSSIBLE: "“2024-02-30” is written YYYY-MM-DD but is not a real calendar date",
}


@pytest.mark.parametrize("value", list(MESSAGES))
def test_the_rule_names_the_value_and_the_format(value):
    with pytest.raises(ValueError, match=MESSAGES[value]):
        parse_date(value)
    assert parse_date(" 2024-07-16 ") == datetime.date(2024, 7, 16)


@pytest.mark.parametrize("value", list(MESSAGES))
def test_the_form_field_follows_it(value):
    field = IsoDateField(required=False)
    assert field.clean("2024-07-16") == datetime.date(2024, 7, 16)
    assert field.clean("") is None
    with pytest.raises(Exception, match=MESSAGES[value]):
        field.clean(value)


@pytest.mark.parametrize("value", list(MESSAGES))
def test_the_admin_record_forms_follow_it(editor_client, mission, source, value):
    for url, form, model in (
        ("/admin/tracker/pledge/add/", pledge_form, Pledge),
        ("/admin/tracker/deploymentevent/add/", event_form, DeploymentEvent),
    ):
        response = editor_client.post(url, form(mission, source, date=value))
        assert response.status_code == 200
        assert MESSAGES[value] in html.unescape(response.text)
        assert not model.objects.exists()


@pytest.mark.parametrize("value", list(MESSAGES))
def test_the_admin_date_filters_follow_it(editor_client, value):
    response = editor_client.get(f"/admin/recent-changes/?since={value}")
    assert MESSAGES[value] in html.unescape(response.text)


@pytest.mark.parametrize("value", list(MESSAGES))
@pytest.mark.parametrize("parameter", ["as_of", "from", "to"])
def test_the_page_parameters_follow_it(client, mission, value, parameter):
    response = client.get(f"/missions/mss/events/?{parameter}={value}")
    assert response.status_code == 400
    assert MESSAGES[value] in html.unescape(response.text)


@pytest.mark.parametrize("value", list(MESSAGES))
@pytest.mark.parametrize("column", ["date", "source_date"])
def test_the_import_columns_follow_it(mission, value, column):
    result = import_csv("events", events_file({column: value}), dry_run=True)
    assert [str(error) for error in result.errors] == [
        f"line 2, column {column}: {MESSAGES[value]}"
        + str(result.errors[0]).split(MESSAGES[value])[1]
    ]
    assert "YYYY-MM-DD" in str(result.errors[0])


def test_a_future_date_names_today_once(mission):
    today = datetime.date(2026, 12, 4)
    message = impossible_date(mission, datetime.date(2026, 12, 5), "day", today=today)
    assert "after today, 4 Dec 2026 (2026-12-04):" in message
    assert "((" not in message and "))" not in message
