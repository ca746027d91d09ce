"""The public pages in English, French and Haitian Creole (docs/rules.md, "Languages").

English at the URLs docs/rules.md names, French under /fr/, Creole under /ht/; numbers and dates
in each language's form; data, CSV and JSON the same in every language.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format, number_format

from mss_tracker.dashboards.templatetags.dashboard_format import percent, precise_date, thousands

NBSP = "\xa0"
ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "fr", "ht")


def prefixed(language: str, path: str) -> str:
    return path if language == "en" else f"/{language}{path}"


@pytest.fixture
def client() -> Client:
    return Client()


# URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "lang"),
    [
        ("/missions/mss/", "en"),
        ("/fr/missions/mss/", "fr"),
        ("/ht/missions/mss/", "ht"),
        ("/fr/", "fr"),
        ("/ht/missions/mss/countries/KEN/", "ht"),
        ("/fr/missions/mss/events/?kind=arrival", "fr"),
    ],
)
def test_each_page_speaks_the_language_of_its_url(client, sample_missions, path, lang):
    response = client.get(path)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert response["Content-Language"] == lang


@pytest.mark.parametrize(
    "path",
    [
        "/fr/missions/mss/export/summary.csv",
        "/ht/missions/mss/export/events.csv",
        "/fr/export/missions.csv",
        "/fr/healthz",
        "/fr/missions/mss/events.atom",
        "/fr/admin/",
    ],
)
def test_exports_probes_and_the_admin_have_no_language_prefix(client, sample_missions, path):
    assert client.get(path).status_code == 404


def test_an_unprefixed_page_is_english_whatever_the_browser_says(client, sample_missions):
    response = client.get("/missions/mss/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response.status_code == 200  # no redirect: a shared link opens as it was shared
    assert '<html lang="en">' in response.text
    assert "Pledged" in response.text


def test_the_charts_are_drawn_in_the_language_of_their_url(client, sample_missions):
    svg = client.get("/fr/missions/mss/chart.svg?type=police").text
    assert "Déployés" in svg and "Promis" in svg and "Jalon" in svg
    assert "Deployed" not in svg
    creole = client.get("/ht/missions/mss/countries/KEN/chart.svg").text
    assert "Deplwaye" in creole and "Pwomèt" in creole


def test_a_charts_points_are_dated_in_each_urls_language_one_after_the_other(
    client, sample_missions
):
    # The points' dates are formatted once per language and kept (charts.py): the
    # English chart drawn first must not lend its dates to the French one.
    english = client.get("/missions/mss/chart.svg?type=police").text
    french = client.get("/fr/missions/mss/chart.svg?type=police").text
    assert "25 Jun 2024: 200 deployed" in english
    assert "25 juin 2024" in french and "25 Jun 2024" not in french


# Numbers, dates and names -------------------------------------------------------------------


def test_the_creole_format_module_writes_numbers_as_in_french_and_creole_months():
    day = datetime.date(2025, 10, 2)
    with translation.override("ht"):
        assert number_format(1015, force_grouping=True) == f"1{NBSP}015"
        assert number_format(Decimal("32.4"), decimal_pos=1) == "32,4"
        assert date_format(day, "DATE_FORMAT") == "2 oktòb 2025"
        assert date_format(datetime.date(2023, 8, 1), "YEAR_MONTH_FORMAT") == "out 2023"
        months = [date_format(datetime.date(2025, m, 1), "F") for m in range(1, 13)]
    assert months == [
        "janvye", "fevriye", "mas", "avril", "me", "jen",
        "jiyè", "out", "septanm", "oktòb", "novanm", "desanm",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("language", "number", "share", "day", "month"),
    [
        ("en", "1,015", "32.4%", "2 Oct 2025", "Aug 2023"),
        ("fr", f"1{NBSP}015", f"32,4{NBSP}%", "2 oct. 2025", "août 2023"),
        ("ht", f"1{NBSP}015", f"32,4{NBSP}%", "2 oktòb 2025", "out 2023"),
    ],
)
def test_numbers_percents_and_dates_follow_the_language(language, number, share, day, month):
    with translation.override(language):
        assert thousands(1015) == number
        assert percent(Decimal("32.4")) == share
        assert precise_date(datetime.date(2025, 10, 2)) == day
        assert precise_date(datetime.date(2023, 8, 1), "month") == month
        assert precise_date(datetime.date(2023, 1, 1), "year") == "2023"
        assert precise_date(datetime.date(2024, 1, 5)) in (
            "5 Jan 2024",
            "5 janv. 2024",
            "5 janvye 2024",
        )


@pytest.mark.parametrize(
    ("language", "first"),
    [("en", "1 Apr 2025"), ("fr", "1er avr. 2025"), ("ht", "1ye avril 2025")],
)
def test_the_first_of_a_month_is_an_ordinal_in_french_and_creole(language, first):
    with translation.override(language):
        assert precise_date(datetime.date(2025, 4, 1)) == first
        assert precise_date(datetime.date(2025, 4, 11)).startswith("11 ")


def test_the_french_dashboard_shows_the_same_figures_in_french_forms(client, sample_missions):
    english = client.get("/missions/mss/?as_of=2025-01-05").text
    french = client.get("/fr/missions/mss/?as_of=2025-01-05").text
    creole = client.get("/ht/missions/mss/?as_of=2025-01-05").text

    def figure(page: str, name: str) -> str:
        match = re.search(rf'data-figure="{name}">(.*?)</dd>', page, re.S)
        return re.sub(r"<[^>]+>", "", match.group(1)).strip()

    for name in ("pledged", "deployed", "percent", "fatalities"):
        as_in_english = figure(english, name).replace(",", NBSP).replace(".", ",")
        as_in_english = as_in_english.replace("%", f"{NBSP}%")
        assert figure(french, name) == as_in_english
        assert figure(creole, name) == as_in_english
    assert "5 janv. 2025" in french and "5 Jan 2025" in english and "5 janvye 2025" in creole


def test_country_names_follow_the_language(client, sample_missions):
    assert "Haïti" in client.get("/fr/missions/mss/").text
    assert "Ayiti" in client.get("/ht/missions/mss/").text
    assert "Jamaïque" in client.get("/fr/missions/mss/").text
    assert "Jamayik" in client.get("/ht/missions/mss/").text


def test_a_country_without_a_creole_name_is_named_in_french():
    from mss_tracker.lib.country_names import country_name

    # pycountry's Creole catalog has no Bosnia; Haitian readers use the French name.
    assert country_name("BIH", "Bosnia and Herzegovina", "ht") == "Bosnie-Herzégovine"
    assert country_name("BIH", "Bosnia and Herzegovina", "fr") == "Bosnie-Herzégovine"
    # Where no catalog has a name of its own, the recorded name.
    assert country_name("CIV", "Côte d’Ivoire", "ht") == "Côte d’Ivoire"
    assert country_name("HTI", "Haiti", "ht") == "Ayiti"
    assert country_name("HTI", "Haiti", "en") == "Haiti"
    # Each name knows its language: Kenya is Kenya in Creole too, Bosnia is French.
    assert country_name("KEN", "Kenya", "ht").language == "ht"
    assert country_name("BIH", "Bosnia and Herzegovina", "ht").language == "fr"
    assert country_name("CIV", "Côte d’Ivoire", "en").language == "en"


def test_the_glossary_lists_every_country_named_in_french_on_creole_pages():
    import pycountry

    from mss_tracker.lib.country_names import country_name

    glossary = (ROOT / "docs" / "glossary.md").read_text()
    section = glossary.split("## Countries named in French on Creole pages")[1].split("\n## ")[0]
    listed = dict(re.findall(r"^\| ([A-Z]{3}) \| (.+) \|$", section, re.MULTILINE))
    french = {}
    for country in pycountry.countries:
        name = country_name(country.alpha_3, country.name, "ht")
        if name.language == "fr":
            french[country.alpha_3] = name
    assert listed == french


def test_a_french_name_on_a_creole_page_is_marked_french(client, mission, record_event, db):
    from mss_tracker.tracker.models import Country

    antigua = Country.objects.get_or_create_from_iso3("ATG")
    record_event("2024-07-01", "arrival", 5, country=antigua)
    html = client.get("/ht/missions/mss/").text
    assert '<span lang="fr">Antigua-et-Barbuda</span>' in html
    assert '<span lang="fr">' not in client.get("/fr/missions/mss/").text


# The switcher, hreflang, the offer on / --------------------------------------------------


def test_the_switcher_keeps_the_path_and_the_filters(client, sample_missions):
    query = "as_of=2025-01-05&type=police&sort=-gap"
    page = client.get(f"/fr/missions/mss/?{query}").text
    switcher = re.search(r'<nav id="languages".*?</nav>', page, re.S).group(0)
    assert f'href="/missions/mss/?{query.replace("&", "&amp;")}" hreflang="en"' in switcher
    assert f'href="/ht/missions/mss/?{query.replace("&", "&amp;")}" hreflang="ht"' in switcher
    assert 'hreflang="fr" lang="fr" aria-current="true"' in switcher


def test_each_page_lists_its_alternates_in_the_other_languages(client, sample_missions):
    page = client.get("/missions/mss/countries/KEN/?type=police").text
    for language in LANGUAGES:
        url = "http://testserver" + prefixed(language, "/missions/mss/countries/KEN/?type=police")
        assert f'<link rel="alternate" hreflang="{language}" href="{url}">' in page
    assert 'hreflang="x-default" href="http://testserver/missions/mss/countries/KEN/' in page


def test_an_htmx_swap_stays_in_the_language_and_updates_the_switcher(client, sample_missions):
    response = client.get(
        "/fr/missions/mss/?type=police", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Chiffres au" in response.text and "policiers uniquement" in response.text
    assert response["HX-Push-Url"] == "/fr/missions/mss/?type=police"
    switcher = re.search(r'<nav id="languages".*?</nav>', response.text, re.S).group(0)
    assert 'hx-swap-oob="true"' in switcher
    assert 'href="/ht/missions/mss/?type=police"' in switcher


def test_the_home_page_offers_the_browsers_language_once(client, sample_missions):
    first = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-HT,fr;q=0.9,en;q=0.5")
    assert first.status_code == 200
    assert '<html lang="en">' in first.text
    assert 'class="language-offer' in first.text
    assert '<a href="/fr/" hreflang="fr">Lire en français</a>' in first.text
    assert "language_offered" in first.cookies
    again = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-HT,fr;q=0.9,en;q=0.5")
    assert "language-offer" not in again.text


def test_creole_readers_are_offered_creole(client, sample_missions):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ht,fr;q=0.8").text
    assert '<a href="/ht/" hreflang="ht">Li l an kreyòl</a>' in page


@pytest.mark.parametrize("accept", ["en-US,en;q=0.9", "", "de-DE"])
def test_nothing_is_offered_to_english_or_unknown_browsers(client, sample_missions, accept):
    assert "language-offer" not in client.get("/", HTTP_ACCEPT_LANGUAGE=accept).text


def test_nothing_is_offered_on_a_page_already_in_a_language(client, sample_missions):
    page = client.get("/fr/", HTTP_ACCEPT_LANGUAGE="ht").text
    assert "language-offer" not in page


def test_the_offer_is_never_served_from_the_page_cache(client, sample_missions, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    assert "language-offer" not in client.get("/").text  # fills the cache
    offered = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").text
    assert "language-offer" in offered
    assert "language-offer" not in client.get("/").text


# Error pages ----------------------------------------------------------------------------


def test_a_bad_parameter_is_explained_in_french_and_still_named(client, sample_missions):
    response = client.get("/fr/missions/mss/?as_of=2025-02-30")
    assert response.status_code == 400
    assert "Paramètre incorrect <code>as_of</code>" in response.text
    assert "n’est pas une vraie date du calendrier" in response.text


def test_not_found_is_in_creole(client, sample_missions):
    response = client.get("/ht/missions/nowhere/")
    assert response.status_code == 404
    assert "Paj sa a pa egziste" in response.text
    assert '<html lang="ht">' in response.text


# Exports stay language-neutral ----------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "ht"])
def test_the_data_links_of_a_page_are_unprefixed_and_byte_identical(
    client, sample_missions, language
):
    query = "as_of=2025-01-05&type=police"
    english = client.get(f"/missions/mss/?{query}").text
    other = client.get(f"/{language}/missions/mss/?{query}").text
    # CSV and JSON exports, the data package, the Atom feed: whatever data a page links.
    link = re.compile(r'href="(/[^"]*(?:/export/[^"]+|\.json[^"]*|\.atom[^"]*))"')
    assert link.findall(english) == link.findall(other) != []
    for url in link.findall(other):
        url = url.replace("&amp;", "&")
        plain = client.get(url)
        assert plain.status_code == 200
        from_page = client.get(
            url,
            HTTP_ACCEPT_LANGUAGE=language,
            HTTP_REFERER=f"http://testserver/{language}/missions/mss/",
            HTTP_COOKIE=f"django_language={language}",
        )
        assert _body(from_page) == _body(plain)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_admin_follows_djangos_own_translations_in_the_browsers_language(client):
    french = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr"' in french.text
    assert "Nom d’utilisateur" in french.text
    assert "Accept-Language" in french["Vary"]
    english = client.get("/admin/login/")
    assert "Username" in english.text


def test_sorting_by_country_follows_the_names_in_the_language(client, sample_missions):
    def order(path: str) -> list[str]:
        return re.findall(r'<tr id="country-([A-Z]{3})"', client.get(path).text)

    english = order("/missions/gsf/?sort=country")
    french = order("/fr/missions/gsf/?sort=country")
    assert english.index("TCD") < english.index("KEN")  # Chad, Kenya
    assert french.index("KEN") < french.index("TCD")  # Kenya, Tchad
    assert order("/fr/missions/gsf/?sort=-country") == french[::-1]
    # The timeline's country list too: Bahamas, Bénin, Guatemala, Jamaïque, Kenya…
    select = client.get("/fr/missions/mss/events/").text
    names = re.findall(r'<option value="[A-Z]{3}"[^>]*>([^<]+)</option>', select)
    assert names == sorted(names, key=lambda name: name.replace("é", "e").casefold())
