"""Streamed `text/csv` downloads (the public exports and the admin's "Export as CSV")."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import StreamingHttpResponse

from mss_tracker.tracker.csv.writing.csv_python import csv_chunks


def csv_download(filename: str, chunks: Iterable[str]) -> StreamingHttpResponse:
    """A streamed `text/csv` download of CSV text already written (`chunks`)."""
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(
    filename: str, columns: list[str], rows: Iterable[list[str]]
) -> StreamingHttpResponse:
    """A streamed `text/csv` download named `filename` of a header and rows of cells."""
    return csv_download(filename, csv_chunks(columns, rows))


def json_download(chunks: Iterable[str]) -> StreamingHttpResponse:
    """A streamed JSON document (`json_python`), readable from any origin: open data for
    notebooks and bots, and no cookie or credential is involved."""
    response = StreamingHttpResponse(chunks, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
