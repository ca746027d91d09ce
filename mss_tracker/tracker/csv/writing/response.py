"""Streamed `text/csv` downloads (the public exports and the admin's "Export as CSV").

Each comes in two forms of the same bytes: the machine-readable file, and the file "for
Excel / LibreOffice" (`?bom=1`), which starts with a UTF-8 byte-order mark. Without
that mark both spreadsheets read a CSV file in the system's legacy code page and show
"Haïti" as "HaÃ¯ti"; with it they read UTF-8 (docs/csv.md, "Which file to open in which program").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

from mss_tracker.tracker.csv.writing.csv_python import csv_chunks

BYTE_ORDER_MARK = "\ufeff"  # written as the three bytes EF BB BF in UTF-8


def spreadsheet_name(filename: str) -> str:
    """`mss-events-2025-03-01.csv` → `mss-events-2025-03-01-for-spreadsheets.csv`: the two
    downloads of one view are told apart in a downloads folder."""
    return filename.removesuffix(".csv") + "-for-spreadsheets.csv"


def _with_mark(chunks: Iterable[str | bytes]) -> Iterator[str | bytes]:
    yield BYTE_ORDER_MARK
    yield from chunks


def csv_download(
    filename: str, chunks: Iterable[str] | Iterable[bytes], *, byte_order_mark: bool = False
) -> StreamingHttpResponse:
    """A streamed `text/csv` download of CSV text already written (`chunks`: text, or its
    UTF-8 bytes); with `byte_order_mark`, the same bytes after a UTF-8 byte-order mark,
    for spreadsheets."""
    if byte_order_mark:
        chunks, filename = _with_mark(chunks), spreadsheet_name(filename)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(
    filename: str,
    columns: list[str],
    rows: Iterable[list[str]],
    *,
    byte_order_mark: bool = False,
) -> StreamingHttpResponse:
    """A streamed `text/csv` download named `filename` of a header and rows of cells."""
    return csv_download(filename, csv_chunks(columns, rows), byte_order_mark=byte_order_mark)


def json_download(chunks: Iterable[str] | Iterable[bytes]) -> StreamingHttpResponse:
    """A streamed JSON document (`json_python`), readable from any origin: open data for
    notebooks and bots, and no cookie or credential is involved."""
    response = StreamingHttpResponse(chunks, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
