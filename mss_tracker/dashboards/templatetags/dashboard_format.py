"""Formatting shared by every dashboard page: one way to write a number, a date, a percent,
each in the page's language (Django's number forms and mss_tracker/formats): "1,015" and
"75.0%" in English, "1 015" and "75,0 %" in French and Creole."""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, npgettext, pgettext

from mss_tracker.lib import typography
from mss_tracker.tracker import figures
from mss_tracker.tracker.dates import format_with_precision
from mss_tracker.tracker.models import PersonnelType

register = template.Library()

DASH = "—"


@register.simple_tag
def colon() -> str:
    """The colon after a label, spaced as the page's language writes it: "Notes : " in French
    (lib/typography.py), "Notes: " in English and Creole."""
    return typography.colon(get_language() or "en")


@register.simple_tag
def semicolon() -> str:
    """The semicolon between items, spaced as the page's language writes it."""
    return typography.spaced(";", get_language() or "en")


@register.filter
def thousands(value: int | None) -> str:
    """1234 → "1,234" ("1 234" in French); None (no number) → "—"."""
    if value is None or value == "":
        return DASH
    return _grouped(get_language(), int(value))


@functools.lru_cache(maxsize=50_000)
def _grouped(language: str | None, value: int) -> str:
    """`thousands` once per process, language and number: a chart and its table write
    some 2,000 figures per page, mostly the same from page to page (docs/performance.md,
    "The dashboard's chart points"). Cleared when a test changes a setting."""
    return number_format(value, force_grouping=True)


@receiver(setting_changed)
def _forget_number_formats(**kwargs) -> None:
    _grouped.cache_clear()


@register.filter
def usd(value: int | None) -> str:
    """An amount of US dollars: "US$10,800,000" ("10 800 000 $ US" in French); None → "—"."""
    if value is None or value == "":
        return DASH
    # Translators: an amount in US dollars; %(amount)s is the number with its separators.
    return gettext("US$%(amount)s") % {"amount": thousands(value)}


@register.filter
def usd_millions(value: int | None) -> str:
    """An amount of US dollars in millions, one decimal: "US$115.0M" ("115,0 M$ US" in
    French); None → "—". The headline's cards; tables and files keep the exact dollars."""
    if value is None or value == "":
        return DASH
    millions = number_format(Decimal(value) / 1_000_000, decimal_pos=1, force_grouping=True)
    # Translators: an amount in millions of US dollars, with one decimal.
    return gettext("US$%(millions)sM") % {"millions": millions}


@register.filter
def signed_thousands(value: int | None) -> str:
    if value is None or value == "":
        return DASH
    sign = "+" if int(value) > 0 else ""
    return (sign + thousands(value)).replace("-", "−")


@register.filter
def percent(value: Decimal | None) -> str:
    """figures.percent_of_pledge's Decimal → "75.0%" ("75,0 %" in French); None → "—"."""
    if value is None:
        return DASH
    number = number_format(value, decimal_pos=1, force_grouping=True)
    # Translators: a percentage; French and Creole put a no-break space before the sign.
    return gettext("%(number)s%%") % {"number": number}


@register.filter
def percent_of_pledge(row: Any) -> Decimal | None:
    """A row of figures.country_figures (anything with `deployed` and `pledged`) → its
    percent of pledge by figures' one rule: `{{ row|percent_of_pledge|percent }}`."""
    return figures.percent_of_pledge(row.deployed, row.pledged)


@register.filter
def precise_date(value: datetime.date | None, precision: str = "day") -> str:
    """A date as precise as it is known: "4 Jan 2025", "Aug 2023" or "2023"."""
    if value is None:
        return DASH
    return format_with_precision(value, precision or "day")


@register.filter
def iso(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


@register.filter
def absolute(value: int | None) -> int | None:
    return None if value is None else abs(value)


# "230 police", "230 policiers", "230 polis": the personnel type as a noun after a number.
_PERSONNEL_NOUNS = {
    PersonnelType.POLICE: lambda n: npgettext("after a number", "police", "police", n),
    PersonnelType.MILITARY: lambda n: npgettext("after a number", "military", "military", n),
    PersonnelType.CIVILIAN: lambda n: npgettext("after a number", "civilian", "civilian", n),
}


@register.filter
def personnel_noun(personnel_type: str, count: int | None = None) -> str:
    """`230 {{ type|personnel_noun:230 }}` → "230 police" ("230 policiers" in French)."""
    noun = _PERSONNEL_NOUNS.get(personnel_type)
    return noun(count if count is not None else 2) if noun else personnel_type


@register.filter
def personnel_scope(personnel_type: str | None) -> str:
    """What a page's type filter covers: "police personnel only", "all personnel types"."""
    scopes = {
        PersonnelType.POLICE: gettext("police personnel only"),
        PersonnelType.MILITARY: gettext("military personnel only"),
        PersonnelType.CIVILIAN: gettext("civilian personnel only"),
    }
    return scopes.get(personnel_type, gettext("all personnel types"))


@register.filter
def personnel_type_label(personnel_type: str | None) -> str:
    """ "police" → "Police" ("Polis" in Creole); empty or "all" → "All"."""
    if personnel_type in PersonnelType.values:
        return PersonnelType(personnel_type).label
    return pgettext("personnel types", "All")


@register.simple_tag
def query_url(view_name: str, *args, query: str = "", bom: bool = False) -> str:
    """`{% query_url 'dashboards:mission' mission.slug query=query %}`: the view's URL with
    the page's query string, if any (`/missions/mss/?as_of=2025-01-01`); `bom=True` adds
    `bom=1`, the CSV for spreadsheets (tracker/csv/writing/response.py)."""
    url = reverse(view_name, args=args)
    query = "&".join(part for part in (query, "bom=1" if bom else "") if part)
    return f"{url}?{query}" if query else url
