"""Each finished CSV line built in SQL, generated from `spec`, in PostgreSQL's and SQLite's
dialects of the same rules: the bytes of the Python writer, faster.

`csv_python.rows` + `csv_chunks` turn every value into a cell in Python, about ten
microseconds a row. Here the query builds each cell as `spec.cells.ENCODERS` would (the
formula guard, RFC 4180's minimal quoting as csv.writer does it, NULL as an empty cell)
and joins the cells into the line; `csv_postgres` reads the lines with COPY, `csv_sqlite`
with the database cursor (docs/performance.md, "The events export on SQLite against
Datasette").

The columns, their cell kinds and the row order come from the `spec.Export` that the
Python writer reads too, and the guard's characters from `spec.cells`, so the writers
cannot drift: one expression per cell kind, with an `as_sqlite` where SQLite's dialect
differs (no regular expressions, `substr` for `left`, `char` for `chr`, UUIDs stored as
32 hex digits). tests/test_csv_sql.py compares their bytes on awkward text.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Expression, F, Func, QuerySet, TextField, UUIDField, Value
from django.db.models.functions import Cast, Coalesce

from mss_tracker.tracker.csv.spec import Cell, Column, Export
from mss_tracker.tracker.csv.spec.cells import (
    CONTROL_STARTS,
    FORMULA_TRIGGERS,
    GUARD,
    LEADING_BLANKS,
)

POSTGRESQL, SQLITE = "postgresql", "sqlite"
# Text that needs csv.writer's quotes: it holds one of these.
_QUOTED = ('"', ",", "\r", "\n")


def _sql_string(text: str, vendor: str = POSTGRESQL) -> str:
    """A one-character SQL literal; control characters as chr(n) (SQLite: char(n))."""
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return f"chr({ord(text)})" if vendor == POSTGRESQL else f"char({ord(text)})"


def _one_of(characters: tuple[str, ...], vendor: str) -> str:
    """`a, b, …` for `IN (…)`."""
    return ", ".join(_sql_string(character, vendor) for character in characters)


def _set_of(characters: str, vendor: str) -> str:
    """The characters as one SQL string: ltrim(text, it) strips any run of them, as
    Python's str.lstrip(characters)."""
    return " || ".join(_sql_string(character, vendor) for character in characters)


def _glob_first(characters: str) -> str:
    """SQLite's GLOB pattern (a constant SQL string) of text that starts with one of
    `characters`: `[…]*`, with a - last, where it is itself and not a range."""
    if "]" in characters or characters.startswith("^"):
        raise ValueError(f"{characters!r} cannot go in a GLOB class as it is")
    ordered = characters.replace("-", "") + ("-" if "-" in characters else "")
    return " || ".join(["'['", _set_of(ordered, SQLITE), "']*'"])


class _TextCell(Func):
    """spec.cells.formula_safe, then csv.writer's minimal quoting; NULL is an empty cell.

    A leading ' goes in front when the text, less any leading 's, starts with tab, CR or
    LF, or less any leading 's and blanks, with a formula trigger; the cell is quoted
    (inner quotes doubled) when it holds a comma, a quote, CR or LF."""

    output_field = TextField()

    @staticmethod
    def guard(vendor: str) -> str:
        if vendor == SQLITE:
            return _TextCell.sqlite_guard()
        after_guards = f"left(ltrim({{v}}, {_sql_string(GUARD)}), 1)"
        after_blanks = f"left(ltrim({{v}}, {_set_of(GUARD + LEADING_BLANKS, vendor)}), 1)"
        return (
            f"(CASE WHEN {after_guards} IN ({_one_of(CONTROL_STARTS, vendor)}) "
            f"OR {after_blanks} IN ({_one_of(FORMULA_TRIGGERS, vendor)}) "
            f"THEN {_sql_string(GUARD)} || {{v}} ELSE {{v}} END)"
        )

    @staticmethod
    def sqlite_guard() -> str:
        """The same test with GLOB's character classes, which SQLite matches at the first
        character about three times faster than `IN (…)`; and first, the one class of every
        character a guarded cell can start with, so most text is passed at one look."""
        starts = "".join(dict.fromkeys(GUARD + LEADING_BLANKS + "".join(FORMULA_TRIGGERS)))
        after_guards = f"ltrim({{v}}, {_sql_string(GUARD, SQLITE)})"
        after_blanks = f"ltrim({{v}}, {_set_of(GUARD + LEADING_BLANKS, SQLITE)})"
        return (
            f"(CASE WHEN {{v}} GLOB {_glob_first(starts)} "
            f"AND ({after_guards} GLOB {_glob_first(''.join(CONTROL_STARTS))} "
            f"OR {after_blanks} GLOB {_glob_first(''.join(FORMULA_TRIGGERS))}) "
            f"THEN {_sql_string(GUARD, SQLITE)} || {{v}} ELSE {{v}} END)"
        )

    @staticmethod
    def needs_quotes(vendor: str) -> str:
        if vendor == POSTGRESQL:
            return "{v} ~ '[" + "".join(_QUOTED).encode("unicode_escape").decode() + "]'"
        return " OR ".join(f"instr({{v}}, {_sql_string(c, vendor)})" for c in _QUOTED)

    @staticmethod
    def plain() -> str:
        """PostgreSQL: a first character that no guard rule looks at, and none of the
        characters that need quotes (`left()` and `strpos()`, no regex; docs/performance.md,
        "The events export over HTTP against PostgreSQL's COPY")."""
        starts = tuple(dict.fromkeys((GUARD, *LEADING_BLANKS, *CONTROL_STARTS, *FORMULA_TRIGGERS)))
        absent = " AND ".join(f"strpos({{v}}, {_sql_string(c)}) = 0" for c in _QUOTED)
        return f"(left({{v}}, 1) NOT IN ({_one_of(starts, POSTGRESQL)}) AND {absent})"

    def _sql(self, compiler, vendor: str) -> tuple[str, tuple]:
        value, params = compiler.compile(self.source_expressions[0])
        # The guard's ' never needs quoting, so the raw value decides the quotes.
        guarded = self.guard(vendor).format(v=value)
        needs_quotes = self.needs_quotes(vendor).format(v=value)
        # PostgreSQL: most text needs neither guard nor quotes, and one cheap look says so
        # (`plain`); the guard's two ltrim() and the regex cost about a microsecond a cell.
        plain = f"WHEN {self.plain().format(v=value)} THEN {value} " if vendor == POSTGRESQL else ""
        sql = (
            f"COALESCE(CASE {plain}WHEN {needs_quotes} "
            f"THEN '\"' || replace({guarded}, '\"', '\"\"') || '\"' ELSE {guarded} END, '')"
        )
        # A plain column has no parameters; an expression's repeat with each use of it.
        return sql, tuple(params) * sql.count(value)

    def as_sql(self, compiler, connection, **extra_context):
        return self._sql(compiler, POSTGRESQL)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._sql(compiler, SQLITE)


class _SlugCell(Func):
    """A slug is [a-z0-9-]+: it needs the guard when it starts with -, never quotes."""

    output_field = TextField()

    @staticmethod
    def template_for(vendor: str) -> str:
        if vendor == POSTGRESQL:
            starts = f"left(%(expressions)s, 1) IN ({_one_of(FORMULA_TRIGGERS, vendor)})"
        else:  # GLOB is about three times faster than IN (…) there (`_TextCell.sqlite_guard`)
            starts = f"%(expressions)s GLOB {_glob_first(''.join(FORMULA_TRIGGERS))}"
        return (
            f"COALESCE(CASE WHEN {starts} THEN {_sql_string(GUARD, vendor)} ELSE '' END "
            "|| %(expressions)s, '')"
        )

    def as_sql(self, compiler, connection, **extra_context):
        template = self.template_for(POSTGRESQL)
        return super().as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        template = self.template_for(SQLITE)
        return super().as_sql(compiler, connection, template=template, **extra_context)


class _DateCell(Func):
    """YYYY-MM-DD: SQLite stores a date as that text already."""

    output_field = TextField()
    template = "COALESCE(to_char(%(expressions)s, 'YYYY-MM-DD'), '')"

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "COALESCE(%(expressions)s, '')"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class _BooleanCell(Func):
    output_field = TextField()
    template = (
        "CASE WHEN %(expressions)s THEN 'true' WHEN NOT %(expressions)s THEN 'false' ELSE '' END"
    )


def sqlite_uuid_text(value: str) -> str:
    """The SQL of a UUID column's text as str(uuid.UUID) writes it (NULL stays NULL):
    SQLite stores the 32 hex digits alone (`uuid.UUID.hex`, lower case). `value` is
    used five times."""
    return " || '-' || ".join(
        f"substr({value}, {start}, {length})"
        for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
    )


class _NumberCell(Func):
    """The plain text form; a UUID (a record id) with its dashes (`sqlite_uuid_text`)."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(_plain(self.source_expressions[0]))

    def as_sqlite(self, compiler, connection, **extra_context):
        if not isinstance(self.source_expressions[0].output_field, UUIDField):
            return self.as_sql(compiler, connection)
        value, params = compiler.compile(self.source_expressions[0])
        return f"COALESCE({sqlite_uuid_text(value)}, '')", tuple(params) * 5


class _DecimalCell(_NumberCell):
    """A Decimal's text keeps its places ("12.50"); SQLite stores a REAL, whose text does
    not. No export of stored records has a decimal column (the percentages and shares
    are computed in Python), so SQLite has no such cell."""

    def as_sqlite(self, compiler, connection, **extra_context):
        raise NotImplementedError("a decimal cell is written by the Python writer on SQLite")


def _plain(field: str | Expression) -> Func:
    expression = F(field) if isinstance(field, str) else field
    return Coalesce(Cast(expression, TextField()), Value(""), output_field=TextField())


_CELLS = {
    Cell.TEXT: lambda field: _TextCell(Cast(F(field), TextField())),
    Cell.SLUG: lambda field: _SlugCell(F(field)),
    Cell.CODE: _plain,
    Cell.NUMBER: lambda field: _NumberCell(F(field)),
    Cell.DECIMAL: lambda field: _DecimalCell(F(field)),
    Cell.DATE: lambda field: _DateCell(F(field)),
    Cell.BOOLEAN: lambda field: _BooleanCell(F(field)),
}


def cell_expression(column: Column) -> Func:
    """The SQL that writes `column`'s cell as `spec.cells.ENCODERS` would."""
    return _CELLS[column.cell](column.field)


class _Line(Func):
    """The cells joined by commas (each cell is text, never NULL)."""

    output_field = TextField()
    template = "concat_ws(',', %(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra_context):
        # concat_ws is SQLite 3.44's; || gives the same line, as no cell is NULL.
        joined = {"arg_joiner": " || ',' || ", "template": "(%(expressions)s)"}
        return self.as_sql(compiler, connection, **joined, **extra_context)


def line_of(cells: Iterable[Expression]) -> Func:
    """Cells (text, never NULL) joined by commas."""
    return _Line(*cells)


def line(export: Export) -> Func:
    """One finished CSV line of `export`'s columns, without its line end."""
    return line_of(cell_expression(column) for column in export.columns)


def line_query(export: Export, queryset: QuerySet) -> QuerySet:
    """`queryset` in `export`'s order, as one finished CSV line (`csv_line`) per record."""
    return queryset.order_by(*export.order).annotate(csv_line=line(export))
