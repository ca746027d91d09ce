"""Country names in the page's language, from the ISO 3166 translations pycountry ships.

The name recorded in the database is the English one (editors may spell it their way); in
French and Haitian Creole the name is the translation of the code's ISO name. pycountry's
Creole catalog names 187 countries (Ayiti, Etazini, Kanada, Jamayik); where it has no
Creole name, Haitian readers and press use the French one, so that is what we show (a
Creole name established later only needs adding to pycountry's catalog).
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.utils import translation

# The catalogs to try, in order, for each language; English has none (the recorded name).
FALLBACKS = {"fr": ("fr",), "ht": ("ht", "fr")}


@cache
def _catalogs(language: str) -> tuple[gettext.NullTranslations, ...]:
    return tuple(
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[code], fallback=True)
        for code in FALLBACKS.get(language, ())
    )


def country_name(iso3: str, recorded_name: str, language: str | None = None) -> str:
    """The country's name in `language` (default: the active one); `recorded_name` in
    English, or when no catalog knows the code."""
    language = language or translation.get_language() or "en"
    catalogs = _catalogs(language.split("-")[0])
    record = pycountry.countries.get(alpha_3=iso3) if catalogs else None
    if record is None:
        return recorded_name
    for catalog in catalogs:
        name = catalog.gettext(record.name)
        if name != record.name:
            return name
    return recorded_name
