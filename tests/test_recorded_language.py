"""Recorded text keeps its language on a French or Creole page: titles, notes, publishers
and mission names are recorded in English, and each is marked `lang="en"` so that a screen
reader reads it with an English voice (docs/rules.md, "Languages")."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from mss_tracker.tracker.models import DeploymentEvent, FundingRecord, Mission, Pledge, Source
from mss_tracker.tracker.sample_data import load_sample_data

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
# Not read as text of the page: scripts, styles, the <title> (no markup there), and code
# (the BibTeX entry to copy, addresses), which is the same in every language.
HIDDEN = ("script", "style", "title", "code")
PAGES = [
    "/",
    "/missions/mss/",
    "/missions/gsf/",
    "/missions/mss/?as_of=2025-03-01",
    "/missions/mss/events/",
    "/missions/gsf/events/",
    "/missions/mss/changes/?from=2024-06-01&to=2025-06-01",
    "/missions/mss/countries/KEN/",
    "/missions/mss/countries/JAM/",
    "/missions/gsf/countries/KEN/",
    "/missions/mss/countries/USA/",
    "/missions/mss/report-an-error/",
]


class TextByLanguage(HTMLParser):
    """The page's visible text, each piece with the language it is marked in."""

    def __init__(self, page_language: str) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = [("", page_language)]
        self.pieces: list[tuple[str, str]] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        language = dict(attrs).get("lang") or self.stack[-1][1]
        self.stack.append((tag, language))
        self.hidden += tag in HIDDEN

    def handle_endtag(self, tag):
        while len(self.stack) > 1:
            opened, _ = self.stack.pop()
            self.hidden -= opened in HIDDEN
            if opened == tag:
                break

    def handle_data(self, data):
        if not self.hidden:
            self.pieces.append((self.stack[-1][1], data))


def text_not_marked_english(html: str, language: str) -> str:
    parser = TextByLanguage(language)
    parser.feed(html)
    return " ".join(" ".join(text for lang, text in parser.pieces if lang != "en").split())


def recorded_texts() -> list[str]:
    values: list[str] = []
    for mission in Mission.objects.all():
        values += [mission.name, mission.authorized_by]
    for source in Source.objects.all():
        values += [source.publisher, source.title]
    for model in (Pledge, DeploymentEvent, FundingRecord):
        values += model.objects.exclude(notes="").values_list("notes", flat=True)
    return sorted({" ".join(v.split()) for v in values if v and len(v) >= 8}, key=len)


@pytest.mark.parametrize("language", ["fr", "ht"])
def test_recorded_text_is_marked_english_on_french_and_creole_pages(db, language):
    load_sample_data()
    recorded = recorded_texts()
    unmarked = {}
    for path in PAGES:
        response = Client().get(f"/{language}{path}")
        assert response.status_code == 200, path
        text = text_not_marked_english(response.text, language)
        found = [value[:60] for value in recorded if value in text]
        if found:
            unmarked[path] = found
    assert unmarked == {}
