"""The date field of every form: the admin's records and filters, the pages' parameters.

A date is typed as CSV writes it, `YYYY-MM-DD`, whatever the language (15/09/2025 and
09/15/2025 are ambiguous), and read by `dates.parse_date`, so a form, a query parameter
and an import column accept the same dates and refuse the others with the same message,
naming the value and the format. The precision (day, month, year) is a field of its own.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError

from mss_tracker.tracker.dates import parse_date

ISO_FORMAT = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs: dict[str, object] | None = None) -> None:
        attrs = {
            "placeholder": "YYYY-MM-DD",
            "pattern": r"\d{4}-\d{2}-\d{2}",
            "inputmode": "numeric",
            "size": 10,
            "class": "iso-date",
            **(attrs or {}),
        }
        super().__init__(attrs=attrs, format=ISO_FORMAT)


class IsoDateField(forms.DateField):
    """A date typed as YYYY-MM-DD, and only so, within the tracker's range."""

    widget = IsoDateInput

    def to_python(self, value: object) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date(str(value))
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None
