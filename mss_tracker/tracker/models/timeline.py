"""The derived timeline: end-of-day deployed strength on every date that has an event."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from mss_tracker.tracker.models.missions import Mission
from mss_tracker.tracker.models.places import Country


class TimelinePoint(models.Model):
    """End-of-day deployed strength of one timeline on a date that has events (derived)."""

    # A point is named by its timeline and date: that key is the table's primary key and
    # its only unique index (mission first, for every query of a mission's pages). No
    # surrogate id: an import writes a point per day of every timeline it touches, and
    # each index is written for each of them. A country's points are found through
    # that key too (mission, country); deleting a country, which no page does, scans.
    # The points are rebuilt from the events, whose own keys the database checks, so the
    # database does not check each point's mission and country again at commit (Django
    # still deletes a deleted mission's or country's points).
    pk = models.CompositePrimaryKey("mission", "country", "personnel_type", "date")
    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    personnel_type = models.CharField(max_length=10)  # a PersonnelType value, or ALL_TYPES
    date = models.DateField()
    deployed = models.IntegerField()
    deployed_change = models.IntegerField(help_text="deployed minus the previous point's")
    fatalities_to_date = models.IntegerField()
    first_arrival = models.DateField(null=True)
    # "Disputed follows the figure", derived here so that a page reads one point per
    # country and type: the event that makes this figure disputed (the newest of the
    # latest disputed day; None when it is not), and how much of the figure is then
    # unconfirmed (the figure itself; for all types, the sum of the disputed types').
    # A plain id, not a foreign key: the point is rebuilt whenever its events change.
    deployed_disputed_by = models.BigIntegerField(null=True)
    deployed_unconfirmed = models.IntegerField(default=0)
    # On a strength report's day (points by type only): what the report says minus what
    # the events before it add up to (the previous point plus the day's own changes),
    # when they differ; None on every other point. The country page lists these reports
    # through the partial index below, however long the history.
    report_unaccounted = models.IntegerField(null=True)
    # How many events of the timeline are dated on or before this date: the pages' event
    # counts are differences of two points, however long the history.
    events_to_date = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # The database's own guard; timelines.py refuses the write with a readable
            # message before this is ever reached.
            models.CheckConstraint(
                condition=Q(deployed__gte=0), name="timelinepoint_never_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["mission", "personnel_type", "date"]),
            models.Index(
                fields=["mission", "country", "date"],
                condition=Q(report_unaccounted__isnull=False),
                name="timelinepoint_discrepancies",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.personnel_type} {self.date}: {self.deployed:,}"


class MissionTotalPoint(models.Model):
    """The changes of a mission's deployed strength summed over its countries, per
    personnel type (and ALL_TYPES) and per date that has a country's point (derived).

    The strength chart reads one row per date from it, not one per country and date.
    `timelines.py` keeps it in step with `TimelinePoint` in the same statements that
    rewrite a country's points: it takes the old points' sums away and adds the new
    ones', so a write costs what the countries it touches cost, as before.
    """

    pk = models.CompositePrimaryKey("mission", "personnel_type", "date")
    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    personnel_type = models.CharField(max_length=10)  # a PersonnelType value, or ALL_TYPES
    date = models.DateField()
    countries = models.IntegerField(help_text="countries with a point on this date")
    deployed_change = models.IntegerField(help_text="the sum of those points' deployed_change")

    def __str__(self) -> str:
        return f"{self.personnel_type} {self.date}: {self.deployed_change:+,}"
