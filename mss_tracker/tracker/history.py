"""Audit history for the writes that send no model signals.

django-simple-history records a model's save() and delete() through signals, with the
user that `HistoryRequestMiddleware` takes from the request: every admin add, change,
delete and "delete selected", and any `Model.save()` elsewhere. The CSV import writes in
bulk (`bulk_create`, COPY on PostgreSQL, `update()`), which sends no signals, so after
each bulk write it calls `record_history` with the ids it wrote.

`record_history` copies the rows as they are now stored into the historical table with
INSERT … SELECT: the history then holds exactly what the database holds (defaults
included), and a 100,000-row import builds no Python object per historical row.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, models
from django.utils import timezone

CREATED, CHANGED, DELETED = "+", "~", "-"  # simple-history's history_type values

_IDS_PER_STATEMENT = 500  # SQLite: well under its limit on query parameters


def record_history(
    model: type[models.Model],
    ids: Sequence[int],
    history_type: str,
    *,
    reason: str | None = None,
    user: AbstractBaseUser | None = None,
) -> None:
    """Add one historical row per id of `model`, with the row's current values, dated now.

    `history_type` is CREATED or CHANGED (a deleted row is gone: delete through the ORM,
    whose signals record it). Call it in the transaction of the write.
    """
    if history_type not in (CREATED, CHANGED):
        raise ValueError(f"history_type must be {CREATED!r} or {CHANGED!r}")
    if not ids:
        return
    history_model = model.history.model  # type: ignore[attr-defined]  # simple-history adds it
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in history_model.tracked_fields)
    extra = ", ".join(
        quote(history_model._meta.get_field(name).column)
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    )
    history_date = history_model._meta.get_field("history_date").get_db_prep_save(
        timezone.now(), connection
    )
    pk = quote(model._meta.pk.column)  # type: ignore[arg-type]  # a pk has a column
    insert = (
        f"INSERT INTO {quote(history_model._meta.db_table)} ({columns}, {extra}) "
        f"SELECT {columns}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} WHERE {pk} "
    )
    params = [history_date, reason, history_type, getattr(user, "pk", None)]
    with connection.cursor() as cursor:
        if _consecutive(ids):  # a bulk write's keys, drawn at once: one range scan
            cursor.execute(insert + f"BETWEEN %s AND %s ORDER BY {pk}", [*params, ids[0], ids[-1]])
            return
        if connection.vendor == "postgresql":
            cursor.execute(insert + f"= ANY(%s) ORDER BY {pk}", [*params, list(ids)])
            return
        for start in range(0, len(ids), _IDS_PER_STATEMENT):
            chunk = list(ids[start : start + _IDS_PER_STATEMENT])
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(insert + f"IN ({placeholders}) ORDER BY {pk}", [*params, *chunk])


def _consecutive(ids: Sequence[int]) -> bool:
    """Whether `ids` are n consecutive integers in ascending order (then no other row has
    a key between the first and the last)."""
    return len(ids) > 1 and list(ids) == list(range(ids[0], ids[0] + len(ids)))
