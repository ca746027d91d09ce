"""Which language a page speaks, and the links to the same page in the others.

The public pages are at their English URL, under `/fr/` in French and under `/ht/` in
Haitian Creole (`i18n_patterns` in dashboards/urls.py); the exports, feeds and `/healthz`
beside them are the same in every language and have no prefix. Because both kinds share
the `dashboards` URL namespace, the language prefix is inside that URLconf, where Django's
LocaleMiddleware does not look for it; `LanguageMiddleware` is LocaleMiddleware reading the
language from the URL alone. A shared link therefore always opens in the language it was
shared in: the browser's language is only *offered* (on `/`, once), never imposed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

# The language editors record free text in (titles, notes, publishers, mission names):
# English, the site's first language (docs/rules.md, "Languages").
RECORDED_LANGUAGE = settings.LANGUAGE_CODE

# Set once the reader has been offered the page in their browser's language.
OFFERED_COOKIE = "language_offered"
OFFERED_SECONDS = 365 * 24 * 3600


class LanguageMiddleware(LocaleMiddleware):
    """The URL's language (`/fr/…`, `/ht/…`), else English; the admin follows the browser.

    The admin is Django's own and speaks whatever Django has translated (docs/rules.md,
    "Languages"), so it takes the browser's language; every other unprefixed URL is English.
    """

    def process_request(self, request: HttpRequest) -> None:
        language = translation.get_language_from_path(request.path_info)
        if language is None:
            admin = request.path_info.startswith("/admin/")
            language = (
                translation.get_language_from_request(request) if admin else settings.LANGUAGE_CODE
            )
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        request.language_offer = offered_language(request)  # shown by base.html

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path_info.startswith("/admin/"):
            patch_vary_headers(response, ("Accept-Language",))
        if request.path_info == "/":
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            if getattr(request, "language_offer", None) and response.status_code == 200:
                response.set_cookie(
                    OFFERED_COOKIE,
                    "1",
                    max_age=OFFERED_SECONDS,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def _unprefixed(path: str) -> str:
    """`/fr/missions/mss/` → `/missions/mss/`; an English path as it is."""
    language = translation.get_language_from_path(path)
    return path[len(language) + 1 :] if language else path


def path_in(language: str, path: str) -> str:
    """The same path (query string and all) in `language`."""
    rest = _unprefixed(path)
    return rest if language == settings.LANGUAGE_CODE else f"/{language}{rest}"


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language (settings.LANGUAGES): "Français"
    url: str
    current: bool


def language_links(path: str) -> list[LanguageLink]:
    """The switcher: this page (path and query) in each language."""
    current = translation.get_language()
    return [
        LanguageLink(code, name, path_in(code, path), code == current)
        for code, name in settings.LANGUAGES
    ]


def offered_language(request: HttpRequest) -> str | None:
    """The browser's language, if the reader is on the English home page, prefers French or
    Creole and has not been offered it before (a suggestion, shown once)."""
    if translation.get_language() != settings.LANGUAGE_CODE or request.path_info != "/":
        return None
    if OFFERED_COOKIE in request.COOKIES or not request.META.get("HTTP_ACCEPT_LANGUAGE"):
        return None
    preferred = translation.get_language_from_request(request)
    return preferred if preferred != settings.LANGUAGE_CODE else None


def _collation_key(name: str) -> str:
    """Accents and case aside, as a reader expects an index: Égypte between Eswatini and
    États-Unis, not after Zambie."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def by_local_name(countries: Iterable, *, descending: bool = False) -> list:
    """Countries (anything with `local_name`) in the alphabetical order of their names in
    the page's language: the database orders them by their English names."""
    return sorted(countries, key=lambda c: _collation_key(c.local_name), reverse=descending)


def recorded(value: object) -> SafeString:
    """Text as an editor recorded it, as HTML: marked `lang="en"` on a page in another
    language, so that a screen reader reads it with an English voice."""
    if value is None or value == "":
        return SafeString("")
    if (translation.get_language() or RECORDED_LANGUAGE) == RECORDED_LANGUAGE:
        return SafeString(conditional_escape(value))
    return format_html('<span lang="{}">{}</span>', RECORDED_LANGUAGE, value)


def in_its_language(name: object) -> SafeString:
    """A name (a country's `CountryName`) as HTML, marked with its language where that is
    not the page's: a Creole page names Antigua and Barbuda in French, `lang="fr"`."""
    language = getattr(name, "language", None)
    if language is None or language == (translation.get_language() or RECORDED_LANGUAGE):
        return SafeString(conditional_escape(name))
    return format_html('<span lang="{}">{}</span>', language, name)
