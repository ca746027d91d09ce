"""One row's cells read column by column: every problem recorded with its line and
column, none raised, so that an import reports all of a file's errors at once."""

from __future__ import annotations

import datetime
import functools
import re
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from mss_tracker.tracker.codes import iso3_country
from mss_tracker.tracker.csv.cells import strip_formula_guard
from mss_tracker.tracker.csv.errors import RowError
from mss_tracker.tracker.dates import DatePrecision, check_date_in_range, precision_error

MAX_PERSONNEL = 2_147_483_647  # PositiveIntegerField's upper bound on every database

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # ASCII digits, as in every date
SLUG = re.compile(r"^[a-z0-9-]+$")
_URL = URLValidator()

PRECISIONS = list(DatePrecision.values)  # once, not per row
SourceKey = tuple[str, str, str]  # (publisher, title, url): a Source's identity


@functools.cache
def is_country_code(iso3: str) -> bool:
    """A file repeats a few codes on every row: look each up once."""
    return iso3_country(iso3) is not None


class Row:
    """One row's cells, read column by column; every problem is recorded, none raised."""

    def __init__(self, line: int, cells: dict[str, str], errors: list[RowError]) -> None:
        self.line = line
        self.cells = cells
        self.errors = errors
        self.valid = True

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
        return value

    def choice(self, column: str, choices: list[str]) -> str | None:
        value = self.raw(column).strip().lower()
        if value not in choices:
            shown = f"'{value}'" if value else "empty"
            self.error(column, f"{shown} is not allowed; expected one of {', '.join(choices)}.")
            return None
        return value

    def date(self, column: str, required: bool = True) -> datetime.date | None:
        value = self.raw(column).strip()
        if not value:
            if required:
                self.error(column, "is empty; expected a date written YYYY-MM-DD.")
            return None
        try:
            if not _DATE.match(value):
                raise ValueError
            day = datetime.date.fromisoformat(value)
        except ValueError:
            self.error(column, f"'{value}' is not a real calendar date written YYYY-MM-DD.")
            return None
        try:
            check_date_in_range(day)  # the range every date of the tracker is in
        except ValueError as error:
            self.error(column, f"{error}.")
            return None
        return day

    def integer(
        self, column: str, minimum: int, required: bool = True, what: str = "a whole number"
    ) -> int | None:
        value = self.raw(column).strip()
        if not value:
            if required:
                self.error(column, f"is empty; expected {what} of at least {minimum}.")
            return None
        # ASCII digits, and few enough for int(): '١٢' and a 5,000-digit number are not.
        number = int(value) if re.fullmatch(r"[+-]?[0-9]{1,18}", value) else None
        if number is None:
            self.error(column, f"'{value}' is not a whole number; expected {what}.")
            return None
        if number < minimum or number > MAX_PERSONNEL:
            self.error(
                column,
                f"{number} is out of range; expected {what} from {minimum} to {MAX_PERSONNEL:,}.",
            )
            return None
        return number

    def boolean(self, column: str) -> bool | None:
        value = self.raw(column).strip().lower()
        if value in ("true", "false"):
            return value == "true"
        self.error(column, f"'{value}' is not allowed; expected true or false.")
        return None

    def country(self, column: str, required: bool = True) -> str | None:
        value = self.raw(column).strip().upper()
        if not value:
            if required:
                self.error(column, "is empty; expected an ISO 3166-1 alpha-3 code such as KEN.")
            return None
        if len(value) != 3 or not is_country_code(value):
            self.error(
                column, f"'{value}' is not an ISO 3166-1 alpha-3 country code (e.g. KEN, HTI)."
            )
            return None
        return value

    def precise_date(self) -> tuple[datetime.date | None, str | None]:
        """`date` and `date_precision`, checked against each other."""
        day = self.date("date")
        precision = self.choice("date_precision", PRECISIONS)
        error = day and precision and precision_error(day, precision)
        if error:
            self.error("date", error)
        return day, precision

    def source(self, required: bool = True) -> tuple[SourceKey, datetime.date | None] | None:
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
        if url:
            try:
                _URL(url)
            except ValidationError:
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
