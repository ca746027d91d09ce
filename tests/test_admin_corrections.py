"""Staff corrections in the admin: a reason for every change, nothing recorded
for a save that changes nothing, safe pledge edits, ISO dates, lists that fit."""

import datetime
import html

import pytest
from admin_forms import pledge_form
from django.urls import reverse

from mss_tracker.tracker.models import DeploymentEvent, Pledge, Source

pytestmark = pytest.mark.django_db

ADD_PLEDGE = reverse("admin:tracker_pledge_add")


def change_url(obj) -> str:
    return reverse(f"admin:tracker_{obj._meta.model_name}_change", args=[obj.pk])


def reasons(record) -> list:
    rows = type(record).history.filter(id=record.pk).order_by("history_date", "history_id")
    return [(row.history_type, row.history_change_reason) for row in rows]


# Why, every time ---------------------------------------------------------------------------


def test_a_change_without_a_reason_is_refused(editor_client, kenya_pledge, mission, source):
    response = editor_client.post(
        change_url(kenya_pledge), pledge_form(mission, source, personnel="1200")
    )

    assert response.status_code == 200
    assert "Say why you are making this change" in response.text
    kenya_pledge.refresh_from_db()
    assert kenya_pledge.personnel == 1000


def test_a_change_keeps_its_reason_in_the_history(editor_client, kenya_pledge, mission, source):
    form = pledge_form(mission, source, personnel="1200", change_reason="Figure per UN briefing")

    assert editor_client.post(change_url(kenya_pledge), form).status_code == 302

    assert reasons(kenya_pledge)[-1] == ("~", "Figure per UN briefing")


def test_a_save_that_changes_nothing_records_nothing(editor_client, kenya_pledge, mission, source):
    before = reasons(kenya_pledge)

    response = editor_client.post(change_url(kenya_pledge), pledge_form(mission, source))

    assert response.status_code == 302
    assert reasons(kenya_pledge) == before


def test_a_revert_says_which_version_it_restores(editor_client, kenya_pledge, mission, source):
    first = kenya_pledge.history.get()
    form = pledge_form(mission, source, personnel="1200", change_reason="Revised")
    editor_client.post(change_url(kenya_pledge), form)
    version_url = reverse("admin:tracker_pledge_simple_history", args=[kenya_pledge.pk, first.pk])

    response = editor_client.post(version_url, pledge_form(mission, source))

    assert response.status_code == 302
    kenya_pledge.refresh_from_db()
    assert kenya_pledge.personnel == 1000
    kind, reason = reasons(kenya_pledge)[-1]
    assert kind == "~" and reason.startswith("Reverted to the version of ")
    assert first.history_date.strftime("%-d %b %Y") in reason


def test_a_delete_asks_why_and_keeps_the_reason(editor_client, kenya_pledge):
    delete = reverse("admin:tracker_pledge_delete", args=[kenya_pledge.pk])
    assert 'name="change_reason"' in editor_client.get(delete).text

    refused = editor_client.post(delete, {"post": "yes"}, follow=True)
    assert Pledge.objects.filter(pk=kenya_pledge.pk).exists()
    assert "Say why you are making this change" in refused.text

    editor_client.post(delete, {"post": "yes", "change_reason": "Entered twice"})
    assert not Pledge.objects.filter(pk=kenya_pledge.pk).exists()
    assert reasons(kenya_pledge)[-1] == ("-", "Entered twice")


def test_delete_selected_asks_why_and_keeps_the_reason(editor_client, record_event):
    event = record_event(datetime.date(2024, 6, 25), "arrival", 10)
    events = reverse("admin:tracker_deploymentevent_changelist")
    form = {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}

    again = editor_client.post(events, form)
    assert again.status_code == 200 and 'name="change_reason"' in again.text
    assert DeploymentEvent.objects.exists()

    editor_client.post(events, {**form, "change_reason": "Not an arrival"})
    assert not DeploymentEvent.objects.exists()
    assert reasons(event)[-1] == ("-", "Not an arrival")


def test_a_source_change_needs_a_reason_too(editor_client, source):
    form = {"publisher": "UN News", "title": "Renamed", "url": source.url, "published_on": ""}
    assert editor_client.post(change_url(source), form).status_code == 200
    form["change_reason"] = "Title as published"
    assert editor_client.post(change_url(source), form).status_code == 302
    assert Source.objects.get().title == "Renamed"


# Safe pledge edits -------------------------------------------------------------------------


def test_the_pledge_form_reads_as_a_pledge_is_read(editor_client):
    """Mission, country, type, figure, date, source: who pledged how many of what, when."""
    form = editor_client.get(ADD_PLEDGE).context["adminform"].form
    assert list(form.fields)[:7] == [
        "mission",
        "country",
        "personnel_type",
        "personnel",
        "date",
        "date_precision",
        "source",
    ]


def test_a_pledge_without_a_number_that_supersedes_one_asks_for_confirmation(
    editor_client, kenya_pledge, mission, source
):
    later = pledge_form(mission, source, personnel="", date="2024-01-10")

    response = editor_client.post(ADD_PLEDGE, later)

    assert response.status_code == 200
    assert (
        "This makes Kenya's pledged police unknown, replacing 1,000 pledged on 25 Jul 2023"
        in html.unescape(response.text)
    )
    assert Pledge.objects.count() == 1

    assert editor_client.post(ADD_PLEDGE, {**later, "confirm_unknown": "on"}).status_code == 302
    assert Pledge.objects.filter(personnel=None).count() == 1


def test_blanking_a_pledges_own_figure_asks_for_confirmation(
    editor_client, kenya_pledge, mission, source
):
    form = pledge_form(mission, source, personnel="", change_reason="Not confirmed")

    response = editor_client.post(change_url(kenya_pledge), form)

    assert "replacing 1,000 pledged on 25 Jul 2023" in response.text
    kenya_pledge.refresh_from_db()
    assert kenya_pledge.personnel == 1000


def test_a_first_pledge_without_a_number_needs_no_confirmation(editor_client, mission, source):
    response = editor_client.post(ADD_PLEDGE, pledge_form(mission, source, personnel=""))
    assert response.status_code == 302


# Dates as people type them -----------------------------------------------------------------


def test_dates_are_typed_as_iso_and_the_form_says_so(editor_client, mission, source):
    page = editor_client.get(ADD_PLEDGE).text
    assert 'placeholder="YYYY-MM-DD"' in page
    assert "Format YYYY-MM-DD" in page

    response = editor_client.post(ADD_PLEDGE, pledge_form(mission, source, date="09/15/2025"))

    assert "“09/15/2025” is not a date written YYYY-MM-DD" in response.text
    assert not Pledge.objects.exists()


# Save and add another; lists that fit ------------------------------------------------------


def test_save_and_add_another_keeps_mission_country_source_date_and_precision(
    editor_client, mission, source
):
    form = pledge_form(mission, source, date="2023-07-01", date_precision="month")

    response = editor_client.post(ADD_PLEDGE, {**form, "_addanother": "1"}, follow=True)

    initial = response.context["adminform"].form.initial
    assert str(initial["mission"]) == str(mission.pk)
    assert initial["country"] == "KEN"
    assert str(initial["source"]) == str(source.pk)
    assert initial["date"] == "2023-07-01"
    assert initial["date_precision"] == "month"


def test_the_lists_show_the_mission_code_and_the_publisher_only(
    editor_client, kenya_pledge, mission, source
):
    page = editor_client.get(reverse("admin:tracker_pledge_changelist")).text
    assert ">MSS<" in page
    assert "Multinational Security Support mission" not in page.split("result_list")[1]
    assert "Briefing" not in page.split("result_list")[1]
