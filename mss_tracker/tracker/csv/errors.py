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


def no_progress(items: Iterable, total: int, description: str) -> Iterable:
    return items
