"""The formula guard and the Python side of each kind of cell (`spec.Cell`).

A spreadsheet runs a cell as a formula (OWASP "CSV injection") when it starts with tab,
CR or LF, or when its first character after any blanks is = + - @ (their fullwidth forms
＝ ＋ － ＠ too, which some spreadsheets take for them) or | (a DDE call). Such text is
exported with a leading ' and the import strips exactly that one ' again (docs/csv.md,
"Formula safety"). `writing.csv_sql` builds its SQL guard (PostgreSQL's and SQLite's) from
these constants.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from mss_tracker.tracker.csv.spec import Cell

# What a formula starts with, after any LEADING_BLANKS.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "|", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Skipped before a trigger: space, tab, CR, LF, VT, FF, no-break and ideographic spaces.
LEADING_BLANKS = " \t\r\n\x0b\x0c\u00a0\u3000"
# A cell that starts with one of these is guarded whatever follows.
CONTROL_STARTS = ("\t", "\r", "\n")
GUARD = "'"


def _needs_guard(text: str) -> bool:
    # Quotes already in front count too (anywhere among the blanks), so that `'=x`
    # survives a round trip as `'=x`: the answer is the same with one more ' in front.
    return text.lstrip(GUARD).startswith(CONTROL_STARTS) or text.lstrip(
        GUARD + LEADING_BLANKS
    ).startswith(FORMULA_TRIGGERS)


def formula_safe(text: str) -> str:
    """`text` with a leading ' if a spreadsheet would otherwise read it as a formula."""
    return GUARD + text if _needs_guard(text) else text


def strip_formula_guard(text: str) -> str:
    """Undo `formula_safe`: remove exactly the one ' it added, and nothing else."""
    if text.startswith(GUARD) and _needs_guard(text[1:]):
        return text[1:]
    return text


def cell(value: Any) -> str:
    """Any value as a cell, by its Python type (computed figures, error messages)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return formula_safe(value)
    return str(value)


def date_cell(value: datetime.date | str | None) -> str:
    """A date computed by a subquery (SQLite may hand it back as ISO text)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else value.isoformat()


def _text(value: str | None) -> str:
    return "" if value is None else formula_safe(value)


def _code(value: str | None) -> str:
    return "" if value is None else value


def _number(value: Any) -> str:
    return "" if value is None else str(value)


def _date(value: datetime.date | None) -> str:
    return "" if value is None else value.isoformat()


def _boolean(value: bool | None) -> str:
    if value is None:
        return ""
    return "true" if value else "false"


ENCODERS: dict[Cell, Callable[[Any], str]] = {
    Cell.TEXT: _text,
    Cell.SLUG: _text,
    Cell.CODE: _code,
    Cell.NUMBER: _number,
    Cell.DECIMAL: _number,
    Cell.DATE: _date,
    Cell.BOOLEAN: _boolean,
}
