"""Strength reports that disagree with the events recorded before them.

A strength report sets a timeline's strength to the reported headcount. What the
events before it add up to is the previous end-of-day point of that timeline (the
derived `TimelinePoint`, which already folds in earlier reports) plus that day's own
arrivals, departures and fatalities. Where the two differ, some personnel went
unrecorded (or were counted twice): the country page says so plainly.

One query, whatever the number of events: each report is compared by two correlated
subqueries, never by replaying history in Python.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from mss_tracker.tracker.codes import change_expression
from mss_tracker.tracker.models import (
    Country,
    DeploymentEvent,
    EventKind,
    Mission,
    TimelinePoint,
)


def strength_report_discrepancies(
    mission: Mission,
    country: Country,
    as_of: datetime.date,
    personnel_type: str | None = None,
) -> QuerySet[DeploymentEvent]:
    """The country's strength reports dated ≤ as_of whose headcount differs from what the
    events before them add up to, newest first, annotated with `expected` (that sum) and
    `unaccounted` (reported − expected; negative when the report is lower)."""
    same_timeline = {
        "mission": OuterRef("mission"),
        "country": OuterRef("country"),
        "personnel_type": OuterRef("personnel_type"),
    }
    previous_point = (
        TimelinePoint.objects.filter(**same_timeline, date__lt=OuterRef("date"))
        .order_by("-date")
        .values("deployed")[:1]
    )
    same_day_change = (
        DeploymentEvent.objects.filter(**same_timeline, date=OuterRef("date"))
        .exclude(kind=EventKind.STRENGTH_REPORT)
        .order_by()
        .values("mission")
        .annotate(change=Sum(change_expression()))
        .values("change")
    )
    reports = DeploymentEvent.objects.filter(
        mission=mission, country=country, kind=EventKind.STRENGTH_REPORT, date__lte=as_of
    )
    if personnel_type:
        reports = reports.filter(personnel_type=personnel_type)
    return (
        reports.annotate(
            expected=Coalesce(Subquery(previous_point, output_field=IntegerField()), Value(0))
            + Coalesce(Subquery(same_day_change, output_field=IntegerField()), Value(0))
        )
        .annotate(unaccounted=F("personnel") - F("expected"))
        .exclude(unaccounted=0)
        .select_related("source")
        .order_by("-date", "personnel_type")
    )
