"""Text that was UTF-8, read as Windows-1252 and saved as UTF-8 again: "Haïti" as "HaÃ¯ti".

This is what a spreadsheet does to a CSV file without a byte-order mark when it opens it
in the system's legacy code page and saves it back. The file is valid UTF-8, so nothing
else refuses it, and every accented name and note would be "corrected" into the garbled
text. `likely_original` undoes one such round: it writes the text back in Windows-1252
and reads those bytes as UTF-8. Real text almost never survives that (a real "é" is the
single byte E9, not the start of a UTF-8 sequence), so a text that does is double-encoded.
"""

from __future__ import annotations

import functools
import re

# The UTF-8 form of what double encoding leaves behind: "Ã" and "Â" (which begin the
# garbled form of every accented Latin letter and of the no-break space) and "â€" (of
# ’ “ ” – — …). A file without any of them is clean, and is not read cell by cell.
MARKERS = ("Ã".encode(), "Â".encode(), "â€".encode())


def _legacy_byte(char: str) -> int:
    """The byte a Windows-1252 reading turned into `char` (Latin-1 for the five bytes
    Windows-1252 leaves undefined, which spreadsheets pass through as control characters)."""
    try:
        return char.encode("cp1252")[0]
    except UnicodeEncodeError:
        if ord(char) < 256:
            return ord(char)
        raise


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _repaired(run: str) -> str:
    """One run of non-ASCII characters as it was before, or unchanged when it was not
    double-encoded (a real "ï" or "—" is not valid UTF-8 once written in Windows-1252)."""
    try:
        return bytes(_legacy_byte(char) for char in run).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return run


@functools.lru_cache(maxsize=4096)
def likely_original(text: str) -> str | None:
    """The text before it was double-encoded ("HaÃ¯ti" → "Haïti"), or None when it does
    not look double-encoded. Each run of non-ASCII characters is undone on its own, so a
    note garbled in one place and typed again correctly in another is still found."""
    if text.isascii():
        return None
    original = _NON_ASCII_RUN.sub(lambda match: _repaired(match.group()), text)
    return original if original != text else None


def may_hold_double_encoding(data: bytes) -> bool:
    """False when the file's bytes hold none of the markers: no cell needs reading."""
    return any(marker in data for marker in MARKERS)
