"""What the admin takes from an address: a list filters only by the filters it offers, an
object's page or custom view only an id that can name one, an add form only initial
values that can name a related record (lib/admin_filters.py). Each was a 500."""

import pytest
from django.urls import reverse

from mss_tracker.tracker.models import DeploymentEvent

pytestmark = pytest.mark.django_db

EVENTS = "/admin/tracker/deploymentevent/"


@pytest.mark.parametrize(
    "query",
    [
        "notes__regex=(",  # an invalid pattern: the database refused it
        "date__range=",  # an empty range
        "date__year=99999",  # past 9999 (the date hierarchy)
        "date__year=9999&date__month=12",  # 31 Dec 9999 plus a month
        "recorded_at__year=99999",
        "personnel__gt=1",  # a lookup that works, but no filter of the list offers it
    ],
)
def test_a_lookup_the_list_does_not_offer_goes_back_to_the_list(editor_client, query):
    response = editor_client.get(f"{EVENTS}?{query}")

    assert response.status_code == 302
    assert response["Location"] == f"{EVENTS}?e=1"


def test_the_lists_own_filters_and_date_hierarchy_still_filter(editor_client, sample_missions):
    gsf = sample_missions.gsf
    response = editor_client.get(
        f"{EVENTS}?mission__id__exact={gsf.pk}&kind__exact=arrival&date__year=2025&date__month=12"
    )

    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown == list(DeploymentEvent.objects.filter(mission=gsf, kind="arrival"))


@pytest.mark.parametrize(
    "path",
    [
        "/admin/tracker/importjob/abc/change/",
        "/admin/tracker/mission/%C2%B2/carry-over/",  # "²": a digit to str.isdigit(), not int()
        "/admin/tracker/mission/99999999999999999999999/carry-over/",
    ],
)
def test_an_id_that_names_nothing_is_a_404(editor_client, mission, path):
    assert editor_client.get(path).status_code == 404


@pytest.mark.parametrize("value", ["%20", "9" * 30, "abc"])
def test_an_add_form_drops_an_initial_value_that_names_no_record(editor_client, mission, value):
    response = editor_client.get(f"{reverse('admin:tracker_pledge_add')}?source={value}")

    assert response.status_code == 200
    assert response.context["adminform"].form.initial.get("source") is None


def test_an_add_form_keeps_an_initial_value_that_names_one(editor_client, mission, source):
    response = editor_client.get(f"{reverse('admin:tracker_pledge_add')}?source={source.pk}")

    assert str(response.context["adminform"].form.initial["source"]) == str(source.pk)
