"""Import messages people understand: separators, encodings, empty files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.models import DeploymentEvent
from tests.test_import_csv import events_file

pytestmark = pytest.mark.django_db

IMPORT_EVENTS = reverse("admin:tracker_deploymentevent_import_csv")


def with_separator(data: bytes, separator: str) -> bytes:
    # events_file({"notes": ""}) has no quoted cell, so every comma is a separator
    return data.replace(b",", separator.encode())


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_semicolon_or_tab_separated_file_is_read_from_its_header(mission, separator):
    result = import_csv("events", with_separator(events_file({}), separator))

    assert result.ok, result.errors
    assert DeploymentEvent.objects.get().personnel == 200


def test_a_semicolon_file_that_cannot_be_read_says_how_to_save_it(mission):
    data = with_separator(events_file({}), ";").replace(b"personnel_type", b"type")

    (first, *_rest) = [str(error) for error in import_csv("events", data).errors]

    assert first.startswith(
        "line 1: this file is separated by semicolons; save it as comma-separated CSV"
    )


def test_a_latin_1_file_is_named_as_people_know_it(mission):
    data = events_file({"notes": "Arrivée à Port-au-Prince"}).decode().encode("latin-1")

    (message,) = [str(error) for error in import_csv("events", data).errors]

    assert "it looks like Windows-1252 (Western European)" in message


def test_a_header_only_file_says_it_has_no_data_rows(mission, editor_client):
    header_only = events_file().split(b"\r\n")[0] + b"\r\n"

    assert "has no data rows" in import_csv("events", header_only).summary()
    page = editor_client.post(
        IMPORT_EVENTS,
        {"file": SimpleUploadedFile("events.csv", header_only, "text/csv")},
        follow=True,
    )
    assert "the file has no data rows (only the header)" in page.text
    assert "already recorded" not in page.text
