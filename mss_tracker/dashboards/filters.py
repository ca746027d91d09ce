"""The query parameters every page and export shares, declared once as Django forms.

Each parameter is a form field: its name in the URL, what it accepts, the message that
says so and its normal form (`KEN` for `ken`, `police` for ` Police `) come from that one
declaration (`FilterForm`, `TimelineFilterForm`). `parse_filters` runs the form and hands
back a `Filters`; the first bad value raises `BadParameter`, which `BadParameterMiddleware`
turns into a 400 page naming the parameter as written in the URL and what it accepts:
never a 500 and never a silent default. An empty value (`?as_of=`) means "the default", as
a cleared form field submits it; parameters the form does not declare (`utm_source`) are
ignored.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from mss_tracker.lib.bad_requests import BadParameter
from mss_tracker.tracker.date_fields import IsoDateField
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


class DateParameter(IsoDateField):
    """A date as every form reads it (`tracker.date_fields.IsoDateField`: YYYY-MM-DD within
    the tracker's range); blank, spaces included, means the default."""

    def __init__(self) -> None:
        super().__init__(required=False)

    def to_python(self, value: Any) -> datetime.date | None:
        return super().to_python(value.strip() if isinstance(value, str) else value)


class CodeParameter(forms.Field):
    """One of a list of codes, in any case (`Police` is `police`); `also_all` accepts `all`,
    which means no filter."""

    def __init__(self, codes: Sequence[str], *, also_all: bool = False) -> None:
        super().__init__(required=False)
        self.codes = list(codes)
        self.also_all = also_all

    def to_python(self, value: Any) -> str | None:
        code = (value or "").strip().lower()
        if not code or (self.also_all and code == "all"):
            return None
        if code not in self.codes:
            accepted = ", ".join(self.codes + (["all"] if self.also_all else []))
            raise ValidationError(_("expected one of %(values)s") % {"values": accepted})
        return code


class CountryParameter(forms.Field):
    """The ISO 3166-1 alpha-3 code of a recorded country, in any case; upper case after."""

    def __init__(self) -> None:
        super().__init__(required=False)

    def to_python(self, value: Any) -> str | None:
        code = (value or "").strip().upper()
        if not code:
            return None
        if len(code) != 3 or not Country.objects.filter(iso3=code).exists():
            raise ValidationError(
                _("expected the ISO 3166-1 alpha-3 code of a recorded country, e.g. KEN")
            )
        return code


class FilterForm(forms.Form):
    """`as_of` and `type`: what every dashboard, country page and export takes.

    Fields are named as `Filters`' attributes; `URL_NAMES` gives the name a parameter has
    in the URL where the two differ (`from` is a Python keyword).
    """

    URL_NAMES = {"personnel_type": "type", "date_from": "from", "date_to": "to"}

    as_of = DateParameter()
    personnel_type = CodeParameter(PersonnelType.values, also_all=True)

    def add_prefix(self, field_name: str) -> str:
        """The parameter's name in the URL: the form reads `type=`, not `personnel_type=`."""
        return self.URL_NAMES.get(field_name, field_name)

    def first_error(self) -> BadParameter:
        """The first bad parameter of an invalid form, in the order the fields are declared
        (every check, `clean()`'s too, names the field it refuses)."""
        name = next(name for name in self.fields if name in self.errors)
        parameter = self.add_prefix(name)
        raw = (self.data.get(parameter) or "").strip()
        return BadParameter(parameter, raw, self.errors[name][0])

    def filters(self) -> Filters:
        """The parameters read (a valid form only), as the `Filters` the pages use."""
        return Filters(**self.cleaned_data)


class TimelineFilterForm(FilterForm):
    """What the timelines (events page, events and pledges exports, feed) take besides:
    `country`, `kind` and an inclusive date range `from`–`to`."""

    country = CountryParameter()
    kind = CodeParameter(EventKind.values)
    date_from = DateParameter()
    date_to = DateParameter()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error(
                "date_from", _("must not be after to=%(to)s") % {"to": date_to.isoformat()}
            )
        return cleaned


def parse_filters(params: QueryDict, *, timeline: bool = False) -> Filters:
    """Read `as_of` and `type` (and, on timelines, `country`, `kind`, `from`, `to`), or
    raise `BadParameter` for the first bad one."""
    form = (TimelineFilterForm if timeline else FilterForm)(params)
    if not form.is_valid():
        raise form.first_error()
    return form.filters()


def filter_parameters(params: QueryDict) -> dict[str, str]:
    """`as_of` and `type` as read, in their normal form and URL names, defaults left out
    (`{"type": "police"}` for `?type=%20Police&utm_source=x`): what the page cache keys a
    page on (dashboards/caching.py). `BadParameter` for a bad one."""
    return dict(parse_qsl(parse_filters(params).query_string()))


def timeline_parameters(params: QueryDict) -> dict[str, str]:
    """The same for a timeline's parameters (also `country`, `kind`, `from`, `to`)."""
    return dict(parse_qsl(parse_filters(params, timeline=True).query_string()))


def parse_page_number(params: QueryDict, pages: int) -> int:
    """The `page` parameter: 1 when absent, else a page number from 1 to `pages`."""
    number = _page_number(params)
    if number is None or not 1 <= number <= pages:
        accepted = _("expected a page number from 1 to %(pages)s") % {"pages": pages}
        raise BadParameter("page", params.get("page", "").strip(), accepted)
    return number


def page_parameter(params: QueryDict) -> dict[str, str]:
    """`page` in its normal form (`01` is `1`, and 1 is the default), and the event the
    page starts after (`older` or `newer`, `parse_cursor`): for the page cache. Not a
    number: `BadParameter`, and the view, which knows how many pages there are, answers
    the 400 (so does a number beyond the last page)."""
    number = _page_number(params)
    if number is None:
        raise BadParameter("page", params.get("page", "").strip(), "")
    cursor = parse_cursor(params)
    return ({"page": str(number)} if number != 1 else {}) | (
        {cursor.direction: cursor.value} if cursor else {}
    )


@dataclass(frozen=True)
class Cursor:
    """Where a page of the timeline starts: just `older` than an event (the next page)
    or just `newer` (the previous one), in the list's order (newest date first, then
    newest id). Seeking it is an index read however deep the page (views.events)."""

    direction: str  # "older" or "newer"
    date: datetime.date
    pk: int

    @property
    def value(self) -> str:
        return f"{self.date.isoformat()}.{self.pk}"


_CURSOR = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.([0-9]{1,18})")


def parse_cursor(params: QueryDict) -> Cursor | None:
    """`older=2025-06-30.1234` or `newer=…` (an event's date and id), None when absent."""
    for direction in ("older", "newer"):
        raw = params.get(direction, "").strip()
        if not raw:
            continue
        match = _CURSOR.fullmatch(raw)
        try:
            day = datetime.date.fromisoformat(match.group(1)) if match else None
        except ValueError:
            day = None
        if day is None:
            accepted = _("expected an event's date and id, as in 2025-06-30.1234")
            raise BadParameter(direction, raw, accepted)
        return Cursor(direction, day, int(match.group(2)))
    return None


def _page_number(params: QueryDict) -> int | None:
    """The page number asked for (1 when absent), None when it is not one."""
    raw = params.get("page", "").strip()
    if not raw:
        return 1
    # ASCII digits only: '²'.isdigit() is true, but int('²') fails.
    return int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else None
