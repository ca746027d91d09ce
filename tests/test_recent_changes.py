"""The admin's Recent changes page: every recorded change across missions,
sources, pledges and events, newest first, with who, when, the record, the changed fields
and why; filters; deleted records linked for restoring; a pinned query count."""

import datetime

import pytest
from admin_forms import pledge_form
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from mss_tracker.tracker.models import Pledge, Source

pytestmark = pytest.mark.django_db

PAGE = reverse("tracker-recent-changes")


def make_pledge(mission, kenya, source, day: int, personnel: int = 1000) -> Pledge:
    pledge = Pledge(
        mission=mission,
        country=kenya,
        personnel_type="police",
        date=datetime.date(2023, 7, day),
        personnel=personnel,
        source=source,
    )
    pledge._change_reason = "Added in the admin"
    pledge.save()
    return pledge


def test_it_lists_who_what_before_and_after_and_why(editor_client, editor, mission, kenya, source):
    pledge = make_pledge(mission, kenya, source, 25)
    change = reverse("admin:tracker_pledge_change", args=[pledge.pk])
    form = pledge_form(mission, source, personnel="1200", change_reason="Per the Kenyan cabinet")
    editor_client.post(change, form)

    page = editor_client.get(PAGE).text

    assert page.index("Per the Kenyan cabinet") < page.index("Added in the admin")
    assert "<strong>personnel</strong>: 1,000 → 1,200" in page
    assert ">editor<" in page


def test_analysts_may_read_it(analyst_client, mission):
    assert analyst_client.get(PAGE).status_code == 200


def test_it_filters_by_kind_user_and_date(editor_client, editor, mission, kenya, source):
    make_pledge(mission, kenya, source, 25)
    today = datetime.date.today().isoformat()

    assert "pledge:" in editor_client.get(PAGE, {"kind": "pledge", "since": today}).text
    assert "pledge:" not in editor_client.get(PAGE, {"kind": "source"}).text
    assert "pledge:" not in editor_client.get(PAGE, {"user": editor.pk}).text
    assert "pledge:" not in editor_client.get(PAGE, {"until": "2020-01-01"}).text


@pytest.mark.parametrize(
    ("parameter", "value"),
    [("since", "15/09/2025"), ("user", "abc"), ("page", "0"), ("page", "9" * 30), ("kind", "x")],
)
def test_a_bad_filter_is_a_400_naming_it(editor_client, parameter, value):
    response = editor_client.get(PAGE, {parameter: value})
    assert response.status_code == 400
    assert f"These filters are not valid: {parameter}" in response.text


def test_a_deleted_record_is_linked_and_can_be_restored(editor_client, mission, kenya, source):
    pledge = make_pledge(mission, kenya, source, 25)
    delete = reverse("admin:tracker_pledge_delete", args=[pledge.pk])
    editor_client.post(delete, {"post": "yes", "change_reason": "Entered twice"})
    deleted = pledge.history.latest("history_date")
    restore = reverse("admin:tracker_pledge_simple_history", args=[pledge.pk, deleted.pk])

    page = editor_client.get(PAGE).text
    assert restore in page and "view and restore" in page

    form = pledge_form(mission, source)
    assert editor_client.post(restore, form).status_code == 302
    assert Pledge.objects.get(pk=pledge.pk).uuid == pledge.uuid
    assert "view and restore" not in editor_client.get(PAGE).text


def test_it_pages_fifty_changes_at_a_time(editor_client, mission, kenya, source):
    for day in range(1, 31):
        pledge = make_pledge(mission, kenya, source, day)
        pledge.personnel += 1
        pledge._change_reason = "Revised"
        pledge.save()

    first = editor_client.get(PAGE).text
    second = editor_client.get(PAGE, {"page": 2}).text

    assert "page 1 of 2" in first
    assert first.count('class="change-') == 50
    assert second.count('class="change-') == 62 - 50  # 60 pledge versions, the mission, the source


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len(queries)


def test_a_page_costs_a_pinned_number_of_queries(editor_client, mission, kenya, source):
    make_pledge(mission, kenya, source, 1).delete()
    # session, user, their permissions (2), the users of the filter; per kind of record:
    # count and newest keys (5 × 2: missions, sources, pledges, events, funding), then rows
    # and earlier versions for each kind shown (mission, source, pledge: 3 × 2); one for the
    # deleted records still gone
    assert _queries(editor_client) == 22


def test_the_query_count_does_not_grow_with_history(editor_client, mission, kenya, source):
    make_pledge(mission, kenya, source, 1).delete()
    few = _queries(editor_client)
    for day in range(2, 31):
        pledge = make_pledge(mission, kenya, source, day)
        pledge.personnel = 5
        pledge.save()
        pledge.delete()

    assert _queries(editor_client) <= few  # page 1 now holds pledges only


def test_a_changed_mission_or_source_is_shown_by_name(editor_client, mission, kenya, source):
    """A foreign key is shown as the record it names, not its number: one more query per
    kind of record named on the page."""
    other = Source.objects.create(publisher="Reuters", title="Haiti update", url="")
    pledge = make_pledge(mission, kenya, source, 3)
    pledge.personnel = 1100
    pledge._change_reason = "Revised figure"
    pledge.save()
    without_keys = _queries(editor_client)
    pledge.source = other
    pledge._change_reason = "Cited the wire instead"
    pledge.save()

    with CaptureQueriesContext(connection) as queries:
        page = editor_client.get(PAGE).text

    assert f"<strong>source</strong>: {escape(str(source))} → {escape(str(other))}" in page
    assert f"→ {other.pk}<" not in page
    assert len(queries) == without_keys + 1


def test_a_deleted_event_is_listed_with_its_undo_link(
    editor_client, record_event, mission, kenya, source
):
    """Events (and funding records) have a field named `kind`; the page must still find
    which deleted records are still gone, a pledge's beside an event's."""
    make_pledge(mission, kenya, source, 25).delete()
    event = record_event(datetime.date(2024, 7, 16), "arrival", 200)
    delete = reverse("admin:tracker_deploymentevent_delete", args=[event.pk])
    assert (
        editor_client.post(delete, {"post": "yes", "change_reason": "Entered twice"}).status_code
        == 302
    )
    deleted = event.history.latest("history_date")
    restore = reverse("admin:tracker_deploymentevent_simple_history", args=[event.pk, deleted.pk])

    response = editor_client.get(PAGE)

    assert response.status_code == 200
    assert "Entered twice" in response.text
    assert restore in response.text and "view and restore" in response.text
