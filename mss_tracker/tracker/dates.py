"""Dates: the range every date must fall in, how one is read, and its precision (day,
month ("Aug 2023") or year ("2023"))."""

import datetime
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

# Every date the tracker accepts, in a URL parameter, a form or a CSV file, lies in this
# range: wide enough for any mission's history, narrow enough that every page, chart and
# export can compute and draw with it (Python's dates end in year 9999, and a chart's
# axis runs past its last date).
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
DATE_RANGE = f"from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}"

_RANGE = {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only: not ²


def parse_date(text: str) -> datetime.date:
    """A date written YYYY-MM-DD, real and within the range, or ValueError saying why: one
    message, naming the value and the format, for every form, filter and CSV column.

    Stricter than `date.fromisoformat`, which also takes week dates (2025-W01-4) and
    20250101, than `strptime("%Y-%m-%d")`, which takes 2026-2-20, and than `int`, which
    takes other scripts' digits. A month- or year-precision date is written the same way
    (its precision is a column, or a field, of its own).
    """
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(
            _(
                "“%(value)s” is not a date written YYYY-MM-DD (from %(earliest)s to "
                "%(latest)s), e.g. 2025-03-01"
            )
            % {"value": text, **_RANGE}
        )
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _(
                "“%(value)s” is written YYYY-MM-DD but is not a real calendar date (that "
                "month has fewer days), e.g. 2025-03-01"
            )
            % {"value": text}
        ) from None
    check_date_in_range(day)
    return day


def check_date_in_range(day: datetime.date) -> None:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(
            _("%(day)s is out of range: dates run from %(earliest)s to %(latest)s")
            % {"day": day.isoformat(), **_RANGE}
        )


def validate_date_in_range(day: datetime.date | None) -> None:
    """The model fields' validator (admin forms); see `parse_date` for text."""
    if day is None:
        return
    try:
        check_date_in_range(day)
    except ValueError as error:
        raise ValidationError(str(error), code="date_out_of_range") from None


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


def precision_error(day: datetime.date, precision: str) -> str | None:
    """Why `day` cannot be stored with `precision`, or None: a month-precision date is the
    1st of its month, a year-precision date 1 January (`precision_is_consistent` is the
    database's form of the same rule)."""
    if precision == DatePrecision.MONTH and day.day != 1:
        return (
            f"{day.isoformat()} has month precision, so it must be the 1st of the month "
            f"({day.replace(day=1).isoformat()})."
        )
    if precision == DatePrecision.YEAR and (day.day, day.month) != (1, 1):
        return (
            f"{day.isoformat()} has year precision, so it must be 1 January "
            f"({day.replace(day=1, month=1).isoformat()})."
        )
    return None


def precision_is_consistent(field: str = "date") -> models.Q:
    """`precision_error`'s rule as a check constraint."""
    return (
        models.Q(date_precision=DatePrecision.DAY)
        | models.Q(date_precision=DatePrecision.MONTH, **{f"{field}__day": 1})
        | models.Q(date_precision=DatePrecision.YEAR, **{f"{field}__day": 1, f"{field}__month": 1})
    )


def format_with_precision(day: datetime.date, precision: str) -> str:
    """In the active language's form (mss_tracker/formats): "2 Oct 2025", "2 oct. 2025"."""
    return _formatted(get_language(), day, precision)


@functools.lru_cache(maxsize=50_000)
def _formatted(language: str | None, day: datetime.date, precision: str) -> str:
    """`format_with_precision` once per process, language, day and precision: a chart
    and its table write about 1,500 dates per page, mostly the same ones from page to
    page (docs/performance.md, "The dashboard's chart points"). Django's formats and
    catalogs do not change while a process runs; a test that overrides a setting clears
    this (`_forget_formats`)."""
    if precision == DatePrecision.YEAR:
        return f"{day.year}"
    if precision == DatePrecision.MONTH:
        return date_format(day, "YEAR_MONTH_FORMAT")
    if day.day == 1:
        # French writes the first of the month as an ordinal: "1er oct. 2025".
        first = pgettext("the first day of a month, before its name", "1")
        return first + date_format(day, "DATE_FORMAT").removeprefix("1")
    return date_format(day, "DATE_FORMAT")


class _AddThenDayBefore(models.Func):
    """`date` plus one month (or year), less one day: the last day of that month or year."""

    output_field = models.DateField()

    def __init__(self, expression: models.Expression | models.F, unit: str) -> None:
        self.unit = unit  # "month" or "year"
        super().__init__(expression)

    def as_sql(  # type: ignore[override]  # the SQL of one backend, not a template
        self, compiler: "SQLCompiler", connection: "BaseDatabaseWrapper", **extra: object
    ) -> "_AsSqlType":  # PostgreSQL
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + interval '1 {self.unit}' - interval '1 day')::date", params

    def as_sqlite(
        self, compiler: "SQLCompiler", connection: "BaseDatabaseWrapper", **extra: object
    ) -> "_AsSqlType":
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, '+1 {self.unit}', '-1 day')", params


def period_end() -> models.Expression:
    """The last day a precise date stands for: itself, its month's last, or 31 December
    (a month- or year-precision date is stored as the period's first day)."""
    return models.Case(
        models.When(
            date_precision=DatePrecision.MONTH, then=_AddThenDayBefore(models.F("date"), "month")
        ),
        models.When(
            date_precision=DatePrecision.YEAR, then=_AddThenDayBefore(models.F("date"), "year")
        ),
        default=models.F("date"),
        output_field=models.DateField(),
    )


@dataclass(frozen=True)
class Milestone:
    """A date in a mission's mandate, drawn on its charts and offered as a quick `as_of`."""

    day: datetime.date
    label: str  # short, drawn on the chart
    description: str  # long, in the tooltip

    @property
    def choice_label(self) -> str:
        """As a quick date of the filters: "Start (25 Jun 2024)"."""
        return f"{self.label} ({format_with_precision(self.day, 'day')})"


@receiver(setting_changed)
def _forget_formats(**kwargs) -> None:
    """A test changed a setting (a format, the languages): dates are formatted anew, as
    Django's own format cache is cleared on the same signal."""
    _formatted.cache_clear()
