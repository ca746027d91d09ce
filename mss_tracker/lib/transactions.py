"""Run a block of writes for what it would do, then undo it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


class _Undo(Exception):
    pass


@contextmanager
def rolled_back(using: str | None = None) -> Iterator[None]:
    """Run the block in a savepoint and roll it back, whatever it wrote.

    What the block raises (an IntegrityError, a ValidationError from a check that only
    the database can make) comes out after the rollback, so a form or a dry run can
    report it with nothing stored.
    """
    try:
        with transaction.atomic(using=using):
            yield
            raise _Undo
    except _Undo:
        pass
