"""The derived timeline: end-of-day deployed strength on every date that has an event."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from mss_tracker.tracker.models.missions import Mission
from mss_tracker.tracker.models.places import Country


class TimelinePoint(models.Model):
    """End-of-day deployed strength of one timeline on a date that has events (derived)."""

    # Indexed through the unique constraint (mission first) and Meta's country index.
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="+", db_index=False)
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+", db_index=False)
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
        indexes = [
            models.Index(fields=["mission", "personnel_type", "date"]),
            models.Index(fields=["country"], name="timelinepoint_by_country"),
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.personnel_type} {self.date}: {self.deployed:,}"
