"""A file's header and rows: the header checked against the kind's columns, each row
split into cells by column name with its line number, read as they are needed
(`CsvRows`). Cell values are read by `row`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import suppress

from django.conf import settings

from mss_tracker.tracker.csv.importing.decoding import check_size, decode_csv
from mss_tracker.tracker.csv.importing.double_encoding import (
    likely_original,
    may_hold_double_encoding,
)
from mss_tracker.tracker.csv.importing.errors import (
    CsvFileError,
    ErrorList,
    RowError,
    TooManyErrors,
)
from mss_tracker.tracker.csv.spec import COLUMNS, KINDS, OPTIONAL_COLUMNS
from mss_tracker.tracker.text import TEXT_MAX_LENGTH


def _header_errors(kind: str, header: list[str]) -> ErrorList:
    """Every fault of the header, the first MAX_ERRORS listed and the rest counted."""
    expected = COLUMNS[kind]
    errors = ErrorList(stop=False)
    seen = set()
    for name in header:
        if errors.full:  # counted, not described: a header of a million columns is quick
            errors.unlisted += (name in seen) + (name not in expected)
            seen.add(name)
            continue
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
    missing = [name for name in expected if name not in seen and name not in OPTIONAL_COLUMNS[kind]]
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
            if other != kind and set(header) - set(OPTIONAL_COLUMNS[other]) == set(columns) - set(
                OPTIONAL_COLUMNS[other]
            ):
                errors.append(
                    RowError(
                        1,
                        None,
                        f"this header is the one of {other}.csv: import it as {other}, not {kind}.",
                    )
                )
    return errors


_SEPARATORS = {";": "semicolons", "\t": "tabs"}


def separator_of(text: str) -> str:
    """The header row's separator: a comma, or a semicolon or tab when the header has no
    comma but one of those (spreadsheets in many languages save CSV with semicolons)."""
    header = text.split("\n", 1)[0]
    if "," not in header:
        for separator in _SEPARATORS:
            if separator in header:
                return separator
    return ","


class CsvRows:
    """The rows of a file, read as they are iterated: (line number, cells by column) of
    every non-blank row, the first `limit` ones. The file as a whole (size, encoding, NUL
    bytes, header) is checked on creation, raising CsvFileError; a fault of the body (a
    row of the wrong width, broken quoting) is recorded in `errors` as the rows go by, and
    `complete` says a pass reached the end. A row's line number is the physical line where
    it starts.

    Nothing but the file's bytes is held: a 50 MB file is read row by row, neither decoded
    into one string nor kept as a list of rows, so an import's memory follows what it
    keeps of each row, not the file. Each iteration reads the file again from the top.
    """

    def __init__(self, kind: str, data: bytes, limit: int | None = None) -> None:
        if kind not in COLUMNS:
            raise ValueError(f"unknown CSV kind {kind!r}; expected one of {', '.join(KINDS)}")
        check_size(len(data))
        decode_csv(data)  # refuses a file that is not UTF-8, naming its line; not kept
        nul = data.find(b"\x00")  # in UTF-8 a zero byte is a NUL character, nothing else
        if nul != -1:
            raise CsvFileError(
                [
                    RowError(
                        data.count(b"\n", 0, nul) + 1,
                        None,
                        "contains a NUL character (a zero byte), which no text value may "
                        "hold; this looks like a binary file or a damaged export, not CSV "
                        "text. Save it again as CSV UTF-8.",
                    )
                ]
            )
        self.kind = kind
        self.data = data
        self.limit = limit
        first_line = data[: data.find(b"\n")] if b"\n" in data else data
        self.separator = separator_of(first_line.decode("utf-8-sig"))
        self.header = self._checked_header(self._reader())
        if may_hold_double_encoding(data):
            self._refuse_double_encoding()
        self.errors = ErrorList()
        self.count = 0  # rows read by the latest pass
        self.complete = False

    @property
    def estimated_rows(self) -> int:
        """About how many rows there are (lines but the header), for a progress bar."""
        return max(self.data.count(b"\n") - 1, 1)

    def _reader(self):
        # Python's csv refuses a field over 128 KB as if its quoting were broken. Any field
        # of a file within the size limit is read, so that a note longer than
        # TEXT_MAX_LENGTH is reported as too long, by line and column, and every export
        # (whose notes fit) reads back whatever its quoting and formula guard add.
        csv.field_size_limit(max(settings.CSV_IMPORT_MAX_BYTES, TEXT_MAX_LENGTH * 2 + 2))
        text = io.TextIOWrapper(io.BytesIO(self.data), encoding="utf-8-sig", newline="")
        return csv.reader(text, strict=True, delimiter=self.separator)

    def _checked_header(self, reader) -> list[str]:
        try:
            header = [name.strip().lower() for name in next(reader)]
        except csv.Error as exc:
            raise CsvFileError(
                [RowError(1, None, f"the header row is not valid CSV: {exc}.")]
            ) from None
        header_errors = _header_errors(self.kind, header)
        if header_errors and self.separator != ",":
            raise CsvFileError(
                [
                    RowError(
                        1,
                        None,
                        f"this file is separated by {_SEPARATORS[self.separator]}; save it as "
                        "comma-separated CSV (or give it the header row of the format).",
                    ),
                    *header_errors,
                ]
            )
        if header_errors:
            raise CsvFileError(header_errors)
        return header

    def _refuse_double_encoding(self) -> None:
        """Refuse a file whose text looks double-encoded ("HaÃ¯ti"), naming each line and
        column with the likely original (importing/double_encoding.py): imported, it would
        replace every accented name and note with garbled text."""
        errors = ErrorList(stop=False)
        reader = self._reader()
        next(reader)
        for line, cells in _body(reader, self.header, reader.line_num + 1, ErrorList(stop=False)):
            for column, text in cells.items():
                original = likely_original(text)
                if original is not None:
                    errors.append(
                        RowError(
                            line,
                            column,
                            f"“{text}” looks double-encoded (UTF-8 read as Windows-1252 and "
                            f"saved again); it was probably “{original}”. Open the file "
                            "downloaded “for Excel / LibreOffice” (it starts with a byte-order "
                            "mark), or choose UTF-8 when you open and save it, then import "
                            "it again.",
                        )
                    )
        if errors:
            raise CsvFileError(errors)

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        self.errors = ErrorList()  # reading stops at the error after MAX_ERRORS
        self.count = 0
        self.complete = False
        reader = self._reader()
        next(reader)  # the header, checked on creation
        with suppress(TooManyErrors):
            for row in _body(reader, self.header, reader.line_num + 1, self.errors):
                self.count += 1
                yield row
                if self.limit is not None and self.count >= self.limit:
                    return
        self.complete = True

    def cells_of(self, lines: set[int]) -> dict[int, dict[str, str]]:
        """The cells of the rows that start on these lines (read again: only a preview's
        first rows are asked for), stopping once all are found."""
        found: dict[int, dict[str, str]] = {}
        if not lines:
            return found
        reader = self._reader()
        next(reader)
        for line, cells in _body(reader, self.header, reader.line_num + 1, ErrorList(stop=False)):
            if line in lines:
                found[line] = cells
                if len(found) == len(lines):
                    break
        return found


def read_rows(kind: str, data: bytes, limit: int | None = None) -> list[tuple[int, dict[str, str]]]:
    """(line number, cells by column) of every non-blank row (the first `limit` ones), as
    a list; CsvFileError if the file cannot be read."""
    rows = CsvRows(kind, data, limit)
    listed = list(rows)
    if rows.errors:
        raise CsvFileError(rows.errors)
    return listed


def _body(reader, header: list[str], line: int, errors: ErrorList) -> Iterator:
    # The loop every row of a 50 MB file goes through: kept to plain operations.
    width = len(header)
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
        if (cells and cells[0].strip()) or "".join(cells).strip():  # not a blank row
            if len(cells) != width:
                errors.append(
                    RowError(
                        line,
                        None,
                        f"{len(cells)} values, expected {len(header)} (one per column of the "
                        "header); check for an unquoted comma or a missing quote.",
                    )
                )
            else:
                yield line, dict(zip(header, cells, strict=False))
        line = reader.line_num + 1
