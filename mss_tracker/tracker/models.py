"""The domain of DESIGN.md: missions, countries, sources, pledges and deployment events.

`TimelinePoint` is derived data: the end-of-day deployed strength of one
(mission, country, personnel type) on every date that has an event. Every write of an
event rebuilds it in the same transaction (see `timelines.py`), which is where
the rule "deployed strength is never negative" is enforced, and what lets the
dashboards read one row per timeline instead of replaying history.

Missions, sources, pledges and events keep an audit history (django-simple-history's
`history` manager): who changed what, when, the values before and after, and why (a CSV
import names its file). Model saves and deletes record it through signals; the CSV
import's bulk writes record it themselves (`history.record_history`).
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext
from simple_history.models import HistoricalRecords

from mss_tracker.lib.country_names import country_name
from mss_tracker.lib.transactions import check_without_writing
from mss_tracker.tracker import possible_dates

# Codes and their rules live in codes.py; ALL_TYPES and ADDING_KINDS are re-exported
# for the code that reads them with the models.
from mss_tracker.tracker.codes import ADDING_KINDS as ADDING_KINDS
from mss_tracker.tracker.codes import ALL_TYPES as ALL_TYPES
from mss_tracker.tracker.codes import (
    EventKind,
    PersonnelType,
    iso3_country,
    signed_change,
    validate_iso2,
    validate_iso3,
)
from mss_tracker.tracker.dates import (
    DatePrecision,
    Milestone,
    format_with_precision,
    precision_error,
    precision_is_consistent,
    validate_date_in_range,
)
from mss_tracker.tracker.querysets import (
    CountryQuerySet,
    DeploymentEventQuerySet,
    MissionQuerySet,
    PledgeQuerySet,
)
from mss_tracker.tracker.text import notes_field, notes_fit
from mss_tracker.tracker.timelines import rebuild_timelines


class Country(models.Model):
    iso3 = models.CharField(
        "ISO alpha-3", max_length=3, primary_key=True, validators=[validate_iso3]
    )
    iso2 = models.CharField("ISO alpha-2", max_length=2, unique=True, validators=[validate_iso2])
    name = models.CharField(max_length=100)

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="country_iso3_is_three_capitals"
            ),
            models.CheckConstraint(
                condition=Q(iso2__regex=r"^[A-Z]{2}$"), name="country_iso2_is_two_capitals"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        record = iso3_country(self.iso3)
        if record is not None and self.iso2 and record.alpha_2 != self.iso2:
            raise ValidationError(
                {"iso2": f"The alpha-2 code of {self.iso3} is {record.alpha_2}, not {self.iso2}."}
            )

    @property
    def local_name(self) -> str:
        """The name in the active language (French and Creole from ISO's translations)."""
        return country_name(self.iso3, self.name)

    @property
    def flag(self) -> str:
        """The flag emoji, built from the alpha-2 code's regional indicator symbols."""
        return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in self.iso2)


class Source(models.Model):
    publisher = models.CharField(max_length=200)
    title = models.CharField(max_length=500, blank=True)
    url = models.URLField("URL", max_length=1000, blank=True)
    published_on = models.DateField(
        "published", null=True, blank=True, validators=[validate_date_in_range]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["publisher", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["publisher", "title", "url"], name="source_unique_publisher_title_url"
            ),
            models.CheckConstraint(condition=~Q(publisher=""), name="source_publisher_not_blank"),
        ]

    def __str__(self) -> str:
        parts = [self.publisher]
        if self.title:
            parts.append(f"“{self.title}”")
        if self.published_on:
            parts.append(self.published_on.isoformat())
        return ", ".join(parts)


class Mission(models.Model):
    slug = models.SlugField(unique=True, max_length=50)
    acronym = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    host_country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    lead_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    authorized_by = models.CharField(
        max_length=200, help_text="The authorising act, e.g. UN Security Council resolution 2699."
    )
    authorized_on = models.DateField(validators=[validate_date_in_range])
    start_date = models.DateField(validators=[validate_date_in_range])
    end_date = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    authorized_ceiling = models.PositiveIntegerField(
        null=True, blank=True, help_text="Personnel ceiling set by the mandate; empty if none."
    )
    successor = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="predecessor"
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="missions"
    )
    notes = notes_field()

    objects = MissionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date", "slug"]
        constraints = [
            notes_fit("mission"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="mission_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | ~Q(successor=models.F("pk")),
                name="mission_is_not_its_own_successor",
            ),
            models.CheckConstraint(
                condition=Q(slug__regex=r"^[a-z0-9-]+$"), name="mission_slug_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.acronym} ({self.name})"

    def get_absolute_url(self) -> str:
        return reverse("dashboards:mission", args=[self.slug])

    def clean(self) -> None:
        if self.slug:
            self.slug = self.slug.lower()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "A mission cannot end before it starts."})
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError({"successor": "A mission cannot be its own successor."})
        if self.pk and self.start_date:
            possible_dates.refuse_dates_that_strand_records(self)

    def has_ended_by(self, day: datetime.date) -> bool:
        return self.end_date is not None and day > self.end_date

    def milestones(self) -> list[Milestone]:
        """The mandate milestones: authorisation, start, end and the successor's start."""
        acronym = {"acronym": self.acronym}
        milestones = [
            Milestone(
                self.authorized_on,
                gettext("Authorised"),
                gettext("Authorised by %(act)s") % {"act": self.authorized_by},
            ),
            Milestone(self.start_date, gettext("Start"), gettext("%(acronym)s starts") % acronym),
        ]
        if self.end_date:
            ended = gettext("%(acronym)s ends") % acronym
            milestones.append(Milestone(self.end_date, gettext("End"), ended))
        successor = self.successor
        if successor is not None:
            names = {"acronym": successor.acronym, "name": successor.name}
            milestones.append(
                Milestone(
                    successor.start_date,
                    gettext("%(acronym)s starts") % names,
                    gettext("Successor %(acronym)s (%(name)s) starts") % names,
                )
            )
        return milestones

    def effective_as_of(self, as_of: datetime.date | None = None) -> datetime.date:
        """The date whose figures a page shows: today or `as_of`, never past the end date."""
        day = as_of or datetime.date.today()
        if self.end_date is not None and day > self.end_date:
            return self.end_date
        return day


class DatedRecord(models.Model):
    """Fields shared by pledges and deployment events.

    `uuid` is the record's stable identifier (the CSV/JSON column `id`): given once, never
    changed or reused, so a corrected row travels back to the record it came from. The
    integer primary key stays the database's own key.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE)
    country = models.ForeignKey(Country, on_delete=models.PROTECT)
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
    history = HistoricalRecords()

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
        indexes = [models.Index(fields=["mission", "country", "personnel_type", "-date"])]

    def save(self, *args, **kwargs) -> None:
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
    # The audit history has its own dates; copying these two would make every edit look
    # like a change of `updated_at`.
    history = HistoricalRecords(excluded_fields=["recorded_at", "updated_at"])

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
        indexes = [
            models.Index(fields=["mission", "country", "personnel_type", "date"]),
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

    def save(self, *args, **kwargs) -> None:
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
            rebuild_timelines(keys)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            Mission.objects.lock(self.mission_id)
            key = self.timeline_key
            result = super().delete(*args, **kwargs)
            rebuild_timelines({key})
        return result

    @property
    def timeline_key(self) -> tuple[int, str, str]:
        return (self.mission_id, self.country_id, self.personnel_type)

    @property
    def change(self) -> int | None:
        """The signed change this event makes (None for a strength report, which sets it)."""
        return signed_change(self.kind, self.personnel)


class TimelinePoint(models.Model):
    """End-of-day deployed strength of one timeline on a date that has events (derived)."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="+")
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    personnel_type = models.CharField(max_length=10)  # a PersonnelType value, or ALL_TYPES
    date = models.DateField()
    deployed = models.IntegerField()
    deployed_change = models.IntegerField(help_text="deployed minus the previous point's")
    fatalities_to_date = models.IntegerField()
    first_arrival = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "country", "personnel_type", "date"],
                name="timelinepoint_unique_date",
            ),
            # The database's own guard; timelines.py refuses the write with a readable
            # message before this is ever reached.
            models.CheckConstraint(
                condition=Q(deployed__gte=0), name="timelinepoint_never_negative"
            ),
        ]
        indexes = [models.Index(fields=["mission", "personnel_type", "date"])]

    def __str__(self) -> str:
        return f"{self.country_id} {self.personnel_type} {self.date}: {self.deployed:,}"


# Defined in its own module (the file and progress of an upload, not the domain); imported
# here so that Django finds it.
from mss_tracker.tracker.import_jobs import ImportJob  # noqa: E402, F401
