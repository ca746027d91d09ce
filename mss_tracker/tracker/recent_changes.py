"""Recent changes: every recorded change to missions, sources, pledges, events and funding
records, newest first, across their audit histories (django-simple-history's historical tables).

Each change says who, when, which record, the fields it changed (before → after) and why;
a deleted record links to its last version, from which it can be viewed and restored.

A page costs a fixed number of queries whatever the length of history: per kind of record
one count, one query for the keys of the newest rows (merged across kinds in Python), one
for those rows and one for the versions before them; then one for which deleted records
are still gone, and one per kind of record a changed foreign key names (a mission, a
source), to show its name.
"""

from __future__ import annotations

import datetime
import heapq
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.urls import reverse

from mss_tracker.tracker.models import DeploymentEvent, FundingRecord, Mission, Pledge, Source

PER_PAGE = 50
KINDS: dict[str, type[models.Model]] = {
    "mission": Mission,
    "source": Source,
    "pledge": Pledge,
    "event": DeploymentEvent,
    "funding": FundingRecord,
}
ACTIONS = {"+": "added", "~": "changed", "-": "deleted"}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str
    related: type[models.Model] | None = None  # a foreign key's model, until it is named


@dataclass
class Change:
    kind: str
    version: models.Model  # the historical row
    action: str
    fields: list[FieldChange] = field(default_factory=list)
    record_url: str = ""
    restore_url: str = ""  # a deleted record's last version, to view and restore it

    @property
    def record(self) -> str:
        return str(self.version.instance)


def kinds_for(user: AbstractBaseUser) -> list[str]:
    """The kinds of record whose history `user` may read (their view permission)."""
    return [
        kind
        for kind, model in KINDS.items()
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]


def _history(
    kind: str, user_id: int | None, since: datetime.date | None, until: datetime.date | None
):
    rows = KINDS[kind].history.all()
    if user_id is not None:
        rows = rows.filter(history_user_id=user_id)
    if since is not None:
        rows = rows.filter(history_date__date__gte=since)
    if until is not None:
        rows = rows.filter(history_date__date__lte=until)
    return rows.order_by("-history_date", "-history_id")


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _field_changes(
    model: type[models.Model], before, after, related: dict[type, set]
) -> list[FieldChange]:
    """The fields that differ, before → after. A changed foreign key is noted in `related`
    (model → keys), for `_name_related` to show the records' names instead of their ids."""
    changes = []
    for tracked in model.history.model.tracked_fields:
        if not tracked.editable:
            continue
        old, new = getattr(before, tracked.attname), getattr(after, tracked.attname)
        if old != new:
            label = str(tracked.verbose_name)
            if tracked.is_relation:
                related.setdefault(tracked.related_model, set()).update({old, new} - {None})
                changes.append(FieldChange(label, old, new, tracked.related_model))
            else:
                changes.append(FieldChange(label, _shown(old), _shown(new)))
    return changes


def _name_related(changes: list[Change], related: dict[type, set]) -> None:
    """Show each changed foreign key as its record ("MSS (Multinational …)"), one query per
    kind of record named; a record deleted since shows its id."""
    names = {
        model: {pk: str(record) for pk, record in model.objects.in_bulk(keys).items()}
        for model, keys in related.items()
    }
    for change in changes:
        for field_change in change.fields:
            if field_change.related is None:
                continue
            known = names[field_change.related]
            for side in ("before", "after"):
                key = getattr(field_change, side)
                shown = "—" if key is None else known.get(key, f"#{key} (deleted)")
                setattr(field_change, side, shown)


def recent_changes(
    kinds: list[str],
    page: int = 1,
    user_id: int | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> tuple[list[Change], int]:
    """The changes on `page` (newest first) and how many there are in all."""
    total = 0
    keys = []
    wanted = page * PER_PAGE
    for kind in kinds:
        rows = _history(kind, user_id, since, until)
        total += rows.count()
        newest_of_kind = rows.values_list("history_date", "history_id")[:wanted]
        keys.append([(date, history_id, kind) for date, history_id in newest_of_kind])
    newest = heapq.merge(*keys, reverse=True)
    chosen = list(newest)[(page - 1) * PER_PAGE : wanted]

    changes: list[Change] = []
    related: dict[type, set] = {}
    for kind in kinds:
        ids = [history_id for _, history_id, k in chosen if k == kind]
        if ids:
            changes.extend(_changes_of(kind, ids, related))
    _name_related(changes, related)
    changes.sort(key=lambda c: (c.version.history_date, c.version.history_id), reverse=True)
    _link_deleted(changes)
    return changes, total


def _changes_of(kind: str, history_ids: list[int], related: dict[type, set]) -> list[Change]:
    model = KINDS[kind]
    versions = list(model.history.filter(history_id__in=history_ids).select_related("history_user"))
    record_ids = {version.id for version in versions}
    earlier: dict[int, list] = {}
    for older in model.history.filter(id__in=record_ids).order_by("history_date", "history_id"):
        earlier.setdefault(older.id, []).append(older)
    name = model._meta.model_name
    changes = []
    for version in versions:
        change = Change(kind=kind, version=version, action=ACTIONS[version.history_type])
        before = [
            older
            for older in earlier.get(version.id, [])
            if (older.history_date, older.history_id) < (version.history_date, version.history_id)
        ]
        if version.history_type == "~" and before:
            change.fields = _field_changes(model, before[-1], version, related)
        change.record_url = reverse(f"admin:tracker_{name}_history", args=[version.id])
        changes.append(change)
    return changes


def _link_deleted(changes: list[Change]) -> None:
    """A deletion of a record that is still gone links to the version that restores it."""
    deleted: dict[str, set[int]] = {}
    for change in changes:
        if change.action == "deleted":
            deleted.setdefault(change.kind, set()).add(change.version.id)
    if not deleted:
        return
    # One query for every kind: a union of (kind, key) rows. The annotation is not named
    # `kind`, which events and funding records have as a field (an annotation may not
    # shadow one).
    first, *others = [
        KINDS[kind]
        .objects.filter(pk__in=ids)
        .annotate(record_kind=models.Value(kind))
        .order_by()
        .values_list("record_kind", "pk")
        for kind, ids in deleted.items()
    ]
    # A union takes the first model's default ordering, whose columns it does not select:
    # order_by() again drops it.
    existing = set(first.union(*others, all=True).order_by() if others else first)
    for change in changes:
        if change.action == "deleted" and (change.kind, change.version.id) not in existing:
            name = KINDS[change.kind]._meta.model_name
            change.restore_url = reverse(
                f"admin:tracker_{name}_simple_history",
                args=[change.version.id, change.version.history_id],
            )
