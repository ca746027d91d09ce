"""Strength-over-time charts as plain SVG, drawn on the server.

No chart library and no JavaScript: the page inlines the SVG (each point focusable, its
figure shown on focus, and listed in a table beside it), and `chart.svg` serves the same
drawing alone. Colours are presentation attributes, not CSS: the file looks the same pasted
into a report, and a strict CSP has nothing to object to.

The figures come from `figures.strength_series` / `figures.pledged_series`; this module
places them (`chart_geometry`, a `ChartGeometry`) and the template `dashboards/chart.svg`
draws them, its autoescaping escaping every text. It places no more points than the
chart's width can show (`downsample`): years of daily history cost what months cost.
"""

from __future__ import annotations

import datetime
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mss_tracker.dashboards import chart_points
from mss_tracker.dashboards.chart_labels import point_label_place
from mss_tracker.dashboards.chart_milestones import DrawnMilestone, drawn_milestones
from mss_tracker.dashboards.chart_points import Point
from mss_tracker.dashboards.chart_table import ChartRow, chart_table
from mss_tracker.dashboards.templatetags.dashboard_format import personnel_noun, thousands
from mss_tracker.tracker.dates import format_with_precision
from mss_tracker.tracker.models import Country, Milestone, Mission

Series = list[tuple[datetime.date, int]]

DEPLOYED_COLOUR = "#1d5b8f"
PLEDGED_COLOUR = "#b25b12"
MILESTONE_COLOUR = "#6b7280"
GRID_COLOUR = "#e5e7eb"
TEXT_COLOUR = "#1f2933"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


@dataclass(frozen=True)
class ChartSize:
    width: int
    height: int
    font_size: int
    max_x_ticks: int
    short_labels: bool


WIDE = ChartSize(width=760, height=360, font_size=12, max_x_ticks=9, short_labels=False)
NARROW = ChartSize(width=360, height=300, font_size=11, max_x_ticks=4, short_labels=True)


def chart_title(
    mission: Mission,
    as_of: datetime.date,
    personnel_type: str | None,
    country: Country | None = None,
) -> str:
    """ "MSS: police personnel deployed and pledged, to 2 Oct 2025", in the page's language."""
    names = {
        "who": f"{mission.acronym} {country.local_name}" if country else mission.acronym,
        "type": personnel_noun(personnel_type),
        "date": _day(as_of),
    }
    if personnel_type:
        return _("%(who)s: %(type)s personnel deployed and pledged, to %(date)s") % names
    return _("%(who)s: personnel (all types) deployed and pledged, to %(date)s") % names


def _day(day: datetime.date) -> str:
    return _tip_text(get_language(), day, None)["date"]


def _tip(day: datetime.date, value: int, precision: str = "day") -> dict[str, str]:
    """A point's date as precisely as it is known ("Apr 2025") and its figure."""
    return _tip_text(get_language(), day, value, precision)


@functools.lru_cache(maxsize=20_000)
def _tip_text(
    language: str | None, day: datetime.date, value: int | None, precision: str = "day"
) -> dict[str, str]:
    """A point's date and figure in `language` (the active one, which formats them),
    formatted once per process: pages of other dates draw the same points again."""
    personnel = "" if value is None else thousands(value)
    return {"date": format_with_precision(day, precision), "personnel": personnel}


def nice_top(value: int) -> tuple[int, int]:
    """A round axis top at or above `value` and the step between its gridlines."""
    value = max(value, 10)
    raw_step = value / 4
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    step = max(int(step), 1)
    return step * math.ceil(value / step), step


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_ticks(start: datetime.date, end: datetime.date, max_ticks: int) -> list[datetime.date]:
    first = _add_months(start.replace(day=1), 1) if start.day > 1 else start
    for every in (1, 2, 3, 6, 12, 24, 60):
        # Align ticks on calendar boundaries (quarters start in Jan, Apr, Jul, Oct).
        tick = first
        while (tick.month - 1) % min(every, 12):
            tick = _add_months(tick, 1)
        ticks = []
        while tick <= end:
            ticks.append(tick)
            tick = _add_months(tick, every)
        if len(ticks) <= max_ticks:
            return ticks
    return [start, end]


# Each step line keeps at most this many points per this many pixels of plot width.
BUCKET_PX = 4
ENVELOPE = 4  # first, lowest, highest, last


def downsample(series: Series, start: datetime.date, span_days: int, plot_px: float) -> Series:
    """The points worth drawing: the chart's cost follows its width, not its history.

    The plot's width is cut into buckets of `BUCKET_PX` pixels. A bucket with at most
    `ENVELOPE` points keeps them all; a fuller one keeps its envelope: its first point, its
    lowest, its highest and its last, in date order. Every kept point is a true (date, value)
    of the series, so the step line passes through the true value on each kept date, ends on
    the exact last value, and no spike inside a bucket is lost; what goes is the timing of
    the steps between the envelope's points, by less than a bucket's width (a few pixels).
    One linear pass; a series with few points per bucket comes back as it is.
    """
    if len(series) <= ENVELOPE or span_days <= 0:
        return series
    per_day = max(1, int(plot_px / BUCKET_PX)) / span_days  # buckets per day
    kept: Series = []
    bucket: Series = []
    current = None
    for point in [*series, None]:
        index = int((point[0] - start).days * per_day) if point is not None else None
        if index == current:
            bucket.append(point)
            continue
        if len(bucket) <= ENVELOPE:
            kept.extend(bucket)
        else:
            values = [value for _, value in bucket]
            low, high = values.index(min(values)), values.index(max(values))
            kept.extend(bucket[i] for i in sorted({0, low, high, len(bucket) - 1}))
        bucket, current = [point], index
    return kept


def _value_on(series: Series, day: datetime.date) -> int:
    value = 0
    for when, total in series:
        if when > day:
            break
        value = total
    return value


@dataclass(frozen=True)
class Gridline:
    y: float
    label: str  # the value, on the y axis
    label_y: float
    baseline: bool  # the zero line, drawn darker


@dataclass(frozen=True)
class XTick:
    x: float
    label: str  # empty where it would touch the previous label
    anchor: str  # text-anchor: start, middle or end


@dataclass(frozen=True)
class Unrecorded:
    x: float  # where the latest event is
    y: float
    width: float
    height: float
    path: str  # the last figure carried on, drawn faint
    label: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class ChartGeometry:
    """Everything `dashboards/chart.svg` draws, already placed: positions in the SVG's
    user units, texts unescaped (the template's autoescaping escapes them)."""

    size: ChartSize
    title: str
    description: str
    left: float
    plot_right: float
    top: float
    plot_bottom: float
    axis_label_y: float | None  # the rotated "Personnel" label; None on narrow charts
    gridlines: list[Gridline]
    ticks: list[XTick]
    tick_label_y: float
    milestones: list[DrawnMilestone]
    pledged_path: str
    deployed_path: str
    pledged_points: list[Point]
    deployed_points: list[Point]
    legend_y: float
    # After the latest event of a running mission nothing is known: the figure is drawn
    # faint over a hatched band, not as a confident line (docs/rules.md, "Freshness").
    unrecorded: Unrecorded | None = None
    # The drawn points' figures as a table, readable without pointer or JavaScript.
    table: list[ChartRow] = field(default_factory=list)

    @property
    def colours(self) -> dict[str, str]:
        return {
            "deployed": DEPLOYED_COLOUR,
            "pledged": PLEDGED_COLOUR,
            "milestone": MILESTONE_COLOUR,
            "grid": GRID_COLOUR,
            "text": TEXT_COLOUR,
        }

    @property
    def font(self) -> str:
        return FONT

    @property
    def small_font_size(self) -> int:
        return self.size.font_size - 1

    @property
    def legend(self) -> dict[str, float]:
        """The legend's positions under the axis: three swatches, each with its label."""
        left, y = self.left, self.legend_y
        return {
            "y": y,
            "swatch_y": y - 4,
            "deployed_x1": left,
            "deployed_x2": left + 26,
            "deployed_label_x": left + 32,
            "pledged_x1": left + 110,
            "pledged_x2": left + 136,
            "pledged_label_x": left + 142,
            "milestone_x": left + 214,
            "milestone_y1": y - 11,
            "milestone_y2": y + 2,
            "milestone_label_x": left + 220,
        }

    @property
    def tick_bottom(self) -> float:
        return self.plot_bottom + 5


@dataclass(frozen=True)
class _Frame:
    """The plot area and its scales: a day to its x, a figure to its y."""

    size: ChartSize
    start: datetime.date
    end: datetime.date
    y_top: int
    left: int = 52
    right: int = 14
    bottom: int = 62

    # Computed once: x() and y() place a thousand points per chart.
    @functools.cached_property
    def top(self) -> int:
        return 40 if self.size.short_labels else 44

    @functools.cached_property
    def plot_w(self) -> int:
        return self.size.width - self.left - self.right

    @functools.cached_property
    def plot_h(self) -> int:
        return self.size.height - self.top - self.bottom

    def x(self, day: datetime.date) -> float:
        return round(self.left + self.plot_w * (day - self.start).days / self.span, 1)

    def y(self, value: int) -> float:
        return round(self.top + self.plot_h * (1 - value / self.y_top), 1)

    @functools.cached_property
    def span(self) -> int:
        return (self.end - self.start).days


def _x_ticks(frame: _Frame) -> list[XTick]:
    """The x axis: month ticks, each label drawn only where it does not touch the previous one."""
    size, fs = frame.size, frame.size.font_size
    ticks = []
    previous_right = -1.0
    for tick in month_ticks(frame.start, frame.end, size.max_x_ticks):
        label = (
            str(tick.year)
            if tick.month == 1 and size.short_labels
            else date_format(tick, "YEAR_MONTH_FORMAT")
        )
        half_width = len(label) * fs * 0.3
        x = frame.x(tick)
        anchor = "middle"
        if x + half_width > size.width - 2:
            anchor = "end"
        elif x - half_width < 2:
            anchor = "start"
        label_left = {"middle": x - half_width, "start": x}.get(anchor, x - 2 * half_width)
        if label_left < previous_right + 6:
            label = ""
        else:
            previous_right = label_left + 2 * half_width
        ticks.append(XTick(x, label, anchor))
    return ticks


def _step_path(
    frame: _Frame, series: Series, until: datetime.date, from_first: bool = False
) -> str:
    """A step line starting at 0 on the first day (a successor's deployed line at its
    carried-over figure), drawn to `until`."""
    if from_first and series:
        points = [f"M{frame.x(series[0][0])},{frame.y(series[0][1])}"]
        series = series[1:]
    else:
        points = [f"M{frame.x(frame.start)},{frame.y(0)}"]
    for day, value in series:
        points.append(f"H{frame.x(day)}V{frame.y(value)}")
    points.append(f"H{frame.x(until)}")
    return "".join(points)


def _unrecorded(
    frame: _Frame, deployed: Series, recorded_until: datetime.date | None
) -> Unrecorded | None:
    """The hatched stretch after the latest event of a mission still running at the end."""
    if recorded_until is None or not frame.start <= recorded_until < frame.end:
        return None
    last, right, bottom = frame.x(recorded_until), frame.left + frame.plot_w, frame.plot_h
    return Unrecorded(
        x=last,
        y=frame.top,
        width=round(right - last, 1),
        height=bottom,
        path=f"M{last},{frame.y(_value_on(deployed, frame.end))}H{frame.x(frame.end)}",
        label=_("Nothing recorded since %(date)s") % {"date": _day(recorded_until)},
        label_x=round(right - 4, 1),
        label_y=round(frame.top + bottom - 6, 1),
    )


def _time_span(
    deployed: Series, pledged: Series, start: datetime.date, end: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The chart's first and last day: from the earlier of `start` and the first figure."""
    start = min([start, *(day for day, _ in deployed[:1]), *(day for day, _ in pledged[:1])])
    return start, max(end, start + datetime.timedelta(days=1))


def drawn_points(
    deployed: Series, pledged: Series, start: datetime.date, end: datetime.date, size: ChartSize
) -> tuple[Series, Series]:
    """The points a chart of `size` draws of each series (see `downsample`)."""
    start, end = _time_span(deployed, pledged, start, end)
    span, width = (end - start).days, _Frame(size, start, end, 1).plot_w
    return downsample(deployed, start, span, width), downsample(pledged, start, span, width)


def chart_geometry(
    *,
    title: str,
    deployed: Series,
    pledged: Series,
    start: datetime.date,
    end: datetime.date,
    milestones: list[Milestone],
    size: ChartSize = WIDE,
    carried_over: bool = False,
    recorded_until: datetime.date | None = None,
    deployed_precisions: Mapping[datetime.date, str] | None = None,
    pledged_precisions: Mapping[datetime.date, str] | None = None,
) -> ChartGeometry:
    """Where everything goes: the deployed total as a step line against the pledged
    total, from start to end, with gridlines, month ticks and mandate milestones.

    `carried_over`: the mission took over a predecessor's personnel, so its deployed line
    starts at its first figure (the transfers) instead of rising from 0. `recorded_until`:
    the latest event of a mission still running at `end`; after it the line is faint and
    the stretch hatched. `deployed_precisions` / `pledged_precisions`: the dates known
    only to the month or year (`explanations.coarse_dates`), shown so ("Apr 2025")."""
    start, end = _time_span(deployed, pledged, start, end)
    deployed_at, pledged_at = deployed_precisions or {}, pledged_precisions or {}
    y_top, y_step = nice_top(max([0, *(v for _, v in deployed), *(v for _, v in pledged)]))
    frame = _Frame(size, start, end, y_top)
    x, y, top, fs = frame.x, frame.y, frame.top, size.font_size
    # Only what the width can show (exact at every kept date): see `downsample`.
    deployed_drawn = downsample(deployed, start, frame.span, frame.plot_w)
    pledged_drawn = downsample(pledged, start, frame.span, frame.plot_w)
    unrecorded = _unrecorded(frame, deployed, recorded_until)
    description = _(
        "%(deployed)s personnel deployed against %(pledged)s pledged on %(end)s, from %(start)s."
    ) % {
        "deployed": thousands(_value_on(deployed, end)),
        "pledged": thousands(_value_on(pledged, end)),
        "end": _day(end),
        "start": _day(start),
    }
    pledged_tip = _("%(date)s: %(personnel)s pledged")
    deployed_tip = _("%(date)s: %(personnel)s deployed")

    def place(px: float, py: float) -> tuple[float, float, str]:  # a focused point's label
        return point_label_place(
            px, py, top=top, flip_from=x(start) + frame.plot_w * 0.6, font_size=fs
        )

    return ChartGeometry(
        size=size,
        title=title,
        description=description,
        left=frame.left,
        plot_right=frame.left + frame.plot_w,
        top=top,
        plot_bottom=top + frame.plot_h,
        axis_label_y=None if size.short_labels else round(top + frame.plot_h / 2, 1),
        gridlines=[
            Gridline(y(value), thousands(value), round(y(value) + fs / 3, 1), value == 0)
            for value in range(0, y_top + 1, y_step)
        ],
        ticks=_x_ticks(frame),
        tick_label_y=top + frame.plot_h + 5 + fs,
        milestones=drawn_milestones(
            [m for m in milestones if start <= m.day <= end],
            x,
            top=top,
            right_half_from=frame.left + frame.plot_w * 0.75,
            width=size.width,
            font_size=fs,
            short_labels=size.short_labels,
        ),
        pledged_path=_step_path(frame, pledged_drawn, end),
        deployed_path=_step_path(
            frame, deployed_drawn, recorded_until if unrecorded else end, carried_over
        ),
        pledged_points=[
            Point(
                round(px - 3.5, 1),
                round(py - 3.5, 1),
                pledged_tip % _tip(day, value, pledged_at.get(day, "day")),
                *place(px, py),
            )
            for day, value in pledged_drawn
            for px, py in [(x(day), y(value))]
        ],
        deployed_points=[
            Point(
                px, py, deployed_tip % _tip(day, value, deployed_at.get(day, "day")), *place(px, py)
            )
            for day, value in deployed_drawn
            for px, py in [(x(day), y(value))]
        ],
        legend_y=size.height - 14,
        unrecorded=unrecorded,
        table=chart_table(
            deployed, pledged, deployed_drawn, pledged_drawn, deployed_at, pledged_at
        ),
    )


def draw(chart: ChartGeometry) -> SafeString:
    """The chart as SVG markup, drawn by its template; its points by `chart_points`."""
    colours = chart.colours
    points = {
        "pledged_points": chart_points.pledged_points(chart.pledged_points, colours["pledged"]),
        "deployed_points": chart_points.deployed_points(chart.deployed_points, colours["deployed"]),
    }
    return render_to_string("dashboards/chart.svg", {"chart": chart, **points})


def strength_chart(**drawing) -> SafeString:
    """The chart as SVG markup (`chart_geometry`'s arguments), drawn by its template."""
    return draw(chart_geometry(**drawing))
