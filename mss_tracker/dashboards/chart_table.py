"""The table beside a strength chart: the drawn points' dates and figures, for a reader who
cannot hover (keyboard, touch, screen reader) and without JavaScript (charts.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from mss_tracker.dashboards.templatetags.dashboard_format import thousands
from mss_tracker.tracker.dates import format_with_precision

Series = list[tuple[datetime.date, int]]


@dataclass(frozen=True)
class ChartRow:
    """A row of the table beside the chart: a drawn date and both figures on it."""

    date: datetime.date
    label: str  # the date as precisely as it is known
    deployed: int
    pledged: int


def _values_on(series: Series, days: list[datetime.date]) -> list[int]:
    """The series' value on each of `days` (in order): one pass over both."""
    values, index, value = [], 0, 0
    for day in days:
        while index < len(series) and series[index][0] <= day:
            value = series[index][1]
            index += 1
        values.append(value)
    return values


def chart_table(
    deployed: Series,
    pledged: Series,
    deployed_drawn: Series,
    pledged_drawn: Series,
    deployed_at: Mapping[datetime.date, str],
    pledged_at: Mapping[datetime.date, str],
) -> list[ChartRow]:
    """The rows of the table beside the chart: every drawn date, both figures on it, the
    date as precisely as the coarser of its records is known."""
    order = ["day", "month", "year"]
    days = sorted({day for day, _ in [*deployed_drawn, *pledged_drawn]})
    return [
        ChartRow(
            day,
            format_with_precision(
                day, max(deployed_at.get(day, "day"), pledged_at.get(day, "day"), key=order.index)
            ),
            deployed_value,
            pledged_value,
        )
        for day, deployed_value, pledged_value in zip(
            days, _values_on(deployed, days), _values_on(pledged, days), strict=True
        )
    ]


_ROW = (
    '<tr><th scope="row"><time datetime="{iso}">{label}</time></th>'
    '<td class="num">{deployed}</td><td class="num">{pledged}</td></tr>\n      '
)


def table_rows(rows: Iterable[ChartRow]) -> SafeString:
    """The table's body rows as HTML, one format string each: a long mission's table has
    some 900 rows, and a template loop over them was a third of the page's own rendering.
    The texts are escaped as autoescaping escapes them; tests/test_chart_points.py holds
    the markup equal to the template loop it replaced (docs/performance.md, "The
    dashboard's chart points")."""
    return mark_safe(  # every text escaped here; the ISO date is digits and dashes
        "".join(
            _ROW.format(
                iso=row.date.isoformat(),
                label=escape(row.label),
                deployed=escape(thousands(row.deployed)),
                pledged=escape(thousands(row.pledged)),
            )
            for row in rows
        )
    )
