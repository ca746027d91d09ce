"""The admin as staff editors use it: lists, forms, and every integrity rule as a message."""

import datetime

import pytest
from django.urls import reverse

from mss_tracker.tracker.models import Country, DeploymentEvent, Mission, Pledge, Source

EVENTS = reverse("admin:tracker_deploymentevent_changelist")
ADD_EVENT = reverse("admin:tracker_deploymentevent_add")
PLEDGES = reverse("admin:tracker_pledge_changelist")
ADD_PLEDGE = reverse("admin:tracker_pledge_add")
ADD_COUNTRY = reverse("admin:tracker_country_add")


def event(mission, country, source, day: str, kind: str, personnel: int, **extra):
    return DeploymentEvent.objects.create(
        mission=mission,
        country=country,
        source=source,
        date=datetime.date.fromisoformat(day),
        kind=kind,
        personnel_type=extra.pop("personnel_type", "police"),
        personnel=personnel,
        **extra,
    )


def event_form(mission, country, source, day: str, kind: str, personnel: int, **extra) -> dict:
    return {
        "mission": mission.pk,
        "country": country.pk,
        "date": day,
        "date_precision": "day",
        "kind": kind,
        "personnel_type": "police",
        "personnel": personnel,
        "source": source.pk,
        "notes": "",
        "change_reason": "Figure corrected per the briefing",
        **extra,
    }


def errors_of(response) -> str:
    """The text of every form error on the page, as the editor reads it."""
    form = response.context["adminform"].form
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


@pytest.fixture
def arrived(mission, kenya, source) -> DeploymentEvent:
    return event(mission, kenya, source, "2024-06-25", "arrival", 400)


# Lists ------------------------------------------------------------------------------------


def test_the_event_list_shows_the_strength_after_each_event(editor_client, mission, kenya, source):
    event(mission, kenya, source, "2024-06-25", "arrival", 400)
    event(mission, kenya, source, "2024-07-16", "arrival", 1200)
    event(mission, kenya, source, "2024-09-01", "departure", 30)

    response = editor_client.get(EVENTS)

    assert response.status_code == 200
    rows = {
        (row.date.isoformat(), row.strength_after) for row in response.context["cl"].result_list
    }
    assert rows == {("2024-06-25", 400), ("2024-07-16", 1600), ("2024-09-01", 1570)}
    assert "1,570" in response.text
    assert "Strength after" in response.text


def test_the_event_list_costs_the_same_queries_for_many_events(
    editor_client, mission, kenya, haiti, source, django_assert_num_queries
):
    for day in range(1, 29):
        event(mission, kenya, source, f"2024-07-{day:02}", "arrival", 10)
        event(mission, haiti, source, f"2024-07-{day:02}", "arrival", 5, personnel_type="military")
    assert DeploymentEvent.objects.count() == 56

    # Session, user, the user's and the groups' permissions, the mission and country
    # filters, the count, the page of rows (strength after is a subquery in it), and the
    # date hierarchy's range and days.
    with django_assert_num_queries(10):
        response = editor_client.get(EVENTS)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 56


def test_the_event_list_filters_by_mission_country_kind_type_and_disputed(
    editor_client, mission, kenya, source
):
    event(mission, kenya, source, "2024-06-25", "arrival", 400)
    event(mission, kenya, source, "2024-07-01", "departure", 10, disputed=True)

    response = editor_client.get(
        EVENTS,
        {
            "mission__id__exact": mission.pk,
            "country__iso3__exact": "KEN",
            "kind__exact": "departure",
            "personnel_type__exact": "police",
            "disputed__exact": "1",
        },
    )

    assert response.status_code == 200
    assert [row.kind for row in response.context["cl"].result_list] == ["departure"]


def test_the_event_list_searches_country_names_and_sources(editor_client, mission, kenya, source):
    event(mission, kenya, source, "2024-06-25", "arrival", 400)

    assert len(editor_client.get(EVENTS, {"q": "Kenya"}).context["cl"].result_list) == 1
    assert len(editor_client.get(EVENTS, {"q": "UN News"}).context["cl"].result_list) == 1
    assert len(editor_client.get(EVENTS, {"q": "Jamaica"}).context["cl"].result_list) == 0


def test_the_pledge_list_shows_a_pledge_without_a_number_as_a_dash(
    editor_client, mission, kenya, source
):
    Pledge.objects.create(
        mission=mission,
        country=kenya,
        source=source,
        personnel_type="police",
        date=datetime.date(2023, 7, 29),
        personnel=None,
    )

    response = editor_client.get(PLEDGES)

    assert response.status_code == 200
    assert "—" in response.text
    assert "29 Jul 2023" in response.text


def test_the_source_field_autocompletes(editor_client, source):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "tracker",
            "model_name": "deploymentevent",
            "field_name": "source",
            "term": "UN",
        },
    )

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == [str(source)]


@pytest.mark.parametrize("model", ["mission", "country", "source", "pledge", "deploymentevent"])
def test_every_model_has_a_list_and_an_add_page(admin_client, mission, model):
    assert admin_client.get(reverse(f"admin:tracker_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:tracker_{model}_add")).status_code == 200


def test_timeline_points_are_derived_and_not_edited_in_the_admin(admin_client):
    assert admin_client.get("/admin/tracker/timelinepoint/").status_code == 404


# Events that would drive strength negative -------------------------------------------------


def test_it_refuses_a_departure_of_more_than_are_deployed(
    editor_client, arrived, mission, kenya, source
):
    response = editor_client.post(
        ADD_EVENT, event_form(mission, kenya, source, "2024-08-01", "departure", 450)
    )

    assert response.status_code == 200
    assert "Refused" in errors_of(response)
    assert "1 Aug 2024" in errors_of(response)
    assert "a shortfall of 50" in errors_of(response)
    assert DeploymentEvent.objects.count() == 1


def test_it_refuses_a_back_dated_departure_before_the_arrivals(
    editor_client, arrived, mission, kenya, source
):
    mission.start_date = datetime.date(2024, 6, 1)  # the departure is within its life
    mission.save()
    response = editor_client.post(
        ADD_EVENT, event_form(mission, kenya, source, "2024-06-01", "departure", 10)
    )

    assert "2024-06-01" in errors_of(response)
    assert "a shortfall of 10" in errors_of(response)
    assert DeploymentEvent.objects.count() == 1


def test_it_refuses_lowering_an_arrival_that_later_departures_need(
    editor_client, arrived, mission, kenya, source
):
    event(mission, kenya, source, "2024-09-01", "departure", 300)
    change = reverse("admin:tracker_deploymentevent_change", args=[arrived.pk])

    response = editor_client.post(
        change, event_form(mission, kenya, source, "2024-06-25", "arrival", 200)
    )

    assert response.status_code == 200
    assert "1 Sep 2024" in errors_of(response)
    assert "a shortfall of 100" in errors_of(response)
    arrived.refresh_from_db()
    assert arrived.personnel == 400


def test_it_saves_a_departure_that_leaves_strength_at_zero(
    editor_client, arrived, mission, kenya, source
):
    response = editor_client.post(
        ADD_EVENT, event_form(mission, kenya, source, "2024-08-01", "departure", 400)
    )

    assert response.status_code == 302
    assert DeploymentEvent.objects.with_strength_after().get(kind="departure").strength_after == 0


def test_a_refusal_between_the_check_and_the_save_is_a_message_not_an_error_page(
    editor_client, arrived, mission, kenya, source, monkeypatch
):
    # As if another editor's departure had been saved just after this form was checked.
    monkeypatch.setattr(DeploymentEvent, "validate_timeline", lambda self: None)

    response = editor_client.post(
        ADD_EVENT, event_form(mission, kenya, source, "2024-08-01", "departure", 450), follow=True
    )

    assert response.status_code == 200
    assert "a shortfall of 50" in response.text
    assert DeploymentEvent.objects.count() == 1


# Model constraints as form errors ---------------------------------------------------------


def test_a_second_strength_report_on_a_date_is_a_form_error(
    editor_client, arrived, mission, kenya, source
):
    event(mission, kenya, source, "2024-08-01", "strength_report", 390)
    other = Source.objects.create(publisher="Reuters", title="Kenyan police")

    response = editor_client.post(
        ADD_EVENT, event_form(mission, kenya, other, "2024-08-01", "strength_report", 380)
    )

    assert response.status_code == 200
    assert "already a strength report" in errors_of(response)


def test_an_arrival_of_nobody_is_a_form_error(editor_client, mission, kenya, source):
    response = editor_client.post(
        ADD_EVENT, event_form(mission, kenya, source, "2024-08-01", "arrival", 0)
    )

    assert response.status_code == 200
    assert "at least 1 person" in errors_of(response)


def test_a_month_precision_date_is_stored_as_the_first_and_the_admin_says_so(
    editor_client, mission, kenya, source
):
    response = editor_client.post(
        ADD_EVENT,
        event_form(mission, kenya, source, "2024-08-15", "arrival", 5, date_precision="month"),
        follow=True,
    )

    assert DeploymentEvent.objects.get().date == datetime.date(2024, 8, 1)
    assert "stored as 2024-08-01 (you typed 2024-08-15)" in response.text


def test_a_year_precision_date_is_stored_as_1_january(editor_client, mission, kenya, source):
    editor_client.post(
        ADD_EVENT,
        event_form(mission, kenya, source, "2024-08-15", "arrival", 5, date_precision="year"),
    )

    assert DeploymentEvent.objects.get().date == datetime.date(2024, 1, 1)


def test_a_second_pledge_on_a_date_is_a_form_error(editor_client, mission, kenya, source):
    form = {
        "mission": mission.pk,
        "country": "KEN",
        "personnel_type": "police",
        "date": "2023-07-29",
        "date_precision": "day",
        "personnel": "1000",
        "source": source.pk,
        "notes": "",
    }
    assert editor_client.post(ADD_PLEDGE, form).status_code == 302

    response = editor_client.post(ADD_PLEDGE, {**form, "personnel": "1200"})

    assert response.status_code == 200
    assert "already has a pledge" in errors_of(response)
    assert Pledge.objects.get().personnel == 1000


def test_a_mission_cannot_end_before_it_starts(admin_client, mission):
    change = reverse("admin:tracker_mission_change", args=[mission.pk])
    form = {
        "slug": "mss",
        "acronym": "MSS",
        "name": mission.name,
        "host_country": "HTI",
        "lead_country": "KEN",
        "authorized_by": mission.authorized_by,
        "authorized_on": "2023-10-02",
        "start_date": "2024-06-25",
        "end_date": "2024-01-01",
        "notes": "",
    }

    response = admin_client.post(change, form)

    assert response.status_code == 200
    assert "cannot end before it starts" in errors_of(response)
    assert Mission.objects.get().end_date is None


# Deleting events --------------------------------------------------------------------------


def test_it_refuses_to_delete_an_arrival_that_later_departures_need(
    editor_client, arrived, mission, kenya, source
):
    event(mission, kenya, source, "2024-09-01", "departure", 300)
    delete = reverse("admin:tracker_deploymentevent_delete", args=[arrived.pk])

    response = editor_client.post(
        delete, {"post": "yes", "change_reason": "Recorded twice"}, follow=True
    )

    assert DeploymentEvent.objects.filter(pk=arrived.pk).exists()
    assert "a shortfall of 300" in response.text
    assert "1 Sep 2024" in response.text


def test_it_deletes_an_event_nothing_depends_on(editor_client, arrived):
    delete = reverse("admin:tracker_deploymentevent_delete", args=[arrived.pk])

    response = editor_client.post(delete, {"post": "yes", "change_reason": "Recorded twice"})

    assert response.status_code == 302
    assert not DeploymentEvent.objects.exists()


def test_delete_selected_refuses_and_deletes_nothing_when_strength_would_go_negative(
    editor_client, arrived, mission, kenya, source
):
    second = event(mission, kenya, source, "2024-07-16", "arrival", 100)
    event(mission, kenya, source, "2024-09-01", "departure", 450)

    response = editor_client.post(
        EVENTS,
        {
            "action": "delete_selected",
            "_selected_action": [arrived.pk, second.pk],
            "post": "yes",
            "change_reason": "Recorded twice",
        },
        follow=True,
    )

    assert DeploymentEvent.objects.count() == 3
    assert "a shortfall of 450" in response.text


def test_delete_selected_deletes_events_and_rebuilds_the_strength(
    editor_client, arrived, mission, kenya, source
):
    later = event(mission, kenya, source, "2024-07-16", "arrival", 100)
    event(mission, kenya, source, "2024-09-01", "departure", 50)

    response = editor_client.post(
        EVENTS,
        {
            "action": "delete_selected",
            "_selected_action": [later.pk],
            "post": "yes",
            "change_reason": "Recorded twice",
        },
    )

    assert response.status_code == 302
    assert DeploymentEvent.objects.count() == 2
    strengths = dict(
        DeploymentEvent.objects.with_strength_after().values_list("kind", "strength_after")
    )
    assert strengths == {"arrival": 400, "departure": 350}


# Countries --------------------------------------------------------------------------------


def test_adding_a_country_by_its_alpha_3_code_fills_in_the_rest(admin_client):
    response = admin_client.post(ADD_COUNTRY, {"iso3": "jam", "iso2": "", "name": ""})

    assert response.status_code == 302
    jamaica = Country.objects.get(iso3="JAM")
    assert (jamaica.iso2, jamaica.name) == ("JM", "Jamaica")


def test_a_country_code_must_be_in_the_iso_list(admin_client):
    response = admin_client.post(ADD_COUNTRY, {"iso3": "XYZ", "iso2": "", "name": "Nowhere"})

    assert response.status_code == 200
    assert "XYZ is not an ISO 3166-1 alpha-3 country code" in errors_of(response)
    assert not Country.objects.filter(iso3="XYZ").exists()


def test_the_alpha_2_code_must_match_the_alpha_3_code(admin_client):
    response = admin_client.post(ADD_COUNTRY, {"iso3": "JAM", "iso2": "KE", "name": "Jamaica"})

    assert response.status_code == 200
    assert "The alpha-2 code of JAM is JM, not KE" in errors_of(response)


def test_a_country_is_added_only_once(admin_client, kenya):
    response = admin_client.post(ADD_COUNTRY, {"iso3": "KEN", "iso2": "", "name": ""})

    assert response.status_code == 200
    assert "already exists" in errors_of(response)


def test_a_countrys_code_is_not_editable_once_created(admin_client, kenya):
    response = admin_client.get(reverse("admin:tracker_country_change", args=["KEN"]))

    assert 'name="iso3"' not in response.text
    assert 'name="name"' in response.text
