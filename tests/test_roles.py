"""Who may do what in the admin: anonymous visitors, analysts (read only) and editors."""

import datetime

import pytest
from admin_forms import event_form
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from mss_tracker.tracker.models import Country, DeploymentEvent, Mission, Pledge

EVENTS = reverse("admin:tracker_deploymentevent_changelist")
ADD_EVENT = reverse("admin:tracker_deploymentevent_add")


@pytest.fixture
def arrival(mission, kenya, source) -> DeploymentEvent:
    return DeploymentEvent.objects.create(
        mission=mission,
        country=kenya,
        source=source,
        date=datetime.date(2024, 6, 25),
        kind="arrival",
        personnel_type="police",
        personnel=400,
    )


@pytest.fixture
def pledge(mission, kenya, source) -> Pledge:
    return Pledge.objects.create(
        mission=mission,
        country=kenya,
        source=source,
        date=datetime.date(2023, 7, 29),
        personnel_type="police",
        personnel=1000,
    )


def change_url(obj) -> str:
    return reverse(f"admin:tracker_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj) -> str:
    return reverse(f"admin:tracker_{obj._meta.model_name}_delete", args=[obj.pk])


def test_the_groups_have_exactly_their_permissions(db):
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    analysts = set(
        Group.objects.get(name="Analysts").permissions.values_list("codename", flat=True)
    )

    assert editors == {
        *(
            f"{a}_{m}"
            for m in ("pledge", "deploymentevent", "fundingrecord", "source")
            for a in ("view", "add", "change", "delete")
        ),
        *(f"{a}_{m}" for m in ("mission", "country") for a in ("view", "add", "change")),
        "view_importjob",  # the Imports list
        "view_errorreport",  # readers' error reports: read and closed with a reason
        "change_errorreport",
    }
    assert analysts == {
        f"view_{m}"
        for m in ("pledge", "deploymentevent", "fundingrecord", "source", "mission", "country")
    }


# Anonymous --------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, arrival):
    response = client.get(EVENTS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_visitors_cannot_add_events(client, mission, kenya, source):
    response = client.post(ADD_EVENT, event_form(mission, source))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not DeploymentEvent.objects.exists()


# Analysts ---------------------------------------------------------------------------------


def test_analysts_see_the_lists(analyst_client, arrival, pledge):
    for model in ("deploymentevent", "pledge", "mission", "country", "source"):
        response = analyst_client.get(reverse(f"admin:tracker_{model}_changelist"))
        assert response.status_code == 200, model
    assert "400" in analyst_client.get(EVENTS).text


def test_analysts_see_an_event_without_a_save_button(analyst_client, arrival):
    response = analyst_client.get(change_url(arrival))

    assert response.status_code == 200
    assert "View deployment event" in response.text
    assert 'name="_save"' not in response.text


def test_analysts_cannot_add_change_or_delete(analyst_client, arrival, mission, kenya, source):
    assert analyst_client.get(ADD_EVENT).status_code == 403
    assert analyst_client.post(ADD_EVENT, event_form(mission, source)).status_code == 403

    form = {**event_form(mission, source), "personnel": "1"}
    analyst_client.post(change_url(arrival), form)
    arrival.refresh_from_db()
    assert arrival.personnel == 400

    assert (
        analyst_client.post(
            delete_url(arrival), {"post": "yes", "change_reason": "Recorded twice"}
        ).status_code
        == 403
    )
    assert DeploymentEvent.objects.count() == 1


def test_analysts_have_no_delete_action(analyst_client, arrival):
    response = analyst_client.post(
        EVENTS,
        {
            "action": "delete_selected",
            "_selected_action": [arrival.pk],
            "post": "yes",
            "change_reason": "Recorded twice",
        },
    )

    assert response.status_code in (200, 302)  # the action is not one of theirs
    assert DeploymentEvent.objects.count() == 1
    assert "Delete selected" not in analyst_client.get(EVENTS).text


def test_analysts_cannot_manage_users(analyst_client):
    assert analyst_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert analyst_client.get(reverse("admin:auth_group_changelist")).status_code == 403


# Editors ----------------------------------------------------------------------------------


def test_editors_add_change_and_delete_events(editor_client, arrival, mission, kenya, source):
    assert editor_client.post(ADD_EVENT, event_form(mission, source)).status_code == 302
    assert DeploymentEvent.objects.count() == 2

    form = {**event_form(mission, source), "date": "2024-06-25", "personnel": "390"}
    assert editor_client.post(change_url(arrival), form).status_code == 302
    arrival.refresh_from_db()
    assert arrival.personnel == 390

    assert (
        editor_client.post(
            delete_url(arrival), {"post": "yes", "change_reason": "Recorded twice"}
        ).status_code
        == 302
    )
    assert DeploymentEvent.objects.count() == 1


def test_editors_delete_pledges_and_sources(editor_client, pledge, source):
    assert (
        editor_client.post(
            delete_url(pledge), {"post": "yes", "change_reason": "Recorded twice"}
        ).status_code
        == 302
    )
    assert (
        editor_client.post(
            delete_url(source), {"post": "yes", "change_reason": "Recorded twice"}
        ).status_code
        == 302
    )
    assert not Pledge.objects.exists()


def test_editors_add_countries_but_never_delete_them(editor_client, kenya):
    add = reverse("admin:tracker_country_add")
    assert editor_client.post(add, {"iso3": "JAM", "iso2": "", "name": ""}).status_code == 302
    assert Country.objects.filter(iso3="JAM").exists()

    assert (
        editor_client.post(
            delete_url(kenya), {"post": "yes", "change_reason": "Recorded twice"}
        ).status_code
        == 403
    )
    assert Country.objects.filter(iso3="KEN").exists()


def test_editors_change_missions_but_never_delete_them(editor_client, mission):
    response = editor_client.get(change_url(mission))
    assert response.status_code == 200
    assert 'name="_save"' in response.text

    assert (
        editor_client.post(
            delete_url(mission), {"post": "yes", "change_reason": "Recorded twice"}
        ).status_code
        == 403
    )
    assert Mission.objects.filter(pk=mission.pk).exists()


def test_editors_cannot_manage_users(editor_client, analyst):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    change = reverse("admin:auth_user_change", args=[analyst.pk])
    assert editor_client.post(change, {"is_superuser": "on"}).status_code == 403
    analyst.refresh_from_db()
    assert not analyst.is_superuser


# CSRF -------------------------------------------------------------------------------------


def test_a_post_without_a_csrf_token_is_refused(editor, mission, kenya, source):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(ADD_EVENT, event_form(mission, source))

    assert response.status_code == 403
    assert "CSRF" in response.text
    assert not DeploymentEvent.objects.exists()


def test_a_post_with_the_csrf_token_of_the_form_is_accepted(editor, mission, kenya, source):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    token = client.get(ADD_EVENT).context["csrf_token"]

    response = client.post(ADD_EVENT, {**event_form(mission, source), "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert DeploymentEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_role_groups_come_back_after_a_flush():
    """A transactional test ends with `flush`, which empties every table; Django then sends
    post_migrate, on which the groups (and their permissions) are made again, so the next
    test a pytest-xdist worker runs finds them as migration 0002 left them."""
    from django.core.management import call_command

    from mss_tracker.tracker.roles import ROLE_PERMISSIONS

    call_command("flush", interactive=False, verbosity=0)
    for name, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        assert sorted(group.permissions.values_list("codename", flat=True)) == sorted(codenames)


def test_a_migrate_without_the_auth_tables_leaves_the_groups_alone(db, monkeypatch):
    """`migrate auth zero` also ends with post_migrate: with no table to put them in, the
    receiver does nothing rather than fail the migration."""
    from django.db import connection

    from mss_tracker.tracker.roles import restore_missing_role_groups

    Group.objects.all().delete()
    monkeypatch.setattr(connection.introspection, "table_names", lambda *args, **kwargs: [])
    restore_missing_role_groups(using="default")  # no query of auth_group: it is not there
    monkeypatch.undo()
    assert not Group.objects.exists()
    restore_missing_role_groups(using="default")
    assert Group.objects.count() == 2
