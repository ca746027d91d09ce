"""Missions: their mandate, dates, successor and milestones (the manager is in querysets.py)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from simple_history.models import HistoricalRecords

from mss_tracker.tracker import possible_dates
from mss_tracker.tracker.dates import Milestone, validate_date_in_range
from mss_tracker.tracker.models.places import Country, Source
from mss_tracker.tracker.querysets import MissionQuerySet
from mss_tracker.tracker.text import notes_field, notes_fit, refuse_control_characters


class Mission(models.Model):
    slug = models.SlugField(unique=True, max_length=50)
    acronym = models.CharField(max_length=20, validators=[refuse_control_characters])
    name = models.CharField(max_length=200, validators=[refuse_control_characters])
    host_country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    lead_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    authorized_by = models.CharField(
        max_length=200,
        help_text="The authorising act, e.g. UN Security Council resolution 2699.",
        validators=[refuse_control_characters],
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
            self.refuse_dates_that_strand_records()

    def refuse_dates_that_strand_records(self) -> None:
        """New start or end dates of a recorded mission may not leave its events outside its
        life, nor its pledges or funding records after its end (`clean()`: a form error in
        the admin). docs/rules.md, "Dates must be possible" (possible_dates.py)."""
        after_end = {"date__gt": self.end_date or datetime.date.max}
        for records, what in (
            (self.events.filter(possible_dates.impossible_events(self)), "events"),
            (self.pledges.filter(**after_end), "pledges"),
            (self.funding_records.filter(**after_end), "funding records"),
        ):
            first = records.order_by("date").first()
            if first is not None:
                raise ValidationError(
                    f"{records.count():,} recorded {what} would fall outside these dates "
                    f"({possible_dates.mission_life(self)}); the first is dated "
                    f"{first.date_display}. Correct them first."
                )

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
        """The date whose figures a page shows: today or `as_of`, never past the end date
        and never past today (a future date shows what is recorded up to today)."""
        today = datetime.date.today()
        day = min(as_of, today) if as_of else today
        if self.end_date is not None and day > self.end_date:
            return self.end_date
        return day
