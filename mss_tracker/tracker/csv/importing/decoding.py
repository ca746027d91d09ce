"""An uploaded file's bytes as text: within the size limit, UTF-8, and nothing else."""

from __future__ import annotations

import codecs

from django.conf import settings

from mss_tracker.tracker.csv.importing.errors import CsvFileError, RowError


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


# What a Western European text has outside ASCII, read as Windows-1252: letters (é, ç, ñ,
# ß, œ), typographic punctuation (’ “ ” – — …), € and °. Central European or Baltic text
# read that way shows symbols instead (³ ¹ ¿ ¾ for ł ą ż ž).
_WESTERN_PUNCTUATION = set("’‘“”„–—…€°«»·•×÷ ¡¿§ªº")


def _looks_like_windows_1252(sample: bytes) -> bool:
    """Excel's usual non-UTF-8 CSV. charset-normalizer, given a short mostly-ASCII file,
    often names a sibling code page (CP1250, CP1257) that decodes it just as well."""
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    foreign = [char for char in text if ord(char) > 127]
    western = sum(char.isalpha() or char in _WESTERN_PUNCTUATION for char in foreign)
    letters = sum(char.isalpha() for char in text)
    # Accents are sprinkled over Latin words; Cyrillic or Greek read as Windows-1252 are
    # whole words of "accented letters".
    return bool(foreign) and western >= 0.95 * len(foreign) and len(foreign) < 0.25 * letters


def _guess_encoding(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    if _looks_like_windows_1252(data[:200_000]):
        return _ENCODING_NAMES["cp1252"]
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
