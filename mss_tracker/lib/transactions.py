"""Run a block of writes for what it would do, then undo it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import models, transaction


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


def check_without_writing(instance: models.Model, write: Callable[[], object]) -> None:
    """Run `write` (a save or delete of the model `instance`) and undo it, raising what it
    raised (a ValidationError, an IntegrityError); the instance is left as it was."""
    pk, adding = instance.pk, instance._state.adding
    try:
        with rolled_back():
            write()
    finally:
        instance.pk, instance._state.adding = pk, adding
