"""Each CSV export's columns, defined once: name, model field, kind of cell, sort order.

Both writers are generated from these specs — the Python one (`writing.csv_python`) and the
SQL one (`writing.csv_sql`, PostgreSQL's and SQLite's) — so adding a column, or changing an
order, is one line here and the two cannot drift. The import reads the same column names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Cell(StrEnum):
    """How a value is written in a cell (the same rule in Python and in SQL)."""

    TEXT = "text"  # free text: formula guard, quoted when it holds , " CR or LF
    SLUG = "slug"  # [a-z0-9-]+: formula guard (a leading -), never quoted
    CODE = "code"  # a code or choice the database constrains: written as stored
    NUMBER = "number"  # an integer (or a UUID): its plain text form
    DECIMAL = "decimal"  # a number with a fraction (a percent, one decimal): its text form
    DATE = "date"  # YYYY-MM-DD
    BOOLEAN = "boolean"  # true / false


@dataclass(frozen=True)
class Column:
    name: str  # the CSV header
    field: str | None  # the model field it reads (values_list path); None if computed
    cell: Cell


@dataclass(frozen=True)
class Export:
    """One CSV file: its columns in order, and the one order of its rows."""

    name: str
    columns: tuple[Column, ...]
    order: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()  # columns a file to import may leave out

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def fields(self) -> list[str]:
        return [column.field for column in self.columns]


_SOURCE = (
    Column("source_publisher", "source__publisher", Cell.TEXT),
    Column("source_title", "source__title", Cell.TEXT),
    Column("source_url", "source__url", Cell.TEXT),
    Column("source_date", "source__published_on", Cell.DATE),
)
_SOURCE_ORDER = ("source__publisher", "source__title", "source__url")
# The record's stable id (docs/csv.md, "Record ids"), always the last column. Files
# made before ids existed (or by hand) leave it out or blank.
_ID = Column("id", "uuid", Cell.NUMBER)

EVENTS = Export(
    "events",
    (
        Column("date", "date", Cell.DATE),
        Column("date_precision", "date_precision", Cell.CODE),
        Column("mission", "mission__slug", Cell.SLUG),
        Column("country_iso3", "country_id", Cell.CODE),
        Column("country", "country__name", Cell.TEXT),
        Column("event", "kind", Cell.CODE),
        Column("personnel_type", "personnel_type", Cell.CODE),
        Column("personnel", "personnel", Cell.NUMBER),
        Column("disputed", "disputed", Cell.BOOLEAN),
        *_SOURCE,
        Column("notes", "notes", Cell.TEXT),
        _ID,
    ),
    order=("date", "country_id", "personnel_type", "kind", "personnel", *_SOURCE_ORDER, "pk"),
    optional=(_ID.name,),
)

PLEDGES = Export(
    "pledges",
    (
        Column("date", "date", Cell.DATE),
        Column("date_precision", "date_precision", Cell.CODE),
        Column("mission", "mission__slug", Cell.SLUG),
        Column("country_iso3", "country_id", Cell.CODE),
        Column("country", "country__name", Cell.TEXT),
        Column("personnel_type", "personnel_type", Cell.CODE),
        Column("personnel", "personnel", Cell.NUMBER),
        Column("disputed", "disputed", Cell.BOOLEAN),
        *_SOURCE,
        Column("notes", "notes", Cell.TEXT),
        _ID,
    ),
    order=("date", "country_id", "personnel_type", "mission__slug", "pk"),
    optional=(_ID.name,),
)

# Funding records (docs/funding.md): the donor is a country or blank (all donors).
FUNDING = Export(
    "funding",
    (
        Column("date", "date", Cell.DATE),
        Column("date_precision", "date_precision", Cell.CODE),
        Column("mission", "mission__slug", Cell.SLUG),
        Column("donor_iso3", "donor_id", Cell.CODE),
        Column("donor", "donor__name", Cell.TEXT),
        Column("kind", "kind", Cell.CODE),
        Column("measure", "measure", Cell.CODE),
        Column("channel", "channel", Cell.CODE),
        Column("amount_usd", "amount_usd", Cell.NUMBER),
        Column("disputed", "disputed", Cell.BOOLEAN),
        *_SOURCE,
        Column("notes", "notes", Cell.TEXT),
        _ID,
    ),
    order=("date", "mission__slug", "donor_id", "kind", "channel", "measure", "amount_usd", "pk"),
    optional=(_ID.name,),
)

MISSIONS = Export(
    "missions",
    (
        Column("slug", "slug", Cell.SLUG),
        Column("acronym", "acronym", Cell.TEXT),
        Column("name", "name", Cell.TEXT),
        Column("host_country_iso3", "host_country_id", Cell.CODE),
        Column("lead_country_iso3", "lead_country_id", Cell.CODE),
        Column("authorized_by", "authorized_by", Cell.TEXT),
        Column("authorized_on", "authorized_on", Cell.DATE),
        Column("start_date", "start_date", Cell.DATE),
        Column("end_date", "end_date", Cell.DATE),
        Column("authorized_ceiling", "authorized_ceiling", Cell.NUMBER),
        Column("successor_slug", "successor__slug", Cell.SLUG),
        *_SOURCE,
        Column("notes", "notes", Cell.TEXT),
    ),
    order=("start_date", "slug"),
)

# The dashboard table: computed by `figures.country_figures`, not read from one model.
SUMMARY = Export(
    "summary",
    (
        Column("mission", None, Cell.SLUG),
        Column("country_iso3", None, Cell.CODE),
        Column("country", None, Cell.TEXT),
        Column("personnel_type", None, Cell.CODE),
        Column("pledged", None, Cell.NUMBER),
        Column("deployed", None, Cell.NUMBER),
        Column("gap", None, Cell.NUMBER),
        Column("percent_of_pledge", None, Cell.DECIMAL),
        Column("fatalities", None, Cell.NUMBER),
        Column("first_arrival", None, Cell.DATE),
        Column("last_event", None, Cell.DATE),
        Column("as_of", None, Cell.DATE),
        # docs/rules.md, "Disputed follows the figure", the rule of figures.country_figures.
        Column("pledged_disputed", None, Cell.BOOLEAN),
        Column("deployed_disputed", None, Cell.BOOLEAN),
        # docs/rules.md, "Disputed follows the figure": how much of each figure is disputed.
        Column("pledged_unconfirmed", None, Cell.NUMBER),
        Column("deployed_unconfirmed", None, Cell.NUMBER),
    ),
)

# What changed between two dates: computed by `changes.changes_between`, one row per
# country (the total is the sum of the rows), the disputed flags of the later figures last.
CHANGES = Export(
    "changes",
    (
        Column("country_iso3", None, Cell.CODE),
        Column("country", None, Cell.TEXT),
        Column("deployed_from", None, Cell.NUMBER),
        Column("deployed_to", None, Cell.NUMBER),
        Column("deployed_change", None, Cell.NUMBER),
        Column("pledged_from", None, Cell.NUMBER),
        Column("pledged_to", None, Cell.NUMBER),
        Column("pledged_change", None, Cell.NUMBER),
        Column("arrivals", None, Cell.NUMBER),
        Column("departures", None, Cell.NUMBER),
        Column("transfers", None, Cell.NUMBER),
        Column("fatalities", None, Cell.NUMBER),
        Column("events", None, Cell.NUMBER),
        Column("deployed_to_disputed", None, Cell.BOOLEAN),
        Column("pledged_to_disputed", None, Cell.BOOLEAN),
    ),
)

# A mission's money as of as_of (tracker/funding_figures.py): per channel, all donors
# then each donor. Requirement and share on the all-donors trust-fund row only.
FUNDING_SUMMARY = Export(
    "funding_summary",
    (
        Column("as_of", None, Cell.DATE),
        Column("channel", None, Cell.CODE),
        Column("donor_iso3", None, Cell.CODE),
        Column("donor", None, Cell.TEXT),
        Column("pledged", None, Cell.NUMBER),
        Column("received", None, Cell.NUMBER),
        Column("pledged_disputed", None, Cell.BOOLEAN),
        Column("received_disputed", None, Cell.BOOLEAN),
        Column("requirement", None, Cell.NUMBER),
        Column("requirement_disputed", None, Cell.BOOLEAN),
        Column("share", None, Cell.DECIMAL),
        Column("figure_date", None, Cell.DATE),
    ),
)

# The files `import_csv` takes (and exports), in the order they depend on each other.
EXPORTS = {export.name: export for export in (MISSIONS, PLEDGES, EVENTS, FUNDING)}
KINDS = tuple(EXPORTS)
COLUMNS = {kind: export.names for kind, export in EXPORTS.items()}
OPTIONAL_COLUMNS = {kind: export.optional for kind, export in EXPORTS.items()}

EVENT_COLUMNS = EVENTS.names
PLEDGE_COLUMNS = PLEDGES.names
MISSION_COLUMNS = MISSIONS.names
FUNDING_COLUMNS = FUNDING.names
SUMMARY_COLUMNS = SUMMARY.names
FUNDING_SUMMARY_COLUMNS = FUNDING_SUMMARY.names
