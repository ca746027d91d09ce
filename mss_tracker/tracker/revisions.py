"""Which records a cited view rests on were recorded, changed or deleted after the date it
was cited (docs/changes-and-citations.md, "Citations").

A view's figures as of D rest on the mission's pledges and events dated on or before D
(narrowed by the view's filters). Records can still be added or corrected later with a
date on or before D (a back-dated report), so the same address may show other figures
than on the day it was cited. The audit history (django-simple-history) knows every add,
change and delete with its moment: a version recorded after the cited day, of a record
that was (in any version) one the view rests on, is a revision.

Two queries per kind of record, whatever the length of history: the history is read by
date (indexed) and by record id.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from mss_tracker.tracker.models import DeploymentEvent, Mission, Pledge

SHOWN = 20  # revisions listed on a page; the rest are counted


@dataclass(frozen=True)
class Scope:
    """What a view rests on: the mission's records dated ≤ as_of, narrowed like the view."""

    mission: Mission
    as_of: datetime.date
    personnel_type: str | None = None
    country: str | None = None
    kind: str | None = None  # events only: a view of one kind rests on no pledge
    date_from: datetime.date | None = None


@dataclass(frozen=True)
class Revision:
    record: str  # "event" or "pledge"
    action: str  # "+" recorded, "~" changed, "-" deleted (simple-history's history_type)
    recorded_at: datetime.datetime
    version: object  # the historical row: the record's values after (or at) the revision
    exists: bool  # the record is still there


@dataclass(frozen=True)
class Revisions:
    cited: datetime.date
    shown: list[Revision]
    count: int


def _after(cited: datetime.date) -> datetime.datetime:
    """The first moment after the cited day, in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(cited, datetime.time.min)) + (
        datetime.timedelta(days=1)
    )


def _history(model, scope: Scope, cited: datetime.date) -> QuerySet:
    history = model.history.model.objects
    later = history.filter(history_date__gte=_after(cited))
    rested_on = history.filter(
        mission_id=scope.mission.pk, date__lte=scope.as_of, id__in=later.values("id")
    )
    if scope.personnel_type:
        rested_on = rested_on.filter(personnel_type=scope.personnel_type)
    if scope.country:
        rested_on = rested_on.filter(country_id=scope.country)
    if scope.kind and model is DeploymentEvent:
        rested_on = rested_on.filter(kind=scope.kind)
    if scope.date_from:
        rested_on = rested_on.filter(date__gte=scope.date_from)
    return later.filter(id__in=rested_on.values("id")).order_by("-history_date", "-history_id")


def revised_since(scope: Scope, cited: datetime.date) -> Revisions:
    """The revisions after `cited` of the records `scope` rests on, newest first."""
    models = [DeploymentEvent] if scope.kind else [DeploymentEvent, Pledge]
    found: list[Revision] = []
    count = 0
    for model in models:
        versions = _history(model, scope, cited)
        count += versions.count()
        for version in versions.select_related("country")[:SHOWN]:
            found.append(
                Revision(
                    record="event" if model is DeploymentEvent else "pledge",
                    action=version.history_type,
                    recorded_at=version.history_date,
                    version=version,
                    exists=False,
                )
            )
    found.sort(key=lambda revision: revision.recorded_at, reverse=True)
    found = found[:SHOWN]
    still_there = {
        "event": set(
            DeploymentEvent.objects.filter(
                pk__in=[r.version.id for r in found if r.record == "event"]
            ).values_list("pk", flat=True)
        ),
        "pledge": set(
            Pledge.objects.filter(
                pk__in=[r.version.id for r in found if r.record == "pledge"]
            ).values_list("pk", flat=True)
        ),
    }
    shown = [
        Revision(
            r.record, r.action, r.recorded_at, r.version, r.version.id in still_there[r.record]
        )
        for r in found
    ]
    return Revisions(cited, shown, count)
