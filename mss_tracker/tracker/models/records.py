"""The dated records of a mission: pledges and deployment events.

Every write of an event rebuilds its timelines in the same transaction (`timelines.py`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Now
from simple_history.models import HistoricalRecords

from mss_tracker.lib.transactions import check_without_writing
from mss_tracker.tracker import possible_dates
from mss_tracker.tracker.codes import EventKind, PersonnelType, record_id, signed_change
from mss_tracker.tracker.dates import (
    DatePrecision,
    format_with_precision,
    precision_error,
    precision_is_consistent,
    validate_date_in_range,
)
from mss_tracker.tracker.models.missions import Mission
from mss_tracker.tracker.models.places import Country, Source
from mss_tracker.tracker.models.timeline import TimelinePoint
from mss_tracker.tracker.querysets import DeploymentEventQuerySet, PledgeQuerySet
from mss_tracker.tracker.text import notes_field, notes_fit

# The audit history is read by record (id, uuid) and by date, never by these: an index
# on them would cost every history row written (a bulk import writes one per row).
UNINDEXED_IN_HISTORY = ["mission", "country", "source"]


class DatedRecord(models.Model):
    """Fields shared by pledges and deployment events.

    `uuid` is the record's stable identifier (the CSV/JSON column `id`): given once, never
    changed or reused, so a corrected row travels back to the record it came from. The
    integer primary key stays the database's own key.
    """

    uuid = models.UUIDField(default=record_id, unique=True, editable=False)
    # Indexed by the composite indexes that lead with them (each model's Meta): a
    # separate index per key would only slow every write, a bulk import most of all.
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, db_index=False)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, db_index=False)
    personnel_type = models.CharField(max_length=10, choices=PersonnelType.choices)
    date = models.DateField(validators=[validate_date_in_range])
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    disputed = models.BooleanField(
        default=False, help_text="Sources disagree on the figure, the date or the status."
    )
    notes = notes_field()
    source = models.ForeignKey(Source, on_delete=models.PROTECT)

    class Meta:
        abstract = True

    @property
    def date_display(self) -> str:
        return format_with_precision(self.date, self.date_precision)

    def clean(self) -> None:
        error = self.date and precision_error(self.date, self.date_precision)
        if error:
            raise ValidationError({"date": error})
        if self.date and self.mission_id and (problem := self.impossible_date()):
            raise ValidationError({"date": problem})

    def impossible_date(self) -> str | None:
        """Why this record's date is not possible for its mission (None when it is)."""
        return possible_dates.impossible_date(
            self.mission, self.date, self.date_precision, pledge=isinstance(self, Pledge)
        )


class Pledge(DatedRecord):
    personnel = models.PositiveIntegerField(
        null=True, blank=True, help_text='Empty when no number was announced (shown as "—").'
    )

    objects = PledgeQuerySet.as_manager()
    history = HistoricalRecords(no_db_index=UNINDEXED_IN_HISTORY)

    class Meta:
        ordering = ["mission", "country", "personnel_type", "date"]
        default_related_name = "pledges"
        constraints = [
            notes_fit("pledge"),
            models.UniqueConstraint(
                fields=["mission", "country", "personnel_type", "date"],
                name="pledge_one_per_timeline_and_date",
                violation_error_message=(
                    "This country already has a pledge of this personnel type on this date "
                    "for this mission: correct that one instead of adding a second."
                ),
            ),
            models.CheckConstraint(
                condition=Q(personnel_type__in=PersonnelType.values), name="pledge_valid_type"
            ),
            models.CheckConstraint(
                condition=Q(date_precision__in=DatePrecision.values), name="pledge_valid_precision"
            ),
            models.CheckConstraint(
                condition=Q(personnel__isnull=True) | Q(personnel__gte=0),
                name="pledge_personnel_not_negative",
            ),
            models.CheckConstraint(
                condition=precision_is_consistent(), name="pledge_date_matches_precision"
            ),
        ]
        indexes = [
            models.Index(fields=["mission", "country", "personnel_type", "-date"]),
            models.Index(fields=["country"], name="pledge_by_country"),
            # The charts' dates known only to the month or year (explanations.coarse_dates).
            models.Index(
                fields=["mission", "date_precision", "date"], name="pledge_by_date_precision"
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if problem := self.impossible_date():
            raise possible_dates.ImpossibleDate(problem)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        figure = "no number" if self.personnel is None else f"{self.personnel:,}"
        return f"{self.country_id} {self.personnel_type} pledge of {figure}, {self.date_display}"

    def figure_it_makes_unknown(self) -> Pledge | None:
        """The numeric pledge that saving this one without a number would supersede.

        That is the pledge in force on this one's date as stored now (this pledge's own
        stored version included: blanking a figure replaces it), when it has a number;
        None when this pledge has a number or nothing numeric is in force.
        """
        if self.personnel is not None or None in (
            self.mission_id,
            self.country_id,
            self.personnel_type or None,
            self.date,
        ):
            return None
        in_force = (
            Pledge.objects.filter(
                mission_id=self.mission_id,
                country_id=self.country_id,
                personnel_type=self.personnel_type,
                date__lte=self.date,
            )
            .select_related("country")
            .order_by("-date")
            .first()
        )
        return in_force if in_force is not None and in_force.personnel is not None else None

    @staticmethod
    def unknown_figure_warning(replaced: Pledge) -> str:
        """ "this makes Kenya's pledged police unknown, replacing 1,000 pledged on 25 Jul 2023"."""
        return (
            f"this makes {replaced.country.name}'s pledged {replaced.personnel_type} unknown, "
            f"replacing {replaced.personnel:,} pledged on {replaced.date_display}"
        )


class DeploymentEvent(DatedRecord):
    kind = models.CharField("event", max_length=20, choices=EventKind.choices)
    personnel = models.PositiveIntegerField(
        validators=[MinValueValidator(0)],
        help_text=(
            "Personnel arriving, carried over, leaving or killed (at least 1), "
            "or the reported headcount."
        ),
    )
    # When the event entered the database and when it last changed (not when it happened:
    # that is `date`). The Atom feed orders by them, so a back-dated addition still reaches
    # subscribers. `db_default` covers raw inserts (COPY in the import and the generator).
    recorded_at = models.DateTimeField("recorded", auto_now_add=True, db_default=Now())
    updated_at = models.DateTimeField("last changed", auto_now=True, db_default=Now())

    objects = DeploymentEventQuerySet.as_manager()
    # What its timelines are derived into: the queryset's `with_strength_after` and
    # `strength_discrepancies` read it (querysets.py imports no model).
    timeline_point_model: ClassVar[type[TimelinePoint]] = TimelinePoint
    # The audit history has its own dates; copying these two would make every edit look
    # like a change of `updated_at`.
    history = HistoricalRecords(
        excluded_fields=["recorded_at", "updated_at"], no_db_index=UNINDEXED_IN_HISTORY
    )

    class Meta:
        ordering = ["mission", "country", "personnel_type", "date", "pk"]
        default_related_name = "events"
        verbose_name = "deployment event"
        constraints = [
            notes_fit("event"),
            models.UniqueConstraint(
                fields=["mission", "country", "personnel_type", "date"],
                condition=Q(kind=EventKind.STRENGTH_REPORT),
                name="event_one_strength_report_per_timeline_and_date",
                violation_error_message=(
                    "There is already a strength report for this country, personnel type and "
                    "date: correct that one instead of adding a second."
                ),
            ),
            models.UniqueConstraint(
                fields=[
                    "mission",
                    "country",
                    "personnel_type",
                    "date",
                    "kind",
                    "personnel",
                    "source",
                ],
                name="event_no_exact_duplicate",
                violation_error_message="This exact event from this source is already recorded.",
            ),
            models.CheckConstraint(
                condition=Q(personnel_type__in=PersonnelType.values), name="event_valid_type"
            ),
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_valid_kind"),
            models.CheckConstraint(
                condition=Q(date_precision__in=DatePrecision.values), name="event_valid_precision"
            ),
            models.CheckConstraint(
                condition=Q(kind=EventKind.STRENGTH_REPORT, personnel__gte=0) | Q(personnel__gte=1),
                name="event_personnel_in_range_for_kind",
                violation_error_message=(
                    "Arrivals, transfers, departures and fatalities count at least 1 person; "
                    "a strength report at least 0."
                ),
            ),
            models.CheckConstraint(
                condition=precision_is_consistent(), name="event_date_matches_precision"
            ),
        ]
        # A timeline's events (mission, country, type, date) are found through the
        # no-exact-duplicate constraint's index, which leads with those four columns.
        indexes = [
            models.Index(fields=["country"], name="event_by_country"),
            # The dashboard's latest events (newest first) and its disputed-figure flags:
            # index seeks, so their cost does not grow with the length of history.
            models.Index(fields=["mission", "date", "id"], name="event_latest_in_mission"),
            models.Index(
                fields=["mission", "country", "date", "id"],
                condition=Q(disputed=True),
                name="event_disputed_by_country",
            ),
            # The Atom feed's 50 latest recorded: an index seek, however long the history.
            models.Index(fields=["mission", "recorded_at", "id"], name="event_recently_recorded"),
            # The charts' dates known only to the month or year (explanations.coarse_dates):
            # a seek per precision and drawn date that reads those records alone, not every
            # event of a busy day.
            models.Index(
                fields=["mission", "date_precision", "date"], name="event_by_date_precision"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} of {self.personnel:,} {self.personnel_type} "
            f"({self.country_id}), {self.date_display}"
        )

    def clean(self) -> None:
        super().clean()
        if (
            self.personnel is not None
            and self.kind != EventKind.STRENGTH_REPORT
            and self.personnel < 1
        ):
            raise ValidationError(
                {"personnel": f"A {self.get_kind_display().lower()} counts at least 1 person."}
            )

    def validate_timeline(self) -> None:
        """Raise NegativeStrength if saving this event would drive its timeline negative.

        Writes inside a savepoint and rolls back, so forms can show the message as a
        field error before anything is stored.
        """
        check_without_writing(self, self.save)

    def validate_deletion(self) -> None:
        check_without_writing(self, self.delete)

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():
            Mission.objects.lock(self.mission_id)
            keys = {self.timeline_key}
            if self.pk is not None and not self._state.adding:
                previous = (
                    DeploymentEvent.objects.filter(pk=self.pk)
                    .values_list("mission_id", "country_id", "personnel_type")
                    .first()
                )
                if previous:
                    keys.add(tuple(previous))
            super().save(*args, **kwargs)
            DeploymentEvent.objects.rebuild_timelines(keys)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            Mission.objects.lock(self.mission_id)
            key = self.timeline_key
            result = super().delete(*args, **kwargs)
            DeploymentEvent.objects.rebuild_timelines({key})
        return result

    @property
    def timeline_key(self) -> tuple[int, str, str]:
        return (self.mission_id, self.country_id, self.personnel_type)

    @property
    def change(self) -> int | None:
        """The signed change this event makes (None for a strength report, which sets it)."""
        return signed_change(self.kind, self.personnel)
