"""Every public page in French and Creole, as Chromium shows it on a phone and a desktop:
no interface word left in English (from the templates, the stylesheet's generated text or
a script), and recorded text (titles, notes, publishers, mission names) marked with its
own language. In the slow suite: `uv run pytest -m browser tests/test_browser_translations.py`.
"""

from __future__ import annotations

import re

import pytest
from test_browser import browser  # noqa: F401 (the module's Chromium, a fixture)
from test_recorded_language import recorded_texts
from test_translations import ALLOWED, WORD, data_values, english_words

from mss_tracker.tracker.sample_data import load_sample_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("/", 200),
    ("/missions/mss/", 200),
    ("/missions/gsf/", 200),
    ("/missions/mss/?as_of=2025-01-05&type=police&sort=-gap", 200),
    ("/missions/mss/events/", 200),
    ("/missions/gsf/events/?kind=transfer", 200),
    ("/missions/mss/changes/?from=2024-06-01&to=2025-06-01", 200),
    ("/missions/mss/countries/KEN/", 200),
    ("/missions/mss/countries/JAM/", 200),
    ("/missions/gsf/countries/KEN/", 200),
    ("/missions/mss/countries/USA/", 200),
    ("/missions/mss/report-an-error/", 200),
    ("/use-the-data/", 200),
    ("/missions/mss/?as_of=2025-02-30", 400),
    ("/missions/nowhere/", 404),
]

# What a reader sees or hears: each visible text node with the language it is marked in,
# the accessible attributes, and the text the stylesheet generates (::before, ::after).
READ_PAGE = """() => {
  const page = document.documentElement.lang;
  const own = [], foreign = [], attributes = [], generated = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || element.closest("script, style, code, pre, template")) continue;
    if (!element.checkVisibility() && !element.closest("details")) continue;
    const marked = element.closest("[lang]");
    (marked && marked.lang !== page ? foreign : own).push(node.textContent);
  }
  for (const element of document.querySelectorAll("[aria-label], [title], [alt], [placeholder]")) {
    for (const name of ["aria-label", "title", "alt", "placeholder"]) {
      if (element.hasAttribute(name)) attributes.push(element.getAttribute(name));
    }
  }
  for (const element of document.querySelectorAll("body *")) {
    for (const pseudo of ["::before", "::after"]) {
      const content = getComputedStyle(element, pseudo).content;
      if (content && content.startsWith('"') && /[A-Za-z]/.test(content)) generated.push(content);
    }
  }
  return {own: own.join(" "), foreign, attributes, generated};
}"""


@pytest.fixture
def sample(live_server):
    load_sample_data()
    return live_server


def english_left(text: str, vocabulary: set[str], recorded: list[str]) -> set[str]:
    for value in recorded:
        text = text.replace(value, " ")
    return {w for w in WORD.findall(text) if w.lower() in vocabulary and not w.isupper()}


@pytest.mark.parametrize("language", ["fr", "ht"])
@pytest.mark.parametrize("width", [390, 1280])
def test_no_interface_word_is_left_in_english(browser, sample, language, width):  # noqa: F811
    vocabulary = english_words() - ALLOWED
    values = data_values()
    recorded = recorded_texts()
    context = browser.new_context(viewport={"width": width, "height": 900})
    problems = {}
    try:
        for path, status in PAGES:
            page = context.new_page()
            assert page.goto(f"{sample.url}/{language}{path}").status == status, path
            read = page.evaluate(READ_PAGE)
            own = " ".join(read["own"].split())
            found = {
                "text": english_left(read["own"], vocabulary, values),
                "attributes": english_left(" ".join(read["attributes"]), vocabulary, values),
                "stylesheet": english_left(" ".join(read["generated"]), vocabulary, values),
                "recorded, unmarked": {v[:50] for v in recorded if v in own},
            }
            if found := {kind: words for kind, words in found.items() if words}:
                problems[path] = found
            page.close()
    finally:
        context.close()
    assert problems == {}


def test_the_phone_table_says_sort_by_in_the_page_s_language(browser, sample):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 900})
    try:
        for language, words in (("fr", "Trier par\u00a0:"), ("ht", "Klase dapre:")):
            page = context.new_page()
            page.goto(f"{sample.url}/{language}/missions/mss/")
            before = page.evaluate(
                """() => getComputedStyle(
                    document.querySelector("table.countries thead th"), "::before").content"""
            )
            assert re.sub(r"^attr\\(.*\\)$", "", before) == "" or words in before
            label = page.locator("table.countries thead th").first.get_attribute("data-sort-by")
            assert label.startswith(words)
    finally:
        context.close()


def test_the_upload_script_speaks_the_editors_language(browser, live_server, settings):  # noqa: F811
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from mss_tracker.tracker.roles import ensure_role_groups

    ensure_role_groups()  # the live server's database is flushed between tests
    editor = User.objects.create_user("editor", password="correct horse battery", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)
    settings.CSV_IMPORT_MAX_BYTES = 1024 * 1024
    context = browser.new_context(locale="fr-FR", extra_http_headers={"Accept-Language": "fr"})
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/tracker/deploymentevent/import-csv/")
        page.locator('input[type="file"]').set_input_files(
            files=[{"name": "big.csv", "mimeType": "text/csv", "buffer": b"x" * 1_600_000}]
        )
        status = page.locator("#csv-upload-status")
        expect_text = "Ce fichier fait 1,5\u00a0Mo\u00a0: la limite est de 1,0\u00a0Mo."
        page.wait_for_function("() => !document.getElementById('csv-upload-status').hidden")
        assert status.text_content().startswith(expect_text)
        assert page.locator('input[type="submit"]').get_attribute("value") == (
            "Envoyer et voir l’aperçu"
        )
    finally:
        context.close()
