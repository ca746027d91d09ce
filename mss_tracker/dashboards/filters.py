"""The query parameters every page and export shares, parsed strictly.

A bad value raises `BadParameter`, which `BadParameterMiddleware` turns into a 400 page
naming the parameter as written in the URL and what it accepts: never a 500 and never
a silent default. An empty value (`?as_of=`) means "the default", as a cleared form
field submits it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from mss_tracker.lib.bad_requests import BadParameter
from mss_tracker.tracker.dates import parse_date
from mss_tracker.tracker.models import Country, EventKind, PersonnelType

# The `type` parameter's values and their labels, "all" first.
TYPE_CHOICES = [("all", pgettext_lazy("personnel types", "All")), *PersonnelType.choices]


@dataclass(frozen=True)
class Filters:
    as_of: datetime.date | None = None  # as requested; clamp with Mission.effective_as_of
    personnel_type: str | None = None  # None = all types
    country: str | None = None  # ISO alpha-3, upper case
    kind: str | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    def narrow(self, records: QuerySet, *, as_of: datetime.date) -> QuerySet:
        """Pledges or events dated ≤ as_of that match the type, country, kind and date range:
        what a timeline page lists and its CSV export writes (one definition for both)."""
        records = records.filter(date__lte=as_of)
        if self.personnel_type:
            records = records.filter(personnel_type=self.personnel_type)
        if self.country:
            records = records.filter(country_id=self.country)
        if self.kind and hasattr(records.model, "kind"):  # pledges have no kind to narrow
            records = records.filter(kind=self.kind)
        if self.date_from:
            records = records.filter(date__gte=self.date_from)
        if self.date_to:
            records = records.filter(date__lte=self.date_to)
        return records

    @property
    def feed_query(self) -> str:
        """The parameters a feed link carries: what to follow (type, country, kind), not
        the dates the page is looking at."""
        return self.query_string(as_of=None, date_from=None, date_to=None)

    def query_string(self, **changes) -> str:
        """The filters as a URL query (`as_of=…&type=…`), with `changes` applied."""
        filters = replace(self, **changes) if changes else self
        pairs = {
            "as_of": filters.as_of.isoformat() if filters.as_of else None,
            "type": filters.personnel_type,
            "country": filters.country,
            "kind": filters.kind,
            "from": filters.date_from.isoformat() if filters.date_from else None,
            "to": filters.date_to.isoformat() if filters.date_to else None,
        }
        return urlencode({key: value for key, value in pairs.items() if value})


def _date(params: QueryDict, name: str) -> datetime.date | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return parse_date(raw)
    except ValueError as error:
        raise BadParameter(name, raw, str(error)) from None


def _choice(params: QueryDict, name: str, choices: list[str]) -> str | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    value = raw.lower()
    if name == "type" and value == "all":
        return None
    if value not in choices:
        accepted = ", ".join(choices + (["all"] if name == "type" else []))
        raise BadParameter(name, raw, _("expected one of %(values)s") % {"values": accepted})
    return value


def _country(params: QueryDict) -> str | None:
    raw = params.get("country", "").strip()
    if not raw:
        return None
    code = raw.upper()
    if len(code) != 3 or not Country.objects.filter(iso3=code).exists():
        raise BadParameter(
            "country",
            raw,
            _("expected the ISO 3166-1 alpha-3 code of a recorded country, e.g. KEN"),
        )
    return code


def parse_filters(params: QueryDict, *, timeline: bool = False) -> Filters:
    """Read `as_of` and `type` (and, on timelines, `country`, `kind`, `from`, `to`)."""
    filters = Filters(
        as_of=_date(params, "as_of"),
        personnel_type=_choice(params, "type", list(PersonnelType.values)),
    )
    if not timeline:
        return filters
    filters = replace(
        filters,
        country=_country(params),
        kind=_choice(params, "kind", list(EventKind.values)),
        date_from=_date(params, "from"),
        date_to=_date(params, "to"),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise BadParameter(
            "from",
            params.get("from", ""),
            _("must not be after to=%(to)s") % {"to": filters.date_to.isoformat()},
        )
    return filters


def parse_page_number(params: QueryDict, pages: int) -> int:
    """The `page` parameter: 1 when absent, else a page number from 1 to `pages`."""
    raw = params.get("page", "").strip()
    if not raw:
        return 1
    # ASCII digits only: '²'.isdigit() is true, but int('²') fails.
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not 1 <= int(raw) <= pages:
        accepted = _("expected a page number from 1 to %(pages)s") % {"pages": pages}
        raise BadParameter("page", raw, accepted)
    return int(raw)
