"""Country names in the page's language, from the ISO 3166 translations pycountry ships.

The name recorded in the database is the English one (editors may spell it their way); in
French and Haitian Creole the name is the translation of the code's ISO name. pycountry's
Creole catalog names 187 countries (Ayiti, Etazini, Kanada, Jamayik); where it has no
Creole name, Haitian readers and press use the French one, so that is what we show (a
Creole name established later only needs adding to pycountry's catalog). CLDR, the other
catalog of country names (Babel ships it), has a Creole locale without a single territory
name, so it adds nothing. A name knows the language it is written in (`CountryName`), so
that the pages mark a French name on a Creole page `lang="fr"` (docs/glossary.md lists
them).
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.utils import translation

# The catalogs to try, in order, for each language; English has none (the recorded name).
FALLBACKS = {"fr": ("fr",), "ht": ("ht", "fr")}


class CountryName(str):
    """A country's name, and the language it is written in ("en" for the recorded name)."""

    language: str

    def __new__(cls, name: str, language: str) -> CountryName:
        named = super().__new__(cls, name)
        named.language = language
        return named


@cache
def _catalogs(language: str) -> tuple[gettext.NullTranslations, ...]:
    return tuple(
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[code], fallback=True)
        for code in FALLBACKS.get(language, ())
    )


def country_name(iso3: str, recorded_name: str, language: str | None = None) -> CountryName:
    """The country's name in `language` (default: the active one); `recorded_name` in
    English, or when no catalog knows the code."""
    language = (language or translation.get_language() or "en").split("-")[0]
    catalogs = _catalogs(language)
    record = pycountry.countries.get(alpha_3=iso3) if catalogs else None
    if record is None:
        return CountryName(recorded_name, "en")
    for code, catalog in zip(FALLBACKS[language], catalogs, strict=True):
        # Whether the catalog has the entry, not whether it differs: "Kenya" is Kenya in
        # Creole too. (`_catalog` is the GNU catalog's dict; gettext offers no other way.)
        if record.name in getattr(catalog, "_catalog", {}):
            name = catalog.gettext(record.name)
            # The same as ISO's English name: the editor's spelling ("Côte d’Ivoire").
            return CountryName(recorded_name if name == record.name else name, code)
    return CountryName(recorded_name, "en")
