"""Text that every format can carry (docs/rules.md): no text field takes a C0 control
character other than tab, line feed and carriage return — the admin and the CSV import
refuse it, naming it — and text stored around that rule still cannot break the Atom
feed, the chart SVGs or the JSON exports."""

import datetime
import json
import xml.etree.ElementTree as ET

import pytest
from django.db import connection, models
from django.urls import reverse
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.models import (
    Country,
    DeploymentEvent,
    ErrorReport,
    FundingRecord,
    Mission,
    Pledge,
    Source,
)
from mss_tracker.tracker.text import (
    control_character_problem,
    refuse_control_characters,
    xml_safe,
)
from tests.admin_forms import event_form
from tests.test_admin import errors_of
from tests.test_import_csv import events_file

pytestmark = pytest.mark.django_db

ADD_EVENT = reverse("admin:tracker_deploymentevent_add")


def test_the_message_names_the_character_and_its_code():
    assert control_character_problem("fine\ttext\r\nwith lines") is None
    assert control_character_problem("a\x0bb") == (
        "contains the control character U+000B (vertical tab); remove it."
    )
    assert "U+001B (escape)" in control_character_problem("\x1b[0m")
    assert "U+0007 (bell)" in control_character_problem("ding\x07")
    assert "U+000C (form feed)" in control_character_problem("\x0c")
    assert "U+0000 (null)" in control_character_problem("\x00")


@pytest.mark.parametrize(
    ("character", "name"),
    [("\x0b", "U+000B (vertical tab)"), ("\x0c", "U+000C (form feed)"), ("\x1b", "U+001B (escape)"),
     ("\x07", "U+0007 (bell)")],
)  # fmt: skip
def test_the_admin_refuses_a_control_character_in_notes(
    editor_client, mission, kenya, source, character, name
):
    response = editor_client.post(
        ADD_EVENT, event_form(mission, source, notes=f"Seen at the airport{character}today")
    )

    assert response.status_code == 200
    expected = f"Contains the control character {name}; remove it."
    assert expected in errors_of(response), errors_of(response)
    assert not DeploymentEvent.objects.exists()


def test_the_admin_keeps_tabs_and_line_breaks(editor_client, mission, kenya, source):
    response = editor_client.post(
        ADD_EVENT, event_form(mission, source, notes="First line\r\nsecond\tline")
    )

    assert response.status_code == 302
    assert DeploymentEvent.objects.get().notes == "First line\r\nsecond\tline"


def test_the_admin_refuses_one_in_a_missions_name(admin_client, mission):
    form = {
        "slug": "mss",
        "acronym": "MSS",
        "name": "Multinational\x1bSecurity Support",
        "host_country": "HTI",
        "lead_country": "KEN",
        "authorized_by": mission.authorized_by,
        "authorized_on": "2023-10-02",
        "start_date": "2024-06-25",
        "notes": "",
        "change_reason": "Renamed",
    }
    response = admin_client.post(reverse("admin:tracker_mission_change", args=[mission.pk]), form)

    assert response.status_code == 200
    assert "Contains the control character U+001B (escape)" in errors_of(response)
    assert Mission.objects.get().name == "Multinational Security Support mission"


def test_the_import_refuses_it_naming_line_column_and_character(mission):
    data = events_file(
        {"notes": "fine"},
        {"notes": "fine too", "personnel": "10"},
        {"notes": "pasted\x0bfrom a PDF", "personnel": "20"},
    )

    result = import_csv("events", data)

    assert not result.ok
    assert [str(error) for error in result.errors] == [
        "line 4, column notes: contains the control character U+000B (vertical tab); remove it."
    ]
    assert not DeploymentEvent.objects.exists()


def test_the_import_checks_every_text_column(mission):
    result = import_csv("events", events_file({"source_publisher": "AP\x07", "notes": "\x0c"}))

    assert sorted(str(error) for error in result.errors) == [
        "line 2, column notes: contains the control character U+000C (form feed); remove it.",
        "line 2, column source_publisher: contains the control character U+0007 (bell); remove it.",
    ]


EDITED_MODELS = [Country, Source, Mission, Pledge, DeploymentEvent, FundingRecord, ErrorReport]


@pytest.mark.parametrize("model", EDITED_MODELS, ids=lambda model: model.__name__)
def test_every_text_field_keeps_the_rule(model):
    """A text field added later keeps the rule too (a field of fixed choices needs none)."""
    text_fields = [
        field
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField) and not field.choices
    ]
    assert text_fields
    for field in text_fields:
        if field.name in {"iso3", "iso2", "slug", "client_key"}:
            continue  # codes their own validators keep to [A-Z] and [a-z0-9-], or a hash
        assert refuse_control_characters in field.validators, f"{model.__name__}.{field.name}"


def test_xml_safe_drops_only_what_xml_cannot_carry():
    assert xml_safe("a\tb\nc\rd é ✓ \x7f") == "a\tb\nc\rd é ✓ \x7f"
    assert xml_safe("a\x00b\x0bc\x1bd\ufffe\uffff") == "abcd"


# Stored around the rule -----------------------------------------------------------------------

# Any text (NUL aside on PostgreSQL, which cannot store it in a text column).
stored_text = st.text(
    st.characters(
        codec="utf-8",
        exclude_characters="\x00" if connection.vendor == "postgresql" else None,
    ),
    min_size=1,
    max_size=30,
)


def _get(client, name: str, *args: str) -> bytes:
    response = client.get(reverse(f"dashboards:{name}", args=args))
    assert response.status_code == 200, f"{response.status_code} for {name}"
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def gsf_with_funding(sample_missions) -> Mission:
    gsf = sample_missions.gsf
    FundingRecord.objects.create(
        mission=gsf,
        donor_id="KEN",
        date=datetime.date(2025, 10, 1),
        kind="received",
        measure="total",
        channel="trust_fund",
        amount_usd=1_000_000,
        source=sample_missions.source,
    )
    return gsf


@seed(7)
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(texts=st.lists(stored_text, min_size=9, max_size=9))
def test_no_stored_text_breaks_the_feed_the_charts_or_the_json(client, gsf_with_funding, texts):
    gsf = gsf_with_funding
    # Written with update(): around the validators, as text stored before the rule was.
    Mission.objects.filter(pk=gsf.pk).update(
        acronym=texts[0][:20], name=texts[1], authorized_by=texts[2], notes=texts[3]
    )
    Country.objects.filter(pk="KEN").update(name=texts[4][:100])
    Source.objects.update(publisher=texts[5], title=texts[6])
    DeploymentEvent.objects.filter(mission=gsf).update(notes=texts[7])
    FundingRecord.objects.update(notes=texts[8])

    ET.fromstring(_get(client, "events-feed", "gsf"))  # raises on what XML cannot carry
    ET.fromstring(_get(client, "mission-chart", "gsf"))
    ET.fromstring(_get(client, "funding-chart", "gsf"))
    ET.fromstring(_get(client, "country-chart", "gsf", "KEN"))
    for name in ("export-events-json", "export-summary-json", "export-funding-json"):
        json.loads(_get(client, name, "gsf"))
    json.loads(_get(client, "datapackage", "gsf"))
    json.loads(_get(client, "export-missions-json"))
