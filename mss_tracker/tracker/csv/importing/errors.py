"""What an import reports: errors by line and column, and what it found and did."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


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


# An import lists at most this many errors. Past them a file has a systematic fault (a
# wrong column, a wrong export), and a longer list only costs time and memory: reading the
# rows stops at the next one, and the report says how many more there were, or where
# checking stopped.
MAX_ERRORS = 100


class TooManyErrors(Exception):
    """Raised by ErrorList when the error past MAX_ERRORS is added while reading rows."""


class ErrorList(list):
    """A list of RowErrors holding at most MAX_ERRORS. Adding another counts it in
    `unlisted` and, when `stop` (reading rows), raises TooManyErrors to end the run."""

    def __init__(self, errors: Iterable[RowError] = (), *, stop: bool = True) -> None:
        super().__init__()
        self.unlisted = 0
        self.stopped_at: int | None = None  # the line where reading stopped, if it did
        self.stop = stop
        self.extend(errors)

    def append(self, error: RowError) -> None:
        if len(self) < MAX_ERRORS:
            super().append(error)
            return
        self.unlisted += 1
        if self.stop:
            self.stopped_at = error.line
            raise TooManyErrors

    @property
    def full(self) -> bool:
        return len(self) >= MAX_ERRORS

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.append(error)
        self.unlisted += getattr(errors, "unlisted", 0)
        self.stopped_at = self.stopped_at or getattr(errors, "stopped_at", None)

    @property
    def more(self) -> str:
        """ "and 1,234 more" (or where reading stopped) after the listed errors, or ""."""
        if self.stopped_at is not None:
            return (
                f"More errors were found: checking stopped at line {self.stopped_at:,}, "
                f"after {MAX_ERRORS}. Correct these and import the file again."
            )
        if self.unlisted:
            return f"…and {self.unlisted:,} more."
        return ""


PREVIEW_ROWS = 50  # rows to create, and rows to update, shown in a preview (each)


@dataclass(frozen=True)
class FieldChange:
    column: str
    before: str
    after: str


@dataclass(frozen=True)
class RowUpdate:
    """A row whose id names a recorded record that it changes."""

    line: int
    record: str  # the record as it is now, in words
    changes: tuple[FieldChange, ...]


@dataclass
class ImportResult:
    """What an import found and did. `new_lines` are the rows it creates (or would create
    on a dry run or a preview), `updated_lines` the rows whose id names a record they
    change, `present_lines` those already in the database. `new_rows` and `updates` are
    the first PREVIEW_ROWS of each, to show; `warnings` do not stop the import."""

    kind: str
    dry_run: bool = False
    rows: int = 0
    new_lines: list[int] = field(default_factory=list)
    updated_lines: list[int] = field(default_factory=list)
    present_lines: list[int] = field(default_factory=list)
    errors: ErrorList = field(default_factory=ErrorList)
    warnings: list[RowError] = field(default_factory=list)
    new_rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    updates: list[RowUpdate] = field(default_factory=list)
    # What the write creates besides the rows, so that the preview shows all it will do:
    # sources and countries not recorded yet, recorded sources that get their date.
    new_sources: list[str] = field(default_factory=list)
    dated_sources: list[str] = field(default_factory=list)
    new_countries: list[str] = field(default_factory=list)
    written: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.errors, ErrorList):
            self.errors = ErrorList(self.errors, stop=False)

    @property
    def updated(self) -> int:
        return len(self.updated_lines) if self.written else 0

    @property
    def unshown_new(self) -> int:
        return len(self.new_lines) - len(self.new_rows)

    @property
    def unshown_updates(self) -> int:
        return len(self.updated_lines) - len(self.updates)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return len(self.new_lines) if self.written else 0

    @property
    def written_rows(self) -> int:
        """Rows written: the created and the updated ones."""
        return self.created + self.updated

    @property
    def refused_lines(self) -> list[int]:
        """The lines with an error (of those listed), each once."""
        return sorted({error.line for error in self.errors if error.line is not None})

    def summary(self) -> str:
        if self.errors.stopped_at is not None:
            return (
                f"{self.kind}: more than {MAX_ERRORS} errors (checking stopped at line "
                f"{self.errors.stopped_at:,}); nothing was written."
            )
        if self.errors:
            count = len(self.errors) + self.errors.unlisted
            return (
                f"{self.kind}: {count:,} error{'s' if count != 1 else ''} in "
                f"{self.rows:,} rows; nothing was written."
            )
        if self.rows == 0:
            return f"{self.kind}: the file has no data rows (only the header); nothing to import."
        verb = "would be " if self.dry_run else ""
        updated = f"{len(self.updated_lines)} {verb}updated, " if self.updated_lines else ""
        created = [
            f"{len(names)} new {what if len(names) == 1 else plural}: {'; '.join(names)}"
            for names, what, plural in (
                (self.new_sources, "source", "sources"),
                (self.new_countries, "country", "countries"),
            )
            if names
        ]
        return (
            f"{self.kind}: {self.rows} rows, {len(self.new_lines)} {verb}created, {updated}"
            f"{len(self.present_lines)} already present." + "".join(f" {line}." for line in created)
        )


class CsvFileError(Exception):
    """The file as a whole cannot be read (size, encoding, header)."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors if isinstance(errors, ErrorList) else ErrorList(errors, stop=False)
        super().__init__("; ".join(str(error) for error in self.errors))


Progress = Callable[[Iterable, int, str], Iterable]


def no_progress(items: Iterable, total: int, description: str) -> Iterable:
    return items
