"""The queryset writes that bypass `save()` keep the rules `save()` keeps.

`DeploymentEvent.save()` and `delete()` lock the mission and rebuild the event's
timelines in the transaction of the write (timelines.py), which refuses a negative
strength or an impossible date; `Pledge.save()` refuses an impossible date. Django's
`QuerySet.update()`, `bulk_create()` and `bulk_update()` call neither, so left alone they
would store events whose timelines no longer match them (docs/reliability.md, "Derived
data checked"). Here they do what `save()` does, for every row at once:

- events: in one transaction, lock the missions touched (before and after the write) in
  id order, write, and rebuild every timeline the rows were in or are now in; a refusal
  (`NegativeStrength`, `ImpossibleDate`) rolls the whole write back. A queryset `delete()`
  does the same. An `update()` or `bulk_update()` of fields no timeline reads (notes,
  source, the record's id, when it was recorded) needs no rebuild and gets none.
- pledges have no derived data: a write that sets a mission or a date checks "dates must
  be possible" for the missions written (`refuse_impossible_pledges`).

`EventWrites.rebuild_timelines()` is what every write of events ends with (`save()`,
`delete()`, these, the CSV import): "dates must be possible" for the events of the
timelines touched, then their points (`timelines.write_points`). The rule itself is
`possible_dates`; the queries that apply it are here, on the models' own querysets, which
reach the mission through the records' `mission` field: `possible_dates` and `timelines`
import no model.

The audit history is recorded by `save()` and `delete()` (signals) and by the CSV import
(`history.record_history`); these bulk methods record none.

A caller that writes in several bulk steps and keeps the rules once, itself, at the end
says so with `rules_kept_by_caller()`: the CSV import checks every row's date, writes a
file in batches (bulk_create, COPY on PostgreSQL, bulk_update) and rebuilds every
timeline it touched in one `rebuild_timelines`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models, transaction

from mss_tracker.tracker.possible_dates import (
    ImpossibleDate,
    impossible_date,
    impossible_events,
    impossible_pledges,
)
from mss_tracker.tracker.timelines import TimelineKey, every_timeline, timeline_keys, write_points

# Fields no timeline point and no date rule reads: writing only these changes nothing derived.
_NOT_DERIVED = {"notes", "source", "source_id", "uuid", "recorded_at", "updated_at"}
# What a pledge's date rule reads.
_PLEDGE_DATE_RULE = {"mission", "mission_id", "date"}

_rules_kept_by_caller: ContextVar[bool] = ContextVar("rules_kept_by_caller", default=False)


@contextmanager
def rules_kept_by_caller() -> Iterator[None]:
    """Inside, the bulk writes of events and pledges leave the rules to the caller, which
    must, before its transaction ends, rebuild every timeline it wrote
    (`rebuild_timelines`, which also checks the events' dates) and have checked every
    pledge's date. Only for a writer that does both itself (the CSV import)."""
    token = _rules_kept_by_caller.set(True)
    try:
        yield
    finally:
        _rules_kept_by_caller.reset(token)


def _missions(records: models.QuerySet[Any]) -> Any:  # Mission.objects
    """The missions of these records (events or pledges), through their `mission` field."""
    return records.model._meta.get_field("mission").related_model._default_manager


def _lock_missions(records: models.QuerySet[Any], mission_ids: Iterable[int]) -> None:
    """Lock each mission, in id order, so that two bulk writes never wait on each other."""
    missions = _missions(records)
    for mission_id in sorted(set(mission_ids)):
        missions.lock(mission_id)


def _names(fields: Iterable[str]) -> set[str]:
    return set(fields) - {"pk"} | ({"id"} if "pk" in fields else set())


class EventWrites(models.QuerySet[Any]):
    """`update`, `bulk_create`, `bulk_update` and `delete` of events, each rebuilding the
    timelines it touched, under the missions' locks, in the transaction of its write."""

    def _keys(self) -> set[TimelineKey]:
        return timeline_keys(self.order_by())

    def rebuild_timelines(self, keys: Iterable[TimelineKey] | None = None) -> None:
        """Refuse the events of these timelines' countries dated outside their mission's
        life (`ImpossibleDate`), whatever wrote them, then recompute their points, refusing
        negative strength (`timelines.write_points`). None: every timeline. Inside the
        transaction of the write; whatever this queryset is filtered to, it reads them all."""
        keys = every_timeline() if keys is None else set(keys)
        self.refuse_impossible_events({(mission_id, country) for mission_id, country, _ in keys})
        write_points(keys)

    def refuse_impossible_events(self, pairs: Iterable[tuple[int, str]]) -> None:
        """Raise ImpossibleDate for the first event of these (mission, country) pairs dated
        outside its mission's life (or after today). One query per mission touched."""
        countries: dict[int, list[str]] = {}
        for mission_id, country in pairs:
            countries.setdefault(mission_id, []).append(country)
        events = self.model._default_manager
        for mission in _missions(self).filter(pk__in=countries).order_by("pk"):
            event = (
                events.filter(impossible_events(mission), country__in=countries[mission.pk])
                .order_by("date")
                .only("date", "date_precision")
                .first()
            )
            if event is not None:
                problem = impossible_date(mission, event.date, event.date_precision)
                raise ImpossibleDate(problem or "")

    def delete(self) -> tuple[int, dict[str, int]]:
        with transaction.atomic(using=self.db):
            missions = self.order_by().values_list("mission_id", flat=True).distinct()
            _lock_missions(self, list(missions))
            keys = self._keys()  # under the locks: no other write moves them now
            result = super().delete()
            self.rebuild_timelines(keys)
        return result

    def update(self, **kwargs: Any) -> int:
        if _rules_kept_by_caller.get() or _names(kwargs) <= _NOT_DERIVED:
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            missions = self.order_by().values_list("mission_id", flat=True).distinct()
            _lock_missions(self, list(missions))
            pks = list(self.order_by().values_list("pk", flat=True))
            written = self.model._base_manager.filter(pk__in=pks)
            keys = timeline_keys(written)
            rows = super().update(**kwargs)
            moved = timeline_keys(written) - keys  # a new mission, country or type
            _lock_missions(
                self, {mission_id for mission_id, _country, _type in moved} - set(missions)
            )
            self.rebuild_timelines(keys | moved)
        return rows

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        if _rules_kept_by_caller.get():
            return super().bulk_create(objs, *args, **kwargs)
        objs = list(objs)
        keys = {obj.timeline_key for obj in objs}
        with transaction.atomic(using=self.db):
            _lock_missions(self, (mission_id for mission_id, _country, _type in keys))
            created = super().bulk_create(objs, *args, **kwargs)
            self.rebuild_timelines(keys)
        return created

    def bulk_update(
        self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        fields = list(fields)
        if _rules_kept_by_caller.get() or _names(fields) <= _NOT_DERIVED:
            return super().bulk_update(objs, fields, batch_size)
        objs = list(objs)
        with transaction.atomic(using=self.db):
            stored = timeline_keys(
                self.model._base_manager.filter(pk__in=[obj.pk for obj in objs]).order_by()
            )
            keys = stored | {obj.timeline_key for obj in objs}
            _lock_missions(self, (mission_id for mission_id, _country, _type in keys))
            with rules_kept_by_caller():  # Django's bulk_update calls update() per batch
                rows = super().bulk_update(objs, fields, batch_size)
            self.rebuild_timelines(keys)
        return rows


class PledgeWrites(models.QuerySet[Any]):
    """`update`, `bulk_create` and `bulk_update` of pledges, and of funding records (which
    follow the pledges' date rule, docs/funding.md), each checking "dates must be possible"
    for the missions it wrote when it set a mission or a date."""

    def refuse_impossible_pledges(self, mission_ids: Iterable[int]) -> None:
        """Raise ImpossibleDate for the first pledge of these missions dated after its
        mission's end or after today. One query per mission."""
        pledges = self.model._default_manager
        for mission in _missions(self).filter(pk__in=list(mission_ids)).order_by("pk"):
            pledge = pledges.filter(impossible_pledges(mission)).order_by("date").first()
            if pledge is not None:
                problem = impossible_date(mission, pledge.date, pledge.date_precision, pledge=True)
                raise ImpossibleDate(problem or "")

    def update(self, **kwargs: Any) -> int:
        if _rules_kept_by_caller.get() or not _names(kwargs) & _PLEDGE_DATE_RULE:
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            pks = list(self.order_by().values_list("pk", flat=True))
            rows = super().update(**kwargs)
            written = self.model._base_manager.filter(pk__in=pks).order_by()
            self.refuse_impossible_pledges(written.values_list("mission_id", flat=True).distinct())
        return rows

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        if _rules_kept_by_caller.get():
            return super().bulk_create(objs, *args, **kwargs)
        objs = list(objs)
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            self.refuse_impossible_pledges({obj.mission_id for obj in objs})
        return created

    def bulk_update(
        self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        fields = list(fields)
        if _rules_kept_by_caller.get() or not _names(fields) & _PLEDGE_DATE_RULE:
            return super().bulk_update(objs, fields, batch_size)
        objs = list(objs)
        with transaction.atomic(using=self.db), rules_kept_by_caller():
            rows = super().bulk_update(objs, fields, batch_size)
            self.refuse_impossible_pledges({obj.mission_id for obj in objs})
        return rows
