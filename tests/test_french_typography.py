"""French pages follow French typography: a no-break space before `:` and a narrow one
before `;` `?` `!` `»` and after `«`, never an ordinary space or none (docs/glossary.md,
"Typography"; mss_tracker/lib/typography.py). Recorded English text (marked `lang="en"`)
and code keep their own spacing."""

from __future__ import annotations

import re

import polib
from django.template import Context, Template
from django.test import Client
from django.utils import translation
from test_recorded_language import PAGES, TextByLanguage
from test_translations import ROOT

from mss_tracker.lib import typography
from mss_tracker.tracker.sample_data import load_sample_data

TAG = re.compile(r"<[^>]*>")
MORE_PAGES = [
    "/use-the-data/",
    "/missions/mss/?as_of=2025-02-30",
    "/missions/nowhere/",
    "/missions/mss/events/?kind=strength_report&country=KEN",
    "/missions/mss/countries/CAN/",
]


def french_text(html: str) -> str:
    """The page's text as it reads, with each piece in another language (recorded English
    text) standing as one word: its spacing is its own language's."""
    parser = TextByLanguage("fr")
    parser.feed(html)
    return "".join(text if lang == "fr" else "x" for lang, text in parser.pieces)


def test_the_rule():
    assert typography.french("Source: AP") == "Source\u00a0: AP"
    assert typography.french("Pourquoi ? « Oui » ; non !") == (
        "Pourquoi\u202f? «\u202fOui\u202f»\u202f; non\u202f!"
    )
    assert typography.french("à 12:30, https://example.org") == "à 12:30, https://example.org"
    assert typography.faults("Source : AP") and typography.faults("Source: AP")
    assert typography.faults("Source\u00a0: AP") == []


def test_the_french_catalog_follows_it():
    faults = []
    for entry in polib.pofile(str(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po")):
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            faults += typography.faults(TAG.sub(" ", text))
    assert faults == []


def test_a_label_s_colon_follows_the_language():
    template = Template("{% load dashboard_format %}Notes{% colon %} x")
    with translation.override("fr"):
        assert template.render(Context()) == "Notes\u00a0: x"
    with translation.override("ht"):
        assert template.render(Context()) == "Notes: x"


def test_every_french_page_follows_it(db):
    load_sample_data()
    client = Client()
    faults = {}
    for path in PAGES + MORE_PAGES:
        response = client.get(f"/fr{path}")
        assert response.status_code in (200, 400, 404), path
        if found := typography.faults(french_text(response.text)):
            faults[path] = found
    assert faults == {}


# A country's name takes an article in French that a placeholder cannot know ("par le
# Kenya", "pour la Jamaïque", "des Bahamas"): the catalog names a country after a label or
# a dash instead ("pays pilote : Kenya", "Financement – Kenya"). A mission's acronym is
# always feminine ("la MSS", "de la GSF"), and a month-precision date reads "fin avr. 2025".
COUNTRY_AFTER_PREPOSITION = re.compile(
    r"\b(?:par|pour|de|du|à|au|en|dans|avec|sur)\s+%\((?:country|subject|donor)\)s"
)
ACRONYM_WITHOUT_ARTICLE = re.compile(r"\b(?:de|à|dans|par|pour)\s+%\(acronym\)s")


def test_the_french_catalog_puts_no_article_dependent_word_before_a_name():
    wrong = []
    for entry in polib.pofile(str(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po")):
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            if COUNTRY_AFTER_PREPOSITION.search(text) or ACRONYM_WITHOUT_ARTICLE.search(text):
                wrong.append(text)
            if "à la fin de %(period)s" in text:
                wrong.append(text)
    assert wrong == []
