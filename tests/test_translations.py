"""The French and Creole catalogs are complete, compiled, and cover every public page.

`makemessages` must find no string the catalogs lack, no entry may be untranslated or
fuzzy, the committed .mo files must be those of the .po files, and no public page may
show English that a reader of French or Creole would have to guess at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.test import Client

from mss_tracker.dashboards.sorting import SORT_COLUMNS
from mss_tracker.tracker.models import (
    DeploymentEvent,
    EventKind,
    Mission,
    PersonnelType,
    Pledge,
    Source,
)

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = ("fr", "ht")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%%")


def catalog(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_is_translated_and_none_is_fuzzy_or_obsolete(language):
    po = catalog(language)
    assert len(po) > 100
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == language


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder(language):
    for entry in catalog(language):
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in translations(entry):
            assert sorted(PLACEHOLDER.findall(text)) == expected, entry.msgid


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_committed_mo_files_are_compiled_from_the_po_files(language):
    """`uv run manage.py demo` on a fresh clone reads the committed .mo (no msgfmt needed):
    they must say what the .po files say (`manage.py compilemessages` after editing)."""
    mo = polib.mofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"))
    compiled = {key(e): translations(e) for e in mo if e.msgid}
    written = {key(e): translations(e) for e in catalog(language) if e.msgid}
    assert compiled == written


def _xgettext_missing() -> str | None:
    if shutil.which("xgettext") and shutil.which("msgmerge"):
        return None
    message = "GNU gettext is missing: apt-get install -y gettext"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    return message


@pytest.mark.slow  # runs manage.py makemessages
def test_makemessages_finds_no_string_the_catalogs_lack(tmp_path):
    """Run `makemessages` on a copy of the project: it must add and drop nothing."""
    if reason := _xgettext_missing():
        pytest.skip(reason)
    for name in ("mss_tracker", "templates", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "-l", "ht"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    for language in TRANSLATED:
        path = tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"
        extracted = {key(e) for e in polib.pofile(str(path))}
        translated = {key(e) for e in catalog(language)}
        assert extracted - translated == set(), "new strings: run makemessages and translate"
        assert translated - extracted == set(), "strings no longer used: run makemessages"


# No English left on the pages -----------------------------------------------------------------

# Words that are the same in English and in French or Creole, proper nouns and codes.
ALLOWED = {
    # the product, acronyms, file names, the sort parameter, the Atom feed format
    "mss", "tracker", "gsf", "csv", "svg", "summary", "events", "pledges", "missions",
    "iso", "alpha", "yyyy", "mm", "dd", "e", "g", "admin", "sort", "atom",
    "json", "datapackage", "pandas", "curl", "bibtex",  # file and tool names (open data)
    "excel", "libreoffice",  # the spreadsheets the CSV for spreadsheets is for
    "funding", "funding_summary", "changes",  # file names (funding.csv, changes.json)
    # French words spelled as English ones
    "police", "source", "notes", "type", "pages", "page", "date", "total", "mission",
    "a", "site", "civil", "sur", "pays", "plus", "on", "le", "en", "sept",
    "mars", "avril", "juin", "juillet", "nov", "oct", "dates", "est", "sources",
    "personnel", "note", "point", "types", "code", "codes", "certain", "instant", "part",
    "accents", "force", "dollars", "figure", "format", "millions",
    "http", "https", "web",  # an address written out in a text, "adresse web"
    # Creole words spelled as English ones
    "an", "me", "men", "pa", "sit", "out", "li", "ki", "paj", "sou", "nan", "la", "jan",
    "done", "make", "limit", "bilateral",
}  # fmt: skip

# Parameter names (as_of) and codes (KEN, MSS) are written as they are in every language.
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ’'_]+")


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and accessible attributes, but not
    scripts, styles or <code> (a parameter or a URL is written the same in every language)."""

    ATTRIBUTES = ("title", "aria-label", "alt", "placeholder", "data-label")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self.skip += 1
        self.parts += [value for name, value in attrs if name in self.ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def data_values() -> list[str]:
    """What the records say, which stays as recorded in every language (docs/rules.md,
    "Languages"), and the values a URL parameter accepts, which a 400 page lists as they
    are written."""
    values = [", ".join(SORT_COLUMNS), ", ".join(PersonnelType.values), ", ".join(EventKind.values)]
    for mission in Mission.objects.all():
        values += [mission.name, mission.acronym, mission.authorized_by, mission.slug]
    for source in Source.objects.all():
        values += [source.publisher, source.title or ""]
    for model in (Pledge, DeploymentEvent):
        values += list(model.objects.exclude(notes="").values_list("notes", flat=True))
    return sorted((v for v in values if v), key=len, reverse=True)


def english_words() -> set[str]:
    """Every word the interface says in English: the catalogs' msgids."""
    words = set()
    for entry in catalog("fr"):
        text = re.sub(r"<[^>]+>|%\([a-z_]+\)s", " ", entry.msgid + " " + entry.msgid_plural)
        words |= {w.lower() for w in WORD.findall(text)}
    return words


PAGES = [
    "/",
    "/?type=military",
    "/missions/mss/",
    "/missions/mss/?as_of=2025-01-05&type=police&sort=-gap",
    "/missions/mss/?as_of=2026-06-01",
    "/missions/gsf/",
    "/missions/mss/countries/KEN/",
    "/missions/mss/countries/JAM/?type=police",
    "/missions/gsf/countries/KEN/",
    "/missions/mss/events/",
    "/missions/mss/events/?page=2",
    "/missions/mss/events/?kind=strength_report&country=KEN&from=2024-01-01&to=2025-06-01",
    "/missions/mss/events/?kind=transfer",
    "/missions/mss/chart.svg?type=police",
    "/missions/mss/countries/KEN/chart.svg",
    "/missions/mss/funding.svg",
    "/missions/mss/?as_of=2025-02-30",
    "/missions/mss/events/?page=99",
    "/missions/mss/?sort=size",
    "/missions/nowhere/",
    "/use-the-data/",
]


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_public_page_shows_untranslated_english(sample_missions, language):
    client = Client()
    vocabulary = english_words() - ALLOWED
    recorded = data_values()
    leftovers = {}
    for path in PAGES:
        response = client.get(f"/{language}{path}")
        assert response.status_code in (200, 400, 404), path
        text = visible_text(response.text)
        for value in recorded:
            text = text.replace(value, " ")
        found = {w for w in WORD.findall(text) if w.lower() in vocabulary and not w.isupper()}
        if found:
            leftovers[path] = sorted(found)
    assert leftovers == {}, "\n".join(f"{path}: {words}" for path, words in leftovers.items())
