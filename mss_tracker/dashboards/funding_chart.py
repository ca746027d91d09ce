"""The funding chart: the trust fund's received and pledged over time against the yearly
requirement, drawn on the server as SVG like the strength chart (charts.py).

Readable without colour: each line has its own stroke (received solid, pledged dashed,
requirement dotted), its own marker (circles, squares, none) and its name written at its
end, as well as in the legend. The figures come from `funding_figures.funding_series`;
`templates/dashboards/funding_chart.svg` draws this module's geometry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from mss_tracker.dashboards.charts import (
    FONT,
    GRID_COLOUR,
    NARROW,
    TEXT_COLOUR,
    WIDE,
    ChartSize,
    Gridline,
    Point,
    XTick,
    month_ticks,
    nice_top,
)
from mss_tracker.dashboards.templatetags.dashboard_format import thousands, usd
from mss_tracker.tracker.dates import format_with_precision

Series = list[tuple[datetime.date, int]]
MILLION = 1_000_000

RECEIVED_COLOUR = "#1d5b8f"
PLEDGED_COLOUR = "#b25b12"
REQUIREMENT_COLOUR = "#4b5563"


@dataclass(frozen=True)
class Line:
    name: str  # "received", "pledged", "requirement"
    label: str
    colour: str
    dash: str  # stroke-dasharray ("" for solid)
    width: float
    path: str
    points: list[Point]
    marker: str  # "circle", "square" or ""
    end_x: float
    end_y: float


@dataclass(frozen=True)
class FundingChartGeometry:
    size: ChartSize
    title: str
    description: str
    left: float
    plot_right: float
    top: float
    plot_bottom: float
    gridlines: list[Gridline]
    ticks: list[XTick]
    tick_label_y: float
    lines: list[Line]
    legend_y: float
    axis_label: str
    font: str = FONT
    text_colour: str = TEXT_COLOUR
    grid_colour: str = GRID_COLOUR

    @property
    def tick_bottom(self) -> float:
        return self.plot_bottom + 5

    @property
    def small_font_size(self) -> int:
        return self.size.font_size - 1

    @property
    def legend(self) -> list[tuple[Line, float]]:
        """Each line with the x of its legend swatch."""
        step = (self.plot_right - self.left) / 3
        return [(line, int(self.left + i * step)) for i, line in enumerate(self.lines)]


def _day(day: datetime.date) -> str:
    return format_with_precision(day, "day")


def funding_chart_title(acronym: str, as_of: datetime.date) -> str:
    return _("%(acronym)s trust fund: received and pledged against the yearly requirement, to "
             "%(date)s") % {"acronym": acronym, "date": _day(as_of)}  # fmt: skip


def funding_geometry(
    *,
    title: str,
    series: dict[str, Series],
    start: datetime.date,
    end: datetime.date,
    size: ChartSize = WIDE,
) -> FundingChartGeometry:
    firsts = [points[0][0] for points in series.values() if points]
    start = min([start, *firsts])
    if end <= start:
        end = start + datetime.timedelta(days=1)
    left, right, top, bottom = 52, 14 + (0 if size.short_labels else 70), 16, 62
    plot_w = size.width - left - right
    plot_h = size.height - top - bottom
    highest = max([0, *(value for points in series.values() for _, value in points)])
    top_millions, step_millions = nice_top(-(-highest // MILLION))
    y_top = top_millions * MILLION
    span = (end - start).days

    def x(day: datetime.date) -> float:
        return round(left + plot_w * (day - start).days / span, 1)

    def y(value: int) -> float:
        return round(top + plot_h * (1 - value / y_top), 1)

    gridlines = [
        Gridline(
            y(m * MILLION), thousands(m), round(y(m * MILLION) + size.font_size / 3, 1), m == 0
        )
        for m in range(0, top_millions + 1, step_millions)
    ]
    ticks = []
    labelled_year = None  # each year named once, at its first tick
    for tick in month_ticks(start, end, size.max_x_ticks):
        label = str(tick.year) if tick.year != labelled_year else ""
        labelled_year = tick.year
        ticks.append(XTick(x(tick), label, "middle"))

    styles = {
        "received": (_("Received"), RECEIVED_COLOUR, "", 2.5, "circle"),
        "pledged": (_("Pledged"), PLEDGED_COLOUR, "7 4", 2, "square"),
        "requirement": (_("Requirement"), REQUIREMENT_COLOUR, "2 3", 2, ""),
    }
    tips = {
        "received": _("%(date)s: %(amount)s received"),
        "pledged": _("%(date)s: %(amount)s pledged"),
        "requirement": _("%(date)s: requirement of %(amount)s a year"),
    }
    lines = []
    for name, (label, colour, dash, width, marker) in styles.items():
        points = series.get(name, [])
        if not points:
            continue
        path = [f"M{x(points[0][0])},{y(points[0][1])}"]
        path += [f"H{x(day)}V{y(value)}" for day, value in points[1:]]
        path.append(f"H{x(end)}")
        corner = 3.5 if marker == "square" else 0  # a square is placed by its corner
        drawn = [
            Point(
                round(x(day) - corner, 1),
                round(y(value) - corner, 1),
                tips[name] % {"date": _day(day), "amount": usd(value)},
            )
            for day, value in points
        ]
        lines.append(
            Line(
                name,
                label,
                colour,
                dash,
                width,
                "".join(path),
                drawn,
                marker,
                x(end) + 4,
                y(points[-1][1]) + size.font_size / 3,
            )
        )
    _spread_end_labels(lines, size.font_size + 2)
    last = {name: points[-1][1] for name, points in series.items() if points}
    description = _(
        "Received %(received)s and pledged %(pledged)s against a requirement of "
        "%(requirement)s a year on %(end)s."
    ) % {
        "received": usd(last.get("received")),
        "pledged": usd(last.get("pledged")),
        "requirement": usd(last.get("requirement")),
        "end": _day(end),
    }
    return FundingChartGeometry(
        size=size,
        title=title,
        description=description,
        left=left,
        plot_right=left + plot_w,
        top=top,
        plot_bottom=top + plot_h,
        gridlines=gridlines,
        ticks=ticks,
        tick_label_y=top + plot_h + 5 + size.font_size,
        lines=lines,
        legend_y=size.height - 14,
        axis_label=_("US$ millions"),
    )


def _spread_end_labels(lines: list[Line], gap: float) -> None:
    """Move the names written at the lines' ends apart where two would overlap (received
    and pledged are often close): each at least `gap` below the one above it."""
    previous = None
    for index, line in sorted(enumerate(lines), key=lambda pair: pair[1].end_y):
        if previous is not None and line.end_y < previous + gap:
            lines[index] = replace(line, end_y=round(previous + gap, 1))
        previous = lines[index].end_y


def funding_charts(title: str, series: dict[str, Series], start, end) -> dict[str, SafeString]:
    """The funding chart, wide (desktop, print, funding.svg) and narrow (phones)."""
    drawing = {"title": title, "series": series, "start": start, "end": end}
    return {
        size_name: render_to_string(
            "dashboards/funding_chart.svg", {"chart": funding_geometry(**drawing, size=size)}
        )
        for size_name, size in (("wide", WIDE), ("narrow", NARROW))
    }
