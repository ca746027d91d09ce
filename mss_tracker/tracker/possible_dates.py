"""docs/rules.md, "Dates must be possible": the one rule, for every write path.

An event is dated within its mission's life (on or after the start date and, for an
ended mission, on or before the end date); a pledge or a funding record may precede the
start (money and personnel are often promised before a mission starts) but not follow
the end; nothing is dated after today. A month- or year-precision date stands
for the whole month or year, so it is possible when that period overlaps the allowed
span ("Oct 2025" for a mission that started on 3 Oct 2025).

`impossible_date()` checks one record (model `clean()` and `save()`, the CSV import's
rows); `impossible_events()` and `impossible_pledges()` are filters for the records of a
mission that break it. The rule reads only a mission's acronym and dates (`MissionLife`)
and queries nothing: the models and their querysets, which import this module, run the
filters — `DeploymentEvent.objects.rebuild_timelines()` in the transaction of every event
write (bulk imports, COPY, the queryset's bulk writes) as the database-side guard, the
pledges' bulk writes, and `Mission.clean()` for new mission dates (bulk_writes.py,
models/missions.py).
"""

from __future__ import annotations

import datetime
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db.models import Q

from mss_tracker.tracker.dates import DatePrecision, format_with_precision


class MissionLife(Protocol):
    """What the rule reads of a mission (a `Mission` has it)."""

    @property
    def acronym(self) -> str: ...
    @property
    def start_date(self) -> datetime.date: ...
    @property
    def end_date(self) -> datetime.date | None: ...


def _long(day: datetime.date) -> str:
    return f"{format_with_precision(day, DatePrecision.DAY)} ({day.isoformat()})"


def mission_life(mission: MissionLife) -> str:
    """ "MSS ran from 25 Jun 2024 (2024-06-25) to 2 Oct 2025 (2025-10-02)" or "… has not ended"."""
    if mission.end_date is None:
        return f"{mission.acronym} started on {_long(mission.start_date)} and has not ended"
    return f"{mission.acronym} ran from {_long(mission.start_date)} to {_long(mission.end_date)}"


def _period_start(day: datetime.date, precision: str) -> datetime.date:
    """The first day a date of this precision can stand for, lowered to the precision of
    the bound it is compared with: the 1st of `day`'s month, or 1 January."""
    if precision == DatePrecision.MONTH:
        return day.replace(day=1)
    if precision == DatePrecision.YEAR:
        return day.replace(month=1, day=1)
    return day


def impossible_date(
    mission: MissionLife,
    day: datetime.date,
    precision: str,
    *,
    pledge: bool = False,
    today: datetime.date | None = None,
    what: str | None = None,
) -> str | None:
    """Why a record of `mission` dated `day` (stored as the start of its period) is not
    possible, naming the mission's dates; None when it is. `pledge`: the record may
    precede the start (pledges, funding records); `what` names it ("A funding record")."""
    today = today or datetime.date.today()
    what = what or ("A pledge" if pledge else "An event")
    if day > today:
        shown = format_with_precision(day, precision)
        return (
            f"{what} cannot be dated after today, {_long(today)}: {shown} is in the future. "
            f"{mission_life(mission)}."
        )
    if mission.end_date is not None and day > mission.end_date:
        shown = format_with_precision(day, precision)
        return (
            f"{what} of {mission.acronym} cannot be dated after the mission ended: "
            f"{mission_life(mission)}, and this one is dated {shown}."
        )
    if not pledge and day < _period_start(mission.start_date, precision):
        shown = format_with_precision(day, precision)
        return (
            f"An event of {mission.acronym} cannot be dated before the mission started: "
            f"{mission_life(mission)}, and this one is dated {shown}. "
            "Pledges may precede the start; events may not."
        )
    return None


def impossible_events(mission: MissionLife, today: datetime.date | None = None) -> Q:
    """A filter for the events of `mission` that `impossible_date` refuses."""
    today = today or datetime.date.today()
    start = mission.start_date
    too_early = Q(date__lt=start) & ~(
        Q(date_precision=DatePrecision.MONTH, date__gte=start.replace(day=1))
        | Q(date_precision=DatePrecision.YEAR, date__gte=start.replace(month=1, day=1))
    )
    too_late = Q(date__gt=today)
    if mission.end_date is not None:
        too_late |= Q(date__gt=mission.end_date)
    return Q(mission=mission) & (too_early | too_late)


def impossible_pledges(mission: MissionLife, today: datetime.date | None = None) -> Q:
    """A filter for the pledges (or funding records) of `mission` that `impossible_date`
    refuses: dated after its end or after today (they may precede its start)."""
    today = today or datetime.date.today()
    latest = min(today, mission.end_date or today)
    return Q(mission=mission, date__gt=latest)


class ImpossibleDate(ValidationError):
    """A write would store a record on a date its mission's life does not allow."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="impossible_date")
