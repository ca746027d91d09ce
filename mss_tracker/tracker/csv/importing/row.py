"""One row's cells read column by column: every problem recorded with its line and
column, none raised, so that an import reports all of a file's errors at once."""

from __future__ import annotations

import datetime
import functools
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from mss_tracker.tracker.codes import iso3_country
from mss_tracker.tracker.csv.importing.errors import RowError
from mss_tracker.tracker.csv.spec.cells import strip_formula_guard
from mss_tracker.tracker.dates import DatePrecision, parse_date, precision_error
from mss_tracker.tracker.text import control_character_problem

MAX_PERSONNEL = 2_147_483_647  # PositiveIntegerField's upper bound on every database

_NUMBER = re.compile(r"[+-]?[0-9]{1,18}")
SLUG = re.compile(r"^[a-z0-9-]+$")
_URL = URLValidator()

PRECISIONS = list(DatePrecision.values)  # once, not per row
SourceKey = tuple[str, str, str]  # (publisher, title, url): a Source's identity


@functools.lru_cache(maxsize=4096)
def is_web_address(url: str) -> bool:
    """A file cites a few sources on many rows: check each address once."""
    try:
        _URL(url)
    except ValidationError:
        return False
    return True


@functools.cache
def is_country_code(iso3: str) -> bool:
    """A file repeats a few codes on every row: look each up once."""
    return iso3_country(iso3) is not None


MEMO_SIZE = 10_000  # distinct values remembered per column and reading


class Row:
    """One row's cells, read column by column; every problem is recorded, none raised.

    The rows of one file share `memo`: what a cell reads as (its value, or the problem
    with it) depends on its text alone, and a file repeats the same dates, codes, kinds
    and numbers on row after row, so each distinct text of a column is read once."""

    def __init__(
        self,
        line: int,
        cells: dict[str, str],
        errors: list[RowError],
        memo: dict[tuple, dict[str, tuple]] | None = None,
    ) -> None:
        self.line = line
        self.cells = cells
        self.errors = errors
        self.valid = True
        self.memo = {} if memo is None else memo

    def _read(self, column: str, how: tuple, read: Callable[..., tuple[Any, str | None]]):
        """`read(text, *how)` of this row's cell, (value, problem), remembered by text."""
        known = self.memo.get((column, how))
        if known is None:
            known = self.memo[(column, how)] = {}
        text = self.cells[column]
        try:
            value, problem = known[text]
        except KeyError:
            value, problem = read(strip_formula_guard(text), *how)
            if len(known) < MEMO_SIZE:
                known[text] = (value, problem)
        if problem is not None:
            self.error(column, problem)
        return value

    def error(self, column: str | None, message: str) -> None:
        self.valid = False
        self.errors.append(RowError(self.line, column, message))

    def raw(self, column: str) -> str:
        return strip_formula_guard(self.cells[column])

    def text(self, column: str, max_length: int | None = None, required: bool = False) -> str:
        value = self.raw(column)
        if required and not value.strip():
            self.error(column, "is empty; a value is required.")
        elif max_length is not None and len(value) > max_length:
            self.error(column, f"is {len(value)} characters long; at most {max_length} fit.")
        elif problem := control_character_problem(value):
            self.error(column, problem)  # the models' rule (tracker/text.py)
        return value

    def choice(self, column: str, choices: list[str]) -> str | None:
        return self._read(column, (tuple(choices),), _choice)

    def date(self, column: str, required: bool = True) -> datetime.date | None:
        return self._read(column, (required,), _date)

    def integer(
        self,
        column: str,
        minimum: int,
        required: bool = True,
        what: str = "a whole number",
        maximum: int = MAX_PERSONNEL,
    ) -> int | None:
        return self._read(column, (minimum, required, what, maximum), _integer)

    def boolean(self, column: str) -> bool | None:
        return self._read(column, (), _boolean)

    def country(self, column: str, required: bool = True) -> str | None:
        return self._read(column, (required,), _country)

    def precise_date(self) -> tuple[datetime.date | None, str | None]:
        """`date` and `date_precision`, checked against each other."""
        day = self.date("date")
        precision = self.choice("date_precision", PRECISIONS)
        error = day and precision and precision_error(day, precision)
        if error:
            self.error("date", error)
        return day, precision

    def source(self, required: bool = True) -> tuple[SourceKey, datetime.date | None] | None:
        """The cited source's identity and date. A file cites a few sources on many rows:
        a source read without a problem is remembered by its four cells."""
        cells = self.cells
        texts = (
            cells["source_publisher"],
            cells["source_title"],
            cells["source_url"],
            cells["source_date"],
            required,
        )
        known = self.memo.setdefault(("source",), {})
        if texts in known:
            return known[texts]
        errors_before = len(self.errors)
        source = self._source(required)
        if len(self.errors) == errors_before and len(known) < MEMO_SIZE:
            known[texts] = source
        return source

    def _source(self, required: bool) -> tuple[SourceKey, datetime.date | None] | None:
        publisher = self.text("source_publisher", 200)
        title = self.text("source_title", 500)
        url = self.text("source_url", 1000).strip()
        published_on = self.date("source_date", required=False)
        if not publisher.strip():
            if required:
                self.error("source_publisher", "is empty; every figure must cite its source.")
            elif title or url or published_on:
                self.error(
                    "source_publisher",
                    "is empty although other source columns are filled; name the publisher.",
                )
            return None
        if url and not is_web_address(url):
            self.error("source_url", f"'{url}' is not a web address (https://…).")
        return (publisher, title, url), published_on

    def record_id(self) -> uuid.UUID | None:
        """The `id` column: the UUID of the record the row is, or None when blank or absent."""
        value = self.cells.get("id", "").strip()
        if not value:
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            self.error(
                "id",
                f"'{value}' is not a record id (a UUID as exported, such as "
                "0b8e5f0c-3c2a-4f7e-9a51-6c1d2e3f4a5b); leave it blank for a new record.",
            )
            return None


# What each kind of cell reads as: (value, None) or (None, the problem), from its text
# (formula guard removed). Pure, so that `Row._read` can remember them.


def _choice(text: str, choices: tuple[str, ...]) -> tuple[str | None, str | None]:
    value = text.strip().lower()
    for choice in choices:
        if value == choice:
            return choice, None
    shown = f"'{value}'" if value else "empty"
    return None, f"{shown} is not allowed; expected one of {', '.join(choices)}."


def _date(text: str, required: bool) -> tuple[datetime.date | None, str | None]:
    value = text.strip()
    if not value:
        return None, ("is empty; expected a date written YYYY-MM-DD." if required else None)
    try:
        return parse_date(value), None  # the one date rule (forms and filters too)
    except ValueError as error:
        return None, f"{error}."


def _integer(
    text: str, minimum: int, required: bool, what: str, maximum: int
) -> tuple[int | None, str | None]:
    value = text.strip()
    if not value:
        return None, (f"is empty; expected {what} of at least {minimum}." if required else None)
    # ASCII digits, and few enough for int(): '١٢' and a 5,000-digit number are not.
    number = int(value) if _NUMBER.fullmatch(value) else None
    if number is None:
        return None, f"'{value}' is not a whole number; expected {what}."
    if number < minimum or number > maximum:
        return None, f"{number} is out of range; expected {what} from {minimum} to {maximum:,}."
    return number, None


def _boolean(text: str) -> tuple[bool | None, str | None]:
    value = text.strip().lower()
    if value in ("true", "false"):
        return value == "true", None
    return None, f"'{value}' is not allowed; expected true or false."


def _country(text: str, required: bool) -> tuple[str | None, str | None]:
    value = text.strip().upper()
    if not value:
        return None, (
            "is empty; expected an ISO 3166-1 alpha-3 code such as KEN." if required else None
        )
    if len(value) != 3 or not is_country_code(value):
        return None, f"'{value}' is not an ISO 3166-1 alpha-3 country code (e.g. KEN, HTI)."
    return value, None
