"""Funding records: the money behind a mission, sourced like every figure (docs/funding.md).

Not a DatedRecord: a funding record has no personnel type and its donor may be blank
(all donors). Its dates follow the pledges' rule (possible_dates: money is often pledged
before a mission starts, never after it ends, nothing after today). The codes and the
rule that ties them together (`codes.funding_problems`) are written once, in codes.py;
the database keeps the same rule in CHECK constraints with readable messages.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from mss_tracker.tracker import possible_dates
from mss_tracker.tracker.codes import (
    MEASURES_OF_KIND,
    MONEY_KINDS,
    FundingChannel,
    FundingKind,
    FundingMeasure,
    funding_problems,
    record_id,
)
from mss_tracker.tracker.dates import (
    DatePrecision,
    format_with_precision,
    precision_error,
    precision_is_consistent,
    validate_date_in_range,
)
from mss_tracker.tracker.models.missions import Mission
from mss_tracker.tracker.models.places import Country, Source
from mss_tracker.tracker.querysets import FundingRecordQuerySet
from mss_tracker.tracker.text import notes_field, notes_fit

FUNDING_RECORD = "A funding record"  # how the possible-dates messages name one

# At most one running figure per (mission, donor, kind, channel, date); a blank donor
# (all donors) is NULL, which a unique constraint treats as distinct, hence two.
_ONE_TOTAL = (
    "There is already a running total of this kind, channel and date for this donor in "
    "this mission: correct that one instead of adding a second."
)
_RUNNING = Q(measure__in=[FundingMeasure.TOTAL, FundingMeasure.PER_YEAR])


def _kind_and_measure_go_together() -> Q:
    """codes.MEASURES_OF_KIND as a condition."""
    return functools.reduce(
        operator.or_,
        (
            Q(kind=kind, measure__in=[str(measure) for measure in measures])
            for kind, measures in MEASURES_OF_KIND.items()
        ),
    )


class FundingRecord(models.Model):
    """One sourced figure of money: pledged, received or required, as a running total,
    one contribution or a yearly cost, through the trust fund or bilaterally."""

    uuid = models.UUIDField(default=record_id, unique=True, editable=False)
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, db_index=False)
    date = models.DateField(validators=[validate_date_in_range])
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    donor = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        help_text="Empty for all donors together.",
    )
    kind = models.CharField(max_length=12, choices=FundingKind.choices)
    measure = models.CharField(
        max_length=12,
        choices=FundingMeasure.choices,
        help_text=(
            "Running total: the figure as of its date; contribution: one commitment or "
            "payment; per year: a requirement (the estimated cost a year)."
        ),
    )
    channel = models.CharField(
        max_length=10,
        choices=FundingChannel.choices,
        blank=True,
        help_text="Required for money pledged or received; empty for a requirement.",
    )
    amount_usd = models.PositiveBigIntegerField(
        "amount (US$)",
        help_text="Whole US dollars. A converted amount says its currency and rate in the notes.",
    )
    disputed = models.BooleanField(
        default=False, help_text="Sources disagree on the figure, the date or the status."
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT)
    notes = notes_field()

    objects = FundingRecordQuerySet.as_manager()
    history = HistoricalRecords(no_db_index=["mission", "donor", "source"])

    class Meta:
        ordering = ["mission", "date", "kind", "pk"]
        default_related_name = "funding_records"
        verbose_name = "funding record"
        constraints = [
            notes_fit("funding"),
            models.CheckConstraint(
                condition=Q(kind__in=FundingKind.values),
                name="funding_valid_kind",
                violation_error_message="The kind is pledged, received or requirement.",
            ),
            models.CheckConstraint(
                condition=Q(measure__in=FundingMeasure.values),
                name="funding_valid_measure",
                violation_error_message="The measure is total, contribution or per_year.",
            ),
            models.CheckConstraint(
                condition=_kind_and_measure_go_together(),
                name="funding_measure_fits_kind",
                violation_error_message=(
                    "A requirement is measured per year; money pledged or received is a "
                    "running total or one contribution."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind=FundingKind.REQUIREMENT, channel="", donor__isnull=True)
                | Q(kind__in=MONEY_KINDS, channel__in=FundingChannel.values),
                name="funding_channel_fits_kind",
                violation_error_message=(
                    "Money pledged or received goes through the trust fund or bilaterally; "
                    "a requirement has no channel and no donor."
                ),
            ),
            models.CheckConstraint(
                condition=Q(date_precision__in=DatePrecision.values),
                name="funding_valid_precision",
            ),
            models.CheckConstraint(
                condition=precision_is_consistent(), name="funding_date_matches_precision"
            ),
            models.UniqueConstraint(
                fields=["mission", "donor", "kind", "channel", "date"],
                condition=_RUNNING & Q(donor__isnull=False),
                name="funding_one_total_per_donor_and_date",
                violation_error_message=_ONE_TOTAL,
            ),
            models.UniqueConstraint(
                fields=["mission", "kind", "channel", "date"],
                condition=_RUNNING & Q(donor__isnull=True),
                name="funding_one_total_of_all_donors_per_date",
                violation_error_message=_ONE_TOTAL,
            ),
        ]
        indexes = [
            models.Index(fields=["mission", "date"], name="funding_by_mission_and_date"),
            models.Index(fields=["donor", "mission"], name="funding_by_donor"),
        ]

    def __str__(self) -> str:
        donor = self.donor_id or "all donors"
        channel = f" ({self.channel})" if self.channel else ""
        return (
            f"{self.kind} {self.measure} of US${self.amount_usd:,}{channel}, {donor}, "
            f"{self.date_display}"
        )

    @property
    def date_display(self) -> str:
        return format_with_precision(self.date, self.date_precision)

    def clean(self) -> None:
        errors = {}
        if self.date and (error := precision_error(self.date, self.date_precision)):
            errors["date"] = error
        elif self.date and self.mission_id and (problem := self.impossible_date()):
            errors["date"] = problem
        for name, problem in funding_problems(
            self.kind, self.measure, self.channel, self.donor_id
        ).items():
            errors[name] = problem[0].upper() + problem[1:]
        if errors:
            raise ValidationError(errors)

    def impossible_date(self) -> str | None:
        """Why this record's date is not possible for its mission (None when it is)."""
        return possible_dates.impossible_date(
            self.mission, self.date, self.date_precision, pledge=True, what=FUNDING_RECORD
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if problem := self.impossible_date():
            raise possible_dates.ImpossibleDate(problem)
        super().save(*args, **kwargs)
