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
  be possible" for the missions written (`possible_dates.refuse_impossible_pledges`).

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

from django.apps import apps
from django.db import models, transaction

from mss_tracker.tracker.possible_dates import refuse_impossible_pledges
from mss_tracker.tracker.timelines import TimelineKey, rebuild_timelines, timeline_keys

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


def _lock_missions(mission_ids: Iterable[int]) -> None:
    """Lock each mission, in id order, so that two bulk writes never wait on each other."""
    missions = apps.get_model("tracker", "Mission").objects
    for mission_id in sorted(set(mission_ids)):
        missions.lock(mission_id)


def _names(fields: Iterable[str]) -> set[str]:
    return set(fields) - {"pk"} | ({"id"} if "pk" in fields else set())


class EventWrites(models.QuerySet[Any]):
    """`update`, `bulk_create`, `bulk_update` and `delete` of events, each rebuilding the
    timelines it touched, under the missions' locks, in the transaction of its write."""

    def _keys(self) -> set[TimelineKey]:
        return timeline_keys(self.order_by())

    def delete(self) -> tuple[int, dict[str, int]]:
        with transaction.atomic(using=self.db):
            missions = self.order_by().values_list("mission_id", flat=True).distinct()
            _lock_missions(list(missions))
            keys = self._keys()  # under the locks: no other write moves them now
            result = super().delete()
            rebuild_timelines(keys)
        return result

    def update(self, **kwargs: Any) -> int:
        if _rules_kept_by_caller.get() or _names(kwargs) <= _NOT_DERIVED:
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            missions = self.order_by().values_list("mission_id", flat=True).distinct()
            _lock_missions(list(missions))
            pks = list(self.order_by().values_list("pk", flat=True))
            written = self.model._base_manager.filter(pk__in=pks)
            keys = timeline_keys(written)
            rows = super().update(**kwargs)
            moved = timeline_keys(written) - keys  # a new mission, country or type
            _lock_missions({mission_id for mission_id, _country, _type in moved} - set(missions))
            rebuild_timelines(keys | moved)
        return rows

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        if _rules_kept_by_caller.get():
            return super().bulk_create(objs, *args, **kwargs)
        objs = list(objs)
        keys = {obj.timeline_key for obj in objs}
        with transaction.atomic(using=self.db):
            _lock_missions(mission_id for mission_id, _country, _type in keys)
            created = super().bulk_create(objs, *args, **kwargs)
            rebuild_timelines(keys)
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
            _lock_missions(mission_id for mission_id, _country, _type in keys)
            with rules_kept_by_caller():  # Django's bulk_update calls update() per batch
                rows = super().bulk_update(objs, fields, batch_size)
            rebuild_timelines(keys)
        return rows


class PledgeWrites(models.QuerySet[Any]):
    """`update`, `bulk_create` and `bulk_update` of pledges, each checking "dates must be
    possible" for the missions it wrote when it set a mission or a date."""

    def update(self, **kwargs: Any) -> int:
        if _rules_kept_by_caller.get() or not _names(kwargs) & _PLEDGE_DATE_RULE:
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            pks = list(self.order_by().values_list("pk", flat=True))
            rows = super().update(**kwargs)
            written = self.model._base_manager.filter(pk__in=pks).order_by()
            refuse_impossible_pledges(written.values_list("mission_id", flat=True).distinct())
        return rows

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        if _rules_kept_by_caller.get():
            return super().bulk_create(objs, *args, **kwargs)
        objs = list(objs)
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            refuse_impossible_pledges({obj.mission_id for obj in objs})
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
            refuse_impossible_pledges({obj.mission_id for obj in objs})
        return rows
