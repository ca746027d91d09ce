"""The admin's import pages (upload, preview, progress, the Imports list) speak the
editor's language as the rest of the admin does: French and Creole from our catalogs,
the upload script's messages included (they come from the page, not from the script)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from test_translations import ALLOWED, english_words, visible_text

from tests.test_import_csv import events_file

pytestmark = pytest.mark.django_db

IMPORT_EVENTS = reverse("admin:tracker_deploymentevent_import_csv")
IMPORTS = reverse("admin:tracker_importjob_changelist")


def content_words(html: str) -> set[str]:
    """The catalog's English words left in the page's own part (not the admin's frame,
    which is Django's, nor the rows of the file, which are the editor's data)."""
    main = re.search(r'<div id="content-main".*', html, re.DOTALL).group(0)
    main = re.sub(r"<table id=\"csv-new-rows\".*?</table>", " ", main, flags=re.DOTALL)
    main = re.sub(r"<ul id=\"csv-new-sources\".*?</ul>", " ", main, flags=re.DOTALL)
    # "import(s)" is French too, "id" the column; "editor" is the test's user name.
    vocabulary = english_words() - ALLOWED - {"import", "imports", "id", "editor"}
    words = re.findall(r"[A-Za-zÀ-ÿ’']+", visible_text(main))
    return {w for w in words if w.lower() in vocabulary and not w.isupper()}  # UTF, MB


@pytest.fixture
def editor_in(editor_client):
    def speaking(language: str):
        editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return editor_client

    return speaking


@pytest.mark.parametrize(
    ("language", "title", "button", "too_large"),
    [
        ("fr", "Importer un CSV", "Envoyer et voir l’aperçu", "Ce fichier fait {size}"),
        ("ht", "Enpòte yon CSV", "Voye epi wè apèsi a", "Fichye sa a fè {size}"),
    ],
)
def test_the_upload_page_and_its_script_speak_the_editors_language(
    editor_in, mission, language, title, button, too_large
):
    html = editor_in(language).get(IMPORT_EVENTS).content.decode()
    assert title in html and button in html
    assert f'data-too-large="{too_large}' in html  # csv_upload.js says what the page gives it
    assert content_words(html) == set()


@pytest.mark.parametrize(
    ("language", "status", "to_create"),
    [
        ("fr", "Prêt à confirmer", "<strong>1</strong> ligne à créer"),
        ("ht", "Pare pou konfime", "<strong>1</strong> liy pou kreye"),
    ],
)
def test_the_preview_speaks_the_editors_language(editor_in, mission, language, status, to_create):
    client = editor_in(language)
    upload = SimpleUploadedFile("events.csv", events_file({}), "text/csv")
    response = client.post(IMPORT_EVENTS, {"file": upload})
    html = client.get(response["Location"]).content.decode()
    assert status in html and to_create in html
    assert content_words(html) == set()
    listing = client.get(IMPORTS).content.decode()
    assert status in listing


def test_the_preview_in_french_follows_french_typography(editor_in, mission):
    client = editor_in("fr")
    upload = SimpleUploadedFile("events.csv", events_file({"personnel": "many"}), "text/csv")
    html = client.get(client.post(IMPORT_EVENTS, {"file": upload})["Location"]).content.decode()
    assert "1 erreur\u00a0: rien ne sera écrit" in html
    assert "Lignes refusées\u00a0: <strong>1</strong> (ligne 2)." in html
