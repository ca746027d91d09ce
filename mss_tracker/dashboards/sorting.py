"""The dashboard table's sort: the `sort` parameter, its ORDER BY, the header links, and
the same order for the table's downloads (summary.csv and .json), whose links carry it."""

from __future__ import annotations

from django.db.models import F, FloatField, QuerySet
from django.db.models.functions import Cast, NullIf
from django.http import QueryDict
from django.utils.translation import gettext as _

from mss_tracker.dashboards.filters import Filters
from mss_tracker.lib.bad_requests import BadParameter

# Dashboard table columns: URL name → the annotation of figures.country_figures it orders by.
SORT_COLUMNS = {
    "country": F("name"),
    "pledged": F("pledged"),
    "deployed": F("deployed"),
    "gap": F("gap"),
    "percent": F("percent_for_sorting"),
    "first_arrival": F("first_arrival"),
    "last_event": F("last_event"),
}
DEFAULT_SORT = "-deployed"


def with_sort(query: str, sort: str) -> str:
    if sort == DEFAULT_SORT:
        return query
    return f"{query}&sort={sort}" if query else f"sort={sort}"


def parse_sort(params: QueryDict) -> str:
    raw = params.get("sort", "").strip()
    if not raw:
        return DEFAULT_SORT
    if raw.removeprefix("-") not in SORT_COLUMNS:
        raise BadParameter(
            "sort",
            raw,
            _("expected one of %(values)s (with a leading - for descending)")
            % {"values": ", ".join(SORT_COLUMNS)},
        )
    return raw


def sort_parameter(params: QueryDict) -> dict[str, str]:
    """`sort` in its normal form, the default left out: for the page cache (caching.py)."""
    sort = parse_sort(params)
    return {"sort": sort} if sort != DEFAULT_SORT else {}


def order_of(sort: str):
    """The ORDER BY term of a `sort` value: its column, nulls last either way."""
    column = SORT_COLUMNS[sort.removeprefix("-")]
    return column.desc(nulls_last=True) if sort.startswith("-") else column.asc(nulls_last=True)


def in_table_order(rows: QuerySet, sort: str) -> QuerySet:
    """The rows of figures.country_figures in the order the table shows for `sort` (then by
    name). The page then orders a sort by country by the names it shows, in its language
    (`languages.by_local_name`); a download keeps the names it holds."""
    return rows.annotate(
        percent_for_sorting=Cast("deployed", FloatField()) / NullIf("pledged", 0)
    ).order_by(order_of(sort), "name")


def download_query(query: str, sort: str) -> str:
    """The query string of the table's downloads: the page's filters and its sort, the
    default sort too (a download without `sort` keeps its rows by country name)."""
    return f"{query}&sort={sort}" if query else f"sort={sort}"


def parse_download_sort(params: QueryDict) -> str | None:
    """A download's `sort`: None when absent (rows by country name), else the table's."""
    return parse_sort(params) if params.get("sort", "").strip() else None


def download_sort_parameter(params: QueryDict) -> dict[str, str]:
    """A download's `sort` in its normal form, for the page cache (caching.py): unlike the
    page's, the default sort is kept, as it orders the rows differently from none."""
    sort = parse_download_sort(params)
    return {"sort": sort} if sort else {}


def header_links(filters: Filters, sort: str) -> list[dict]:
    """The table's header cells: label, the link that sorts by it, and aria-sort."""
    labels = {
        "country": _("Country"),
        "pledged": _("Pledged"),
        "deployed": _("Deployed"),
        "gap": _("Gap"),
        "percent": _("Toward pledge"),
        "first_arrival": _("First arrival"),
        "last_event": _("Last event"),
    }
    columns = []
    for name, label in labels.items():
        current = sort.removeprefix("-") == name
        descending = sort.startswith("-")
        if current:
            next_sort = name if descending else f"-{name}"
        else:
            next_sort = name if name == "country" else f"-{name}"
        columns.append(
            {
                "name": name,
                "label": label,
                "query": with_sort(filters.query_string(), next_sort) or f"sort={next_sort}",
                "aria_sort": ("descending" if descending else "ascending") if current else "",
                "numeric": name in ("pledged", "deployed", "gap"),
            }
        )
    return columns
