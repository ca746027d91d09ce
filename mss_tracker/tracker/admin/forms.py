"""The admin's forms: ISO dates, a reason for every change, safe pledge edits.

- Dates are typed as `YYYY-MM-DD`, as CSV writes them, whatever the admin's language; the
  help text and the error say so.
- A month- or year-precision date is stored as the 1st of the month / 1 January: the form
  moves it there (and the admin says what it stored) rather than refusing it.
- Changing a record needs a reason, kept as its history's change reason (`change_reason`).
- A pledge without a number that would supersede a numeric one needs an explicit
  confirmation naming what it replaces.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.text import capfirst

from mss_tracker.tracker import date_fields
from mss_tracker.tracker.dates import DatePrecision
from mss_tracker.tracker.models import DeploymentEvent, FundingRecord, Pledge
from mss_tracker.tracker.text import refuse_control_characters
from mss_tracker.tracker.timelines import NegativeStrength

ISO_HELP = "Format YYYY-MM-DD, for example 2025-09-15."
UNEXPECTED_INTEGRITY_ERROR = (
    "This record conflicts with another one and could not be saved (%(error)s). "
    "Check for a duplicate of it and correct that one instead."
)
REASON_REQUIRED = "Say why you are making this change: it is kept in the record's history."


class IsoDateField(date_fields.IsoDateField):
    """The one date field (tracker/date_fields.py), saying its format in the help text."""

    def __init__(self, **kwargs) -> None:
        kwargs.pop("input_formats", None)
        help_text = kwargs.get("help_text") or ""
        kwargs["help_text"] = f"{help_text} {ISO_HELP}".strip()
        super().__init__(**kwargs)


IsoDateInput = date_fields.IsoDateInput


def normalised_date(day: datetime.date, precision: str) -> datetime.date:
    """Where a date of this precision is stored: the 1st of the month, or 1 January."""
    if precision == DatePrecision.MONTH:
        return day.replace(day=1)
    if precision == DatePrecision.YEAR:
        return day.replace(month=1, day=1)
    return day


class ReasonForm(forms.ModelForm):
    """A model form with a `change_reason`: required when an existing record changes."""

    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=500,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=(
            "Required when you change a record (for example “figure corrected per UN "
            "briefing of 3 Oct”); kept in its history. Optional when you add one."
        ),
    )

    # Set on the form class by the admin when the form restores an earlier version: the
    # reason is then "Reverted to the version of …" unless one is typed.
    reverting = False

    def clean(self) -> dict:
        cleaned = super().clean()
        edits = [name for name in self.changed_data if name != "change_reason"]
        reason = (cleaned.get("change_reason") or "").strip()
        if self.instance.pk is not None and edits and not reason and not self.reverting:
            self.add_error("change_reason", REASON_REQUIRED)
        cleaned["change_reason"] = reason
        return cleaned


class DatedRecordForm(ReasonForm):
    """Pledges and events: a month/year-precision date moves to where it is stored."""

    # The date as typed, when the form moved it (the admin says what it stored).
    moved_date: tuple[datetime.date, datetime.date] | None = None

    def clean(self) -> dict:
        cleaned = super().clean()
        day, precision = cleaned.get("date"), cleaned.get("date_precision")
        if day and precision:
            stored = normalised_date(day, precision)
            if stored != day:
                cleaned["date"] = stored
                self.moved_date = (day, stored)
        return cleaned


class PledgeForm(DatedRecordForm):
    confirm_unknown = forms.BooleanField(
        label="Yes, make the pledged figure unknown",
        required=False,
        help_text="Only asked when a pledge without a number replaces a pledged figure.",
    )

    class Meta:
        model = Pledge
        # In the order people read a pledge: who pledged how many of what, when, says whom.
        fields = [
            "mission",
            "country",
            "personnel_type",
            "personnel",
            "date",
            "date_precision",
            "source",
            "disputed",
            "notes",
        ]

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors or self.cleaned_data.get("confirm_unknown"):
            return
        replaced = self.instance.figure_it_makes_unknown()
        if replaced is not None:
            self.add_error(
                "confirm_unknown",
                ValidationError(
                    "%(what)s. Tick the box to confirm, or enter the number.",
                    params={"what": capfirst(self.instance.unknown_figure_warning(replaced))},
                    code="unknown_replaces_figure",
                ),
            )


class DeploymentEventForm(DatedRecordForm):
    class Meta:
        model = DeploymentEvent
        fields = [
            "mission",
            "country",
            "date",
            "date_precision",
            "kind",
            "personnel_type",
            "personnel",
            "disputed",
            "source",
            "notes",
        ]

    def _post_clean(self) -> None:
        # The instance is built and its fields and constraints validated here; only a
        # valid instance is worth replaying against its timeline.
        super()._post_clean()
        if self.errors:
            return
        try:
            self.instance.validate_timeline()
        except NegativeStrength as error:
            self.add_error(None, error)
        except IntegrityError as error:
            self.add_error(None, UNEXPECTED_INTEGRITY_ERROR % {"error": error})


class FundingRecordForm(DatedRecordForm):
    """A funding record: the kind, measure, channel and donor checked together
    (`FundingRecord.clean`, the rule of codes.funding_problems)."""

    class Meta:
        model = FundingRecord
        fields = [
            "mission",
            "date",
            "date_precision",
            "donor",
            "kind",
            "measure",
            "channel",
            "amount_usd",
            "disputed",
            "source",
            "notes",
        ]
