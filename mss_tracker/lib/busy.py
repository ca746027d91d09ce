"""A write that finds the database busy (SQLite: another transaction holds its one write
lock, a big import for a minute): it waits DATABASE_BUSY_TIMEOUT seconds, then the page
says so (503, "try again"), never a 500. Writes that can wait for a later request (the
session's activity stamp, expiring old previews) are tried without waiting at all.

PostgreSQL locks rows, not the database: none of this applies there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def is_busy(error: BaseException) -> bool:
    """SQLite's answer to a write that waited its busy timeout for the lock."""
    return isinstance(error, OperationalError) and "database is locked" in str(error)


def if_free[T](write: Callable[[], T], wait_ms: int = 50) -> T | None:
    """`write()` if the database can take it now; None (nothing written) if SQLite's write
    lock is held. The write is its own transaction: nothing else is rolled back."""
    if connection.vendor != "sqlite":
        return write()
    if connection.in_atomic_block:  # inside someone's transaction: do not roll it back
        return write()
    connection.ensure_connection()
    usual_ms = int(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5) * 1000)
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
    try:
        with transaction.atomic():
            return write()
    except DatabaseError as error:
        if not is_busy(error):
            raise
        logger.info("database busy: a write that can wait was left for later")
        return None
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {usual_ms}")


class BusyDatabaseMiddleware:
    """A view whose write found the database busy answers 503 with a page that says what
    happened and that nothing was saved, and a Retry-After."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy(exception):
            return None
        logger.warning("database busy: %s %s answered 503", request.method, request.path)
        response = TemplateResponse(request, "busy.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response.render()
