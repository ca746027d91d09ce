"""CSV import and export in the one format of DESIGN.md ("CSV").

Export: `event_rows`, `pledge_rows`, `mission_rows` and `summary_rows` yield one list of
cells per record, read from a database iterator (a server-side cursor on PostgreSQL), and
`csv_chunks` turns them into text a few hundred lines at a time, so an export of any size
streams in flat memory. Text cells are made formula-safe (`formula_safe`).

Import: `import_csv(kind, data)` reads a whole file, checks every row against the
database and reports every problem as "line N, column X: what is wrong and what is
expected". Only when the whole file is valid does it write, in one transaction: new
countries, sources and rows with `bulk_create`, then one `rebuild_timelines()` for every
timeline touched, whose `NegativeStrength` is reported as an error of the line that
caused it and rolls everything back. Rows already in the database are recognised and
counted as present, never duplicated, so importing a file that was just exported
changes nothing. The `import_csv` command, the admin's "Import CSV" and
`load_sample_data` all go through this one function.

Every row it creates or changes gets an audit history row (`history.record_history`,
since bulk writes send no signals) whose reason names the file ("CSV import:
events.csv") and whose user is the one who uploaded it (none for the commands).

When is a row "already present"?

- a mission: same slug and every column equal; same slug with other values is an error.
- a pledge: same (mission, country, type, date) and equal personnel, precision,
  disputed flag, notes and source; the same key with other values is an error (DESIGN:
  one pledge per date; a second one is a duplicate to correct).
- an event: same (mission, country, type, date, event, personnel, source) (the
  database's "no exact duplicate" key) and equal precision, disputed flag and notes;
  other values are an error, and so is a second strength report on the same date.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from mss_tracker.tracker.dates import DatePrecision
from mss_tracker.tracker.figures import country_figures, percent_of_pledge
from mss_tracker.tracker.history import CHANGED, CREATED, record_history
from mss_tracker.tracker.models import (
    ALL_TYPES,
    Country,
    DeploymentEvent,
    EventKind,
    Mission,
    PersonnelType,
    Pledge,
    Source,
)
from mss_tracker.tracker.timelines import NegativeStrength, lock_mission, rebuild_timelines

# fmt: off
EVENT_COLUMNS = [
    "date", "date_precision", "mission", "country_iso3", "country", "event", "personnel_type",
    "personnel", "disputed", "source_publisher", "source_title", "source_url", "source_date",
    "notes",
]
PLEDGE_COLUMNS = [
    "date", "date_precision", "mission", "country_iso3", "country", "personnel_type",
    "personnel", "disputed", "source_publisher", "source_title", "source_url", "source_date",
    "notes",
]
MISSION_COLUMNS = [
    "slug", "acronym", "name", "host_country_iso3", "lead_country_iso3", "authorized_by",
    "authorized_on", "start_date", "end_date", "authorized_ceiling", "successor_slug",
    "source_publisher", "source_title", "source_url", "source_date", "notes",
]
SUMMARY_COLUMNS = [
    "mission", "country_iso3", "country", "personnel_type", "pledged", "deployed", "gap",
    "percent_of_pledge", "fatalities", "first_arrival", "last_event", "as_of",
]

# The model fields behind each column, in column order (exports).
_SOURCE = ("source__publisher", "source__title", "source__url", "source__published_on")
_EVENT_FIELDS = (
    "date", "date_precision", "mission__slug", "country_id", "country__name", "kind",
    "personnel_type", "personnel", "disputed", *_SOURCE, "notes",
)
_PLEDGE_FIELDS = (
    "date", "date_precision", "mission__slug", "country_id", "country__name",
    "personnel_type", "personnel", "disputed", *_SOURCE, "notes",
)
_MISSION_FIELDS = (
    "slug", "acronym", "name", "host_country_id", "lead_country_id", "authorized_by",
    "authorized_on", "start_date", "end_date", "authorized_ceiling", "successor__slug",
    *_SOURCE, "notes",
)
# fmt: on

COLUMNS = {"missions": MISSION_COLUMNS, "pledges": PLEDGE_COLUMNS, "events": EVENT_COLUMNS}
KINDS = tuple(COLUMNS)  # the files `import_csv` takes, in the order they depend on each other

SAMPLE_DATA_DIR = Path(__file__).resolve().parent / "sample_data"

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
GUARD = "'"

MAX_PERSONNEL = 2_147_483_647  # PositiveIntegerField's upper bound on every database
EXPORT_CHUNK_ROWS = 2000  # rows per database fetch and per streamed chunk of text
BULK_BATCH = 2000
PROGRESS_THRESHOLD = 5000  # files with more rows than this show a progress bar


# --- Formula safety --------------------------------------------------------------------------


def _needs_guard(text: str) -> bool:
    # Quotes already in front count too, so that `'=x` survives a round trip as `'=x`.
    return text.lstrip(GUARD).startswith(FORMULA_TRIGGERS)


def formula_safe(text: str) -> str:
    """`text` with a leading ' if a spreadsheet would otherwise read it as a formula."""
    return GUARD + text if _needs_guard(text) else text


def strip_formula_guard(text: str) -> str:
    """Undo `formula_safe`: remove exactly the one ' it added, and nothing else."""
    if text.startswith(GUARD) and _needs_guard(text[1:]):
        return text[1:]
    return text


# --- Export ----------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return formula_safe(value)
    return str(value)


def _date_cell(value: datetime.date | str | None) -> str:
    """A date computed by a subquery (SQLite may hand it back as ISO text)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else value.isoformat()


def event_rows(events: QuerySet[DeploymentEvent]) -> Iterator[list[str]]:
    """The cells of `events` in EVENT_COLUMNS order, oldest first, streamed from the DB."""
    rows = events.order_by(
        "date", "country_id", "personnel_type", "kind", "personnel", *_SOURCE[:3], "pk"
    ).values_list(*_EVENT_FIELDS)
    for row in rows.iterator(chunk_size=EXPORT_CHUNK_ROWS):
        yield [_cell(value) for value in row]


def pledge_rows(pledges: QuerySet[Pledge]) -> Iterator[list[str]]:
    """The cells of `pledges` in PLEDGE_COLUMNS order, oldest first, streamed from the DB."""
    rows = pledges.order_by(
        "date", "country_id", "personnel_type", "mission__slug", "pk"
    ).values_list(*_PLEDGE_FIELDS)
    for row in rows.iterator(chunk_size=EXPORT_CHUNK_ROWS):
        yield [_cell(value) for value in row]


def mission_rows(missions: QuerySet[Mission]) -> Iterator[list[str]]:
    """The cells of `missions` in MISSION_COLUMNS order."""
    rows = missions.order_by("start_date", "slug").values_list(*_MISSION_FIELDS)
    for row in rows.iterator(chunk_size=EXPORT_CHUNK_ROWS):
        yield [_cell(value) for value in row]


def summary_rows(
    mission: Mission, as_of: datetime.date, personnel_type: str | None = None
) -> Iterator[list[str]]:
    """The dashboard table in SUMMARY_COLUMNS order: `figures.country_figures`, as CSV.

    `as_of` is the effective date (already clamped by `Mission.effective_as_of`). The
    numbers are the ones the page shows: no arithmetic here beyond `percent_of_pledge`.
    """
    for country in country_figures(mission, as_of, personnel_type):
        yield [
            _cell(mission.slug),
            _cell(country.iso3),
            _cell(country.name),
            personnel_type or ALL_TYPES,
            _cell(country.pledged),
            _cell(country.deployed),
            _cell(country.gap),
            _cell(percent_of_pledge(country.deployed, country.pledged)),
            _cell(country.fatalities),
            _date_cell(country.first_arrival),
            _date_cell(country.last_event),
            as_of.isoformat(),
        ]


class _Echo:
    """A file-like object whose write() hands the written text back (for csv.writer)."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(
    columns: list[str], rows: Iterable[list[str]], chunk_rows: int = 500
) -> Iterator[str]:
    """The CSV text (RFC 4180, CRLF line ends) of a header and rows, a few hundred lines
    per chunk: small enough to keep memory flat, large enough not to flood the socket."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    chunk = [writer.writerow(columns)]
    for row in rows:
        chunk.append(writer.writerow(row))
        if len(chunk) >= chunk_rows:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def export_text(kind: str, queryset: QuerySet) -> str:
    """A whole missions, pledges or events file as one string (tests, small exports)."""
    rows = {"missions": mission_rows, "pledges": pledge_rows, "events": event_rows}[kind]
    return "".join(csv_chunks(COLUMNS[kind], rows(queryset)))


# --- Import: results and errors --------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.line is not None and self.column:
            return f"line {self.line}, column {self.column}: {self.message}"
        if self.line is not None:
            return f"line {self.line}: {self.message}"
        return self.message


@dataclass
class ImportResult:
    """What an import found and did. `new_lines` are the rows it creates (or would create
    on a dry run or a preview), `present_lines` those already in the database."""

    kind: str
    dry_run: bool = False
    rows: int = 0
    new_lines: list[int] = field(default_factory=list)
    present_lines: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return len(self.new_lines) if self.written else 0

    def summary(self) -> str:
        if self.errors:
            count = len(self.errors)
            return (
                f"{self.kind}: {count} error{'s' if count != 1 else ''} in {self.rows} rows; "
                "nothing was written."
            )
        verb = "would be created" if self.dry_run else "created"
        return (
            f"{self.kind}: {self.rows} rows, {len(self.new_lines)} {verb}, "
            f"{len(self.present_lines)} already present."
        )


class CsvFileError(Exception):
    """The file as a whole cannot be read (size, encoding, header)."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


Progress = Callable[[Iterable, int, str], Iterable]


def _no_progress(items: Iterable, total: int, description: str) -> Iterable:
    return items


# --- Import: reading the file ----------------------------------------------------------------


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def check_size(size: int) -> None:
    """Refuse a file over settings.CSV_IMPORT_MAX_BYTES, saying the limit."""
    limit = settings.CSV_IMPORT_MAX_BYTES
    if size > limit:
        raise CsvFileError(
            [
                RowError(
                    None,
                    None,
                    f"The file is {_megabytes(size)} ({size:,} bytes), over the limit of "
                    f"{_megabytes(limit)} ({limit:,} bytes, setting CSV_IMPORT_MAX_BYTES): "
                    "split it into smaller files.",
                )
            ]
        )


_ENCODING_NAMES = {
    "cp1252": "Windows-1252 (Western European)",
    "windows-1252": "Windows-1252 (Western European)",
    "latin_1": "Latin-1 (ISO-8859-1)",
    "iso8859_1": "Latin-1 (ISO-8859-1)",
    "iso-8859-1": "Latin-1 (ISO-8859-1)",
    "mac_roman": "Mac Roman",
    "utf_16": "UTF-16",
    "utf_16_le": "UTF-16",
    "utf_16_be": "UTF-16",
}


def _guess_encoding(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        return "an unknown encoding (perhaps binary data, not text)"
    name = best.encoding
    return _ENCODING_NAMES.get(name.lower(), name.replace("_", "-").upper())


def decode_csv(data: bytes) -> str:
    """The text of a CSV file: UTF-8, with or without a byte-order mark, and nothing else."""
    if not data.strip():
        raise CsvFileError([RowError(None, None, "The file is empty: expected a header row.")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvFileError(
            [
                RowError(
                    line,
                    None,
                    f"the file is not UTF-8; it looks like {_guess_encoding(data)}. Save it "
                    "as UTF-8 (in Excel: CSV UTF-8; in LibreOffice: character set Unicode "
                    "(UTF-8)) and import it again.",
                )
            ]
        ) from None


def _header_errors(kind: str, header: list[str]) -> list[RowError]:
    expected = COLUMNS[kind]
    errors = []
    seen = set()
    for name in header:
        if name in seen:
            errors.append(RowError(1, name or "(blank)", "this column appears twice."))
        seen.add(name)
        if name not in expected:
            errors.append(
                RowError(
                    1,
                    name or "(blank)",
                    f"unknown column; {kind}.csv has the columns {','.join(expected)}.",
                )
            )
    missing = [name for name in expected if name not in seen]
    if missing:
        errors.append(
            RowError(
                1,
                None,
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                f"{kind}.csv has the columns {','.join(expected)}.",
            )
        )
    if errors:
        for other, columns in COLUMNS.items():
            if other != kind and set(header) == set(columns):
                errors.append(
                    RowError(
                        1,
                        None,
                        f"this header is the one of {other}.csv: import it as {other}, not {kind}.",
                    )
                )
    return errors


def read_rows(kind: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, cells by column) of every non-blank row; CsvFileError if the file
    cannot be read. A row's line number is the physical line where it starts."""
    if kind not in COLUMNS:
        raise ValueError(f"unknown CSV kind {kind!r}; expected one of {', '.join(KINDS)}")
    check_size(len(data))
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    errors: list[RowError] = []
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error as exc:
        raise CsvFileError(
            [RowError(1, None, f"the header row is not valid CSV: {exc}.")]
        ) from None
    header_errors = _header_errors(kind, header)
    if header_errors:
        raise CsvFileError(header_errors)
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(
                RowError(
                    line,
                    None,
                    f"not valid CSV ({exc}); a value containing commas, quotes or line "
                    'breaks must be enclosed in double quotes, with each " inside written ""',
                )
            )
            break  # the reader cannot find the start of the next row reliably
        if any(cell.strip() for cell in cells):
            if len(cells) != len(header):
                errors.append(
                    RowError(
                        line,
                        None,
                        f"{len(cells)} values, expected {len(header)} (one per column of the "
                        "header); check for an unquoted comma or a missing quote.",
                    )
                )
            else:
                rows.append((line, dict(zip(header, cells, strict=True))))
        line = reader.line_num + 1
    if errors:
        raise CsvFileError(errors)
    return rows


# --- Import: reading one row -----------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLUG = re.compile(r"^[a-z0-9-]+$")
_URL = URLValidator()

SourceKey = tuple[str, str, str]  # (publisher, title, url): a Source's identity


class _Row:
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
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.error(column, f"'{value}' is not a real calendar date written YYYY-MM-DD.")
            return None

    def integer(
        self, column: str, minimum: int, required: bool = True, what: str = "a whole number"
    ) -> int | None:
        value = self.raw(column).strip()
        if not value:
            if required:
                self.error(column, f"is empty; expected {what} of at least {minimum}.")
            return None
        number = int(value) if re.fullmatch(r"[+-]?\d+", value) else None
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
        if len(value) != 3 or pycountry.countries.get(alpha_3=value) is None:
            self.error(
                column, f"'{value}' is not an ISO 3166-1 alpha-3 country code (e.g. KEN, HTI)."
            )
            return None
        return value

    def precise_date(self) -> tuple[datetime.date | None, str | None]:
        """`date` and `date_precision`, checked against each other."""
        day = self.date("date")
        precision = self.choice("date_precision", list(DatePrecision.values))
        if day and precision == DatePrecision.MONTH and day.day != 1:
            self.error(
                "date",
                f"{day.isoformat()} has month precision, so it must be the 1st of the month "
                f"({day.replace(day=1).isoformat()}).",
            )
        if day and precision == DatePrecision.YEAR and (day.day, day.month) != (1, 1):
            self.error(
                "date",
                f"{day.isoformat()} has year precision, so it must be 1 January "
                f"({day.replace(day=1, month=1).isoformat()}).",
            )
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


# --- Import: the database side ---------------------------------------------------------------


class _Sources:
    """Sources by (publisher, title, url): found in the database or created on first use."""

    def __init__(self) -> None:
        self.wanted: dict[SourceKey, tuple[int, datetime.date | None]] = {}  # key → line, date
        self.known: dict[SourceKey, tuple[int, datetime.date | None]] = {}  # key → pk, date
        self.ids: dict[SourceKey, int] = {}

    def note(self, row: _Row, key: SourceKey, published_on: datetime.date | None) -> None:
        first = self.wanted.get(key)
        if first is None or (first[1] is None and published_on is not None):
            self.wanted[key] = (row.line, published_on)
        elif published_on is not None and published_on != first[1]:
            row.error(
                "source_date",
                f"{published_on.isoformat()} differs from {first[1].isoformat()} given for "
                f"the same source (publisher, title and URL) on line {first[0]}.",
            )

    def load(self) -> None:
        publishers = sorted({key[0] for key in self.wanted})
        for start in range(0, len(publishers), 500):
            for pk, publisher, title, url, published_on in Source.objects.filter(
                publisher__in=publishers[start : start + 500]
            ).values_list("pk", "publisher", "title", "url", "published_on"):
                if (publisher, title, url) in self.wanted:
                    self.known[(publisher, title, url)] = (pk, published_on)

    def check_dates(self, errors: list[RowError]) -> None:
        for key, (line, published_on) in self.wanted.items():
            known = self.known.get(key)
            if known and known[1] and published_on and known[1] != published_on:
                errors.append(
                    RowError(
                        line,
                        "source_date",
                        f"{published_on.isoformat()} differs from the recorded date "
                        f"{known[1].isoformat()} of this source ({key[0]}); correct one of them.",
                    )
                )

    def write(self, reason: str, user: AbstractBaseUser | None) -> None:
        """Create the new sources and fill in a missing published date; remember every id."""
        new = [
            Source(publisher=key[0], title=key[1], url=key[2], published_on=published_on)
            for key, (_line, published_on) in self.wanted.items()
            if key not in self.known
        ]
        for source in Source.objects.bulk_create(new, batch_size=BULK_BATCH):
            self.ids[(source.publisher, source.title, source.url)] = source.pk
        record_history(Source, [source.pk for source in new], CREATED, reason=reason, user=user)
        dated = []
        for key, (pk, published_on) in self.known.items():
            self.ids[key] = pk
            date_in_file = self.wanted[key][1]
            if published_on is None and date_in_file is not None:
                Source.objects.filter(pk=pk).update(published_on=date_in_file)
                dated.append(pk)
        record_history(Source, dated, CHANGED, reason=reason, user=user)

    def is_new(self, key: SourceKey) -> bool:
        return key not in self.known


def _ensure_countries(codes: Iterable[str]) -> None:
    codes = set(codes)
    existing = set(Country.objects.filter(iso3__in=codes).values_list("iso3", flat=True))
    for code in sorted(codes - existing):
        Country.objects.get_or_create_from_iso3(code)


def _missions_by_slug(rows: list[_Row]) -> dict[str, tuple[int, str]]:
    slugs = {row.raw("mission").strip().lower() for row in rows}
    return {
        slug: (pk, acronym)
        for pk, slug, acronym in Mission.objects.filter(slug__in=slugs).values_list(
            "pk", "slug", "acronym"
        )
    }


def _mission(row: _Row, missions: dict[str, tuple[int, str]]) -> int | None:
    slug = row.raw("mission").strip().lower()
    if slug in missions:
        return missions[slug][0]
    if not slug:
        row.error("mission", "is empty; expected the slug of a recorded mission, e.g. mss.")
    else:
        known = ", ".join(sorted(Mission.objects.values_list("slug", flat=True))) or "none yet"
        row.error(
            "mission",
            f"no mission has the slug '{slug}' (recorded missions: {known}); "
            "import it first with missions.csv.",
        )
    return None


def _differences(pairs: dict[str, tuple[Any, Any]]) -> str:
    """'personnel 1000 in the database, 900 in the file; …' for the columns that differ."""
    shown = []
    for column, (recorded, given) in pairs.items():
        if recorded != given:
            shown.append(
                f"{column} {_cell(recorded) or '(empty)'} recorded, "
                f"{_cell(given) or '(empty)'} in the file"
            )
    return "; ".join(shown)


# --- Import: one importer per kind -----------------------------------------------------------


class _Importer:
    def __init__(
        self,
        result: ImportResult,
        progress: Progress,
        reason: str,
        user: AbstractBaseUser | None,
    ) -> None:
        self.result = result
        self.progress = progress
        self.errors = result.errors
        self.reason = reason  # of the audit history: "CSV import: <file name>"
        self.user = user

    def plan(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        raise NotImplementedError

    def write(self) -> None:
        raise NotImplementedError

    def _bulk_create(self, model, objects: list) -> None:
        """Insert `objects` and their audit history (no save() signals or timeline
        rebuild: the caller does that).

        On PostgreSQL with COPY, which is several times faster than INSERT for a large file
        (the statement is not built in Python, the server parses no SQL per row); elsewhere
        with bulk_create. Constraints are checked the same either way. COPY returns no ids,
        so the ids are drawn from the table's sequence first and written with the rows:
        the history then copies exactly these rows, whatever other sessions insert.
        """
        batches = range(0, len(objects), BULK_BATCH)
        batches = self.progress(batches, len(batches), f"writing {self.result.kind}")
        if connection.vendor != "postgresql":
            for start in batches:
                model.objects.bulk_create(objects[start : start + BULK_BATCH])
        else:
            self._copy(model, objects, batches)
        ids = [obj.pk for obj in objects]
        record_history(model, ids, CREATED, reason=self.reason, user=self.user)

    @staticmethod
    def _copy(model, objects: list, batches: Iterable[int]) -> None:
        pk = model._meta.pk
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk.column, len(objects)],
            )
            for obj, (pk_value,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = pk_value
        fields = model._meta.concrete_fields
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(copy_sql) as copy,
        ):
            for start in batches:
                for obj in objects[start : start + BULK_BATCH]:
                    # pre_save, as Django's INSERT does: it fills the automatic fields
                    # (an event's recorded_at and updated_at).
                    copy.write_row(
                        [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                    )


class _DatedImporter(_Importer):
    """What pledges and events share: mission, country, type, dates, flags and source."""

    def read_common(self, row: _Row, missions: dict[str, tuple[int, str]]) -> dict | None:
        mission_id = _mission(row, missions)
        country = row.country("country_iso3")
        day, precision = row.precise_date()
        personnel_type = row.choice("personnel_type", list(PersonnelType.values))
        disputed = row.boolean("disputed")
        source = row.source()
        notes = row.text("notes")
        if source is not None:
            self.sources.note(row, *source)
        if not row.valid:
            return None
        return {
            "mission_id": mission_id,
            "country_id": country,
            "personnel_type": personnel_type,
            "date": day,
            "date_precision": precision,
            "disputed": disputed,
            "notes": notes,
            "source": source[0],
        }

    def prepare(self, rows: list[tuple[int, dict[str, str]]]) -> list[_Row]:
        self.sources = _Sources()
        return [_Row(line, cells, self.errors) for line, cells in rows]

    def instances(self, model) -> list:
        _ensure_countries({record["country_id"] for _line, record in self.new})
        self.sources.write(self.reason, self.user)
        for mission_id in sorted({record["mission_id"] for _line, record in self.new}):
            lock_mission(mission_id)
        objects = []
        for _line, record in self.new:
            values = dict(record)
            values["source_id"] = self.sources.ids[values.pop("source")]
            objects.append(model(**values))
        return objects


class _PledgeImporter(_DatedImporter):
    def plan(self, rows):
        parsed = self.prepare(rows)
        missions = _missions_by_slug(parsed)
        records = []
        for row in self.progress(parsed, len(parsed), "checking pledges"):
            record = self.read_common(row, missions)
            personnel = row.integer(
                "personnel", 0, required=False, what="a whole number of personnel (or empty)"
            )
            if record is not None and row.valid:
                record["personnel"] = personnel
                records.append((row, record))
        self.sources.load()
        self.sources.check_dates(self.errors)
        recorded = {}
        scope = Pledge.objects.filter(
            mission_id__in={record["mission_id"] for _row, record in records},
            country_id__in={record["country_id"] for _row, record in records},
        ).values_list(
            *("mission_id", "country_id", "personnel_type", "date", "personnel"),
            *("date_precision", "disputed", "notes", *_SOURCE[:3]),
        )
        for mission_id, country, ptype, day, *values in scope.iterator(chunk_size=5000):
            recorded[(mission_id, country, ptype, day)] = (*values[:4], tuple(values[4:]))
        seen: dict[tuple, tuple[int, tuple]] = {}
        self.new = []
        for row, record in records:
            key = (
                record["mission_id"],
                record["country_id"],
                record["personnel_type"],
                record["date"],
            )
            values = (
                record["personnel"],
                record["date_precision"],
                record["disputed"],
                record["notes"],
                record["source"],
            )
            what = f"{record['country_id']} {record['personnel_type']} on {key[3].isoformat()}"
            if key in seen:
                line, first = seen[key]
                row.error(
                    None,
                    f"repeats line {line} (the same pledge)"
                    if first == values
                    else f"line {line} already has a pledge for {what}; a mission has one "
                    "pledge per country, type and date: keep one of the two rows.",
                )
                continue
            seen[key] = (row.line, values)
            if key not in recorded:
                self.new.append((row.line, record))
            elif recorded[key] == values:
                self.result.present_lines.append(row.line)
            else:
                old = recorded[key]
                diff = _differences(
                    {
                        "personnel": (old[0], values[0]),
                        "date_precision": (old[1], values[1]),
                        "disputed": (old[2], values[2]),
                        "notes": (old[3], values[3]),
                        "source": (
                            " / ".join(filter(None, old[4])),
                            " / ".join(filter(None, values[4])),
                        ),
                    }
                )
                row.error(
                    "personnel" if old[0] != values[0] else None,
                    f"a different pledge for {what} is already recorded ({diff}); "
                    "correct that one in the admin instead of adding a second.",
                )
        self.result.new_lines = [line for line, _record in self.new]

    def write(self):
        self._bulk_create(Pledge, self.instances(Pledge))


class _EventImporter(_DatedImporter):
    def plan(self, rows):
        parsed = self.prepare(rows)
        missions = _missions_by_slug(parsed)
        records = []
        for row in self.progress(parsed, len(parsed), "checking events"):
            record = self.read_common(row, missions)
            kind = row.choice("event", list(EventKind.values))
            minimum = 0 if kind == EventKind.STRENGTH_REPORT else 1
            what = (
                "the reported headcount"
                if kind == EventKind.STRENGTH_REPORT
                else "the number of personnel"
            )
            personnel = row.integer("personnel", minimum, what=f"{what} (a whole number)")
            if record is not None and row.valid:
                record["kind"] = kind
                record["personnel"] = personnel
                records.append((row, record))
        self.sources.load()
        self.sources.check_dates(self.errors)
        recorded: dict[tuple, tuple] = {}
        reports: dict[tuple, tuple] = {}
        scope = DeploymentEvent.objects.filter(
            mission_id__in={record["mission_id"] for _row, record in records},
            country_id__in={record["country_id"] for _row, record in records},
        ).values_list(
            *("mission_id", "country_id", "personnel_type", "date", "kind", "personnel"),
            *_SOURCE[:3],
            *("date_precision", "disputed", "notes"),
        )
        for m, c, t, d, kind, personnel, p, ti, u, *values in scope.iterator(chunk_size=5000):
            recorded[(m, c, t, d, kind, personnel, (p, ti, u))] = tuple(values)
            if kind == EventKind.STRENGTH_REPORT:
                reports[(m, c, t, d)] = (personnel, p)
        seen: dict[tuple, int] = {}
        seen_reports: dict[tuple, int] = {}
        self.new = []
        for row, record in records:
            timeline_day = (
                record["mission_id"],
                record["country_id"],
                record["personnel_type"],
                record["date"],
            )
            key = (*timeline_day, record["kind"], record["personnel"], record["source"])
            values = (record["date_precision"], record["disputed"], record["notes"])
            what = (
                f"{record['country_id']} {record['personnel_type']} on {record['date'].isoformat()}"
            )
            is_report = record["kind"] == EventKind.STRENGTH_REPORT
            if key in seen:
                row.error(
                    None,
                    f"repeats line {seen[key]} (same date, mission, country, event, "
                    "personnel_type, personnel and source): keep one of the two rows.",
                )
                continue
            seen[key] = row.line
            if key in recorded:
                if recorded[key] == values:
                    self.result.present_lines.append(row.line)
                else:
                    old = recorded[key]
                    diff = _differences(
                        {
                            "date_precision": (old[0], values[0]),
                            "disputed": (old[1], values[1]),
                            "notes": (old[2], values[2]),
                        }
                    )
                    row.error(
                        None,
                        f"this {record['kind']} of {what} from this source is already "
                        f"recorded with other values ({diff}); correct it in the admin.",
                    )
                continue
            if is_report and timeline_day in reports:
                personnel, publisher = reports[timeline_day]
                row.error(
                    "date",
                    f"a strength report of {personnel:,} for {what} ({publisher}) is already "
                    "recorded; one strength report per date: correct that one instead.",
                )
                continue
            if is_report and timeline_day in seen_reports:
                row.error(
                    "date",
                    f"line {seen_reports[timeline_day]} already has a strength report for "
                    f"{what}; one strength report per date: keep one of the two rows.",
                )
                continue
            if is_report:
                seen_reports[timeline_day] = row.line
            self.new.append((row.line, record))
        self.result.new_lines = [line for line, _record in self.new]

    def write(self):
        self._bulk_create(DeploymentEvent, self.instances(DeploymentEvent))
        keys = {(r["mission_id"], r["country_id"], r["personnel_type"]) for _l, r in self.new}
        rebuild_timelines(keys)  # NegativeStrength names its timeline_key and day

    def negative_strength_error(self, exc: NegativeStrength) -> RowError:
        """The file's row that drives the timeline below zero: the one on that date, or
        else the latest before it (a back-dated report or departure)."""
        mission_id, country, personnel_type = exc.timeline_key
        lines = sorted(
            (record["date"], line)
            for line, record in self.new
            if (record["mission_id"], record["country_id"], record["personnel_type"])
            == (mission_id, country, personnel_type)
        )
        before = [line for day, line in lines if day <= exc.day]
        line = before[-1] if before else (lines[0][1] if lines else None)
        return RowError(line, "personnel" if line else None, exc.messages[0])


class _MissionImporter(_Importer):
    # fmt: off
    _FIELDS = (
        "acronym", "name", "host_country_id", "lead_country_id", "authorized_by",
        "authorized_on", "start_date", "end_date", "authorized_ceiling", "successor_slug",
        "source", "notes",
    )
    # fmt: on
    _COLUMN = {
        "host_country_id": "host_country_iso3",
        "lead_country_id": "lead_country_iso3",
        "source": "source_publisher",
    }

    def plan(self, rows):
        self.sources = _Sources()
        records = []
        for line, cells in self.progress(rows, len(rows), "checking missions"):
            row = _Row(line, cells, self.errors)
            slug = row.raw("slug").strip().lower()
            if not _SLUG.match(slug) or len(slug) > 50:
                row.error(
                    "slug",
                    f"'{slug}' is not a slug; expected lower-case letters, digits and "
                    "hyphens (at most 50), e.g. mss.",
                )
            record = {
                "acronym": row.text("acronym", 20, required=True),
                "name": row.text("name", 200, required=True),
                "host_country_id": row.country("host_country_iso3"),
                "lead_country_id": row.country("lead_country_iso3", required=False),
                "authorized_by": row.text("authorized_by", 200, required=True),
                "authorized_on": row.date("authorized_on"),
                "start_date": row.date("start_date"),
                "end_date": row.date("end_date", required=False),
                "authorized_ceiling": row.integer(
                    "authorized_ceiling", 0, required=False, what="a whole number (or empty)"
                ),
                "successor_slug": row.raw("successor_slug").strip().lower() or None,
                "notes": row.text("notes"),
            }
            source = row.source(required=False)
            record["source"] = source[0] if source else None
            if source:
                self.sources.note(row, *source)
            start, end = record["start_date"], record["end_date"]
            if start and end and end < start:
                row.error("end_date", f"{end.isoformat()} is before start_date {start}.")
            if record["successor_slug"] == slug:
                row.error("successor_slug", "a mission cannot be its own successor.")
            if row.valid:
                records.append((row, slug, record))
        self.sources.load()
        self.sources.check_dates(self.errors)
        recorded = {
            mission["slug"]: mission
            for mission in Mission.objects.values(
                "slug", *self._FIELDS[:-3], "notes", "successor__slug", *_SOURCE[:3], "pk"
            )
        }
        in_file: dict[str, int] = {}
        successors: dict[str, tuple[str, int]] = {}
        for mission in recorded.values():
            if mission["successor__slug"]:
                successors[mission["successor__slug"]] = (mission["slug"], 0)
        self.new = []
        for row, slug, _record in records:
            if slug in in_file:
                row.error("slug", f"line {in_file[slug]} already has the mission '{slug}'.")
                continue
            in_file[slug] = row.line
        all_slugs = set(recorded) | set(in_file)
        for row, slug, record in records:
            if in_file.get(slug) != row.line:
                continue
            successor = record["successor_slug"]
            if successor and successor not in all_slugs:
                row.error(
                    "successor_slug",
                    f"no mission has the slug '{successor}', in the database or in this file.",
                )
            elif successor:
                other = successors.get(successor)
                if other and other[0] != slug:
                    where = f"line {other[1]}" if other[1] else "the database"
                    row.error(
                        "successor_slug",
                        f"'{successor}' is already the successor of '{other[0]}' ({where}); "
                        "a mission has at most one predecessor.",
                    )
                else:
                    successors[successor] = (slug, row.line)
            if slug not in recorded:
                self.new.append((row.line, slug, record))
                continue
            old = recorded[slug]
            old_source = (
                (old["source__publisher"], old["source__title"], old["source__url"])
                if old["source__publisher"]
                else None
            )
            pairs = {
                self._COLUMN.get(name, name): (old.get(name), record[name])
                for name in self._FIELDS
                if name not in ("successor_slug", "source")
            }
            pairs["successor_slug"] = (old["successor__slug"], record["successor_slug"])
            pairs["source_publisher"] = (
                " / ".join(filter(None, old_source or ())),
                " / ".join(filter(None, record["source"] or ())),
            )
            diff = _differences(pairs)
            if diff:
                row.error(
                    None,
                    f"the mission '{slug}' is already recorded with other values ({diff}); "
                    "correct it in the admin.",
                )
            else:
                self.result.present_lines.append(row.line)
        self.result.new_lines = [line for line, _slug, _record in self.new]

    def write(self):
        countries = set()
        for _line, _slug, record in self.new:
            countries.update(filter(None, [record["host_country_id"], record["lead_country_id"]]))
        _ensure_countries(countries)
        self.sources.write(self.reason, self.user)
        created = {}
        for _line, slug, record in self.new:
            values = {k: v for k, v in record.items() if k not in ("successor_slug", "source")}
            source_id = self.sources.ids[record["source"]] if record["source"] else None
            mission = Mission(slug=slug, source_id=source_id, **values)
            mission._change_reason = self.reason  # read by simple-history's post_save
            mission._history_user = self.user
            mission.save(force_insert=True)
            created[slug] = mission
        ids = dict(Mission.objects.values_list("slug", "pk"))
        succeeded = []
        for _line, slug, record in self.new:
            if record["successor_slug"]:
                Mission.objects.filter(pk=created[slug].pk).update(
                    successor_id=ids[record["successor_slug"]]
                )
                succeeded.append(created[slug].pk)
        record_history(Mission, succeeded, CHANGED, reason=self.reason, user=self.user)


_IMPORTERS = {"missions": _MissionImporter, "pledges": _PledgeImporter, "events": _EventImporter}


class _DryRun(Exception):
    pass


def import_csv(
    kind: str,
    data: bytes,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    reason: str | None = None,
    user: AbstractBaseUser | None = None,
) -> ImportResult:
    """Import a missions, pledges or events file (bytes as uploaded), all or nothing.

    Returns what was (or, with `dry_run`, would be) created and every error; when there
    is any error nothing is written. A dry run still writes inside a transaction that it
    rolls back, so it finds what only the database can (a timeline driven negative).
    `reason` and `user` go into the audit history of every row written (`reason`
    defaults to "CSV import"; callers name the file, see `import_reason`).
    """
    result = ImportResult(kind=kind, dry_run=dry_run)
    try:
        rows = read_rows(kind, data)
    except CsvFileError as exc:
        result.errors.extend(exc.errors)
        return result
    result.rows = len(rows)
    importer = _IMPORTERS[kind](
        result, progress or _no_progress, reason or import_reason(None), user
    )
    importer.plan(rows)
    if result.errors:
        result.new_lines, result.present_lines = [], []
        return result
    if not result.new_lines:
        return result
    try:
        with transaction.atomic():
            importer.write()
            if dry_run:
                raise _DryRun
        result.written = True
    except _DryRun:
        pass
    except NegativeStrength as exc:
        result.errors.append(importer.negative_strength_error(exc))
    except IntegrityError as exc:  # a concurrent edit slipped in between check and write
        result.errors.append(
            RowError(
                None,
                None,
                f"The database refused the file ({exc}); it may have been changed while "
                "importing. Nothing was written: import it again.",
            )
        )
    return result


def import_reason(file_name: str | None) -> str:
    """The audit history's reason for a row written by importing `file_name`."""
    return f"CSV import: {file_name}" if file_name else "CSV import"


def import_file(
    kind: str,
    path: str | Path,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    reason: str | None = None,
    user: AbstractBaseUser | None = None,
) -> ImportResult:
    """`import_csv` on a file on disk, refusing one over the size limit before reading it.
    The audit history's reason names the file unless `reason` is given."""
    path = Path(path)
    try:
        check_size(path.stat().st_size)
    except CsvFileError as exc:
        return ImportResult(kind=kind, dry_run=dry_run, errors=exc.errors)
    return import_csv(
        kind,
        path.read_bytes(),
        dry_run=dry_run,
        progress=progress,
        reason=reason or import_reason(path.name),
        user=user,
    )


def load_sample_data(progress: Progress | None = None) -> list[ImportResult]:
    """Import the bundled MSS/GSF sample files (missions, pledges, events) in one
    transaction; idempotent: a second run creates nothing."""
    results = []
    with transaction.atomic():
        for kind in KINDS:
            result = import_file(kind, SAMPLE_DATA_DIR / f"{kind}.csv", progress=progress)
            results.append(result)
            if result.errors:
                transaction.set_rollback(True)
                break
    return results
