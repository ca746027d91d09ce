"""Strength-over-time charts as plain SVG, drawn on the server.

No chart library and no JavaScript: the page inlines the SVG (so the `<title>` of each
point is a native tooltip), and `chart.svg` serves the same drawing alone to download or
embed. Colours are presentation attributes, not CSS, so the file looks the same pasted
into a report as it does on the page, and a strict CSP has nothing to object to.

The figures come from `figures.strength_series` / `figures.pledged_series`; this module
only draws them, and draws no more points than the chart's width can show (`downsample`):
a daily history of years costs about what a few months cost.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.utils.html import escape

from mss_tracker.tracker.dates import format_with_precision
from mss_tracker.tracker.models import Mission

Series = list[tuple[datetime.date, int]]

DEPLOYED_COLOUR = "#1d5b8f"
PLEDGED_COLOUR = "#b25b12"
MILESTONE_COLOUR = "#6b7280"
GRID_COLOUR = "#e5e7eb"
TEXT_COLOUR = "#1f2933"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


@dataclass(frozen=True)
class Milestone:
    day: datetime.date
    label: str  # short, drawn on the chart
    description: str  # long, in the tooltip


@dataclass(frozen=True)
class ChartSize:
    width: int
    height: int
    font_size: int
    max_x_ticks: int
    short_labels: bool


WIDE = ChartSize(width=760, height=360, font_size=12, max_x_ticks=9, short_labels=False)
NARROW = ChartSize(width=360, height=300, font_size=11, max_x_ticks=4, short_labels=True)


def mission_milestones(mission: Mission) -> list[Milestone]:
    """The mandate milestones: authorisation, start, end and the successor's start."""
    milestones = [
        Milestone(mission.authorized_on, "Authorised", f"Authorised by {mission.authorized_by}"),
        Milestone(mission.start_date, "Start", f"{mission.acronym} starts"),
    ]
    if mission.end_date:
        milestones.append(Milestone(mission.end_date, "End", f"{mission.acronym} ends"))
    successor = mission.successor
    if successor is not None:
        milestones.append(
            Milestone(
                successor.start_date,
                f"{successor.acronym} starts",
                f"Successor {successor.acronym} ({successor.name}) starts",
            )
        )
    return milestones


def _day(day: datetime.date) -> str:
    return format_with_precision(day, "day")


def _nice_top(value: int) -> tuple[int, int]:
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


def _month_ticks(start: datetime.date, end: datetime.date, max_ticks: int) -> list[datetime.date]:
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


def strength_chart(
    *,
    title: str,
    deployed: Series,
    pledged: Series,
    start: datetime.date,
    end: datetime.date,
    milestones: list[Milestone],
    size: ChartSize = WIDE,
) -> str:
    """The deployed total as a step line against the pledged total, from start to end."""
    start = min([start, *(day for day, _ in deployed[:1]), *(day for day, _ in pledged[:1])])
    if end <= start:
        end = start + datetime.timedelta(days=1)
    left, right, top, bottom = 52, 14, 40 if size.short_labels else 44, 62
    plot_w = size.width - left - right
    plot_h = size.height - top - bottom
    highest = max([0, *(v for _, v in deployed), *(v for _, v in pledged)])
    y_top, y_step = _nice_top(highest)
    span = (end - start).days
    # Only what the width can show (exact at every kept date): see `downsample`.
    deployed_drawn = downsample(deployed, start, span, plot_w)
    pledged_drawn = downsample(pledged, start, span, plot_w)

    def x(day: datetime.date) -> float:
        return round(left + plot_w * (day - start).days / span, 1)

    def y(value: int) -> float:
        return round(top + plot_h * (1 - value / y_top), 1)

    fs = size.font_size
    out: list[str] = []
    deployed_now = _value_on(deployed, end)
    pledged_now = _value_on(pledged, end)
    desc = (
        f"{deployed_now:,} personnel deployed against {pledged_now:,} pledged on {_day(end)}, "
        f"from {_day(start)}."
    )
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size.width} {size.height}" '
        f'width="{size.width}" height="{size.height}" role="img" '
        f'aria-label="{escape(title)}. {escape(desc)}" '
        f'font-family="{FONT}" font-size="{fs}" fill="{TEXT_COLOUR}" class="chart-svg">'
    )
    out.append(f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>")
    out.append(f'<rect width="{size.width}" height="{size.height}" fill="#ffffff"/>')

    # Horizontal gridlines and the y axis labels.
    for value in range(0, y_top + 1, y_step):
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(value)}" y2="{y(value)}" '
            f'stroke="{GRID_COLOUR if value else TEXT_COLOUR}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y(value) + fs / 3:.1f}" text-anchor="end">{value:,}</text>'
        )
    out.append(
        f'<text transform="translate(11 {top + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
        f'font-weight="600" font-size="{fs - 1}">Personnel</text>'
        if not size.short_labels
        else ""
    )

    # The x axis: month ticks, each label drawn only where it does not touch the previous one.
    previous_right = -1.0
    for tick in _month_ticks(start, end, size.max_x_ticks):
        label = str(tick.year) if tick.month == 1 and size.short_labels else tick.strftime("%b %Y")
        half_width = len(label) * fs * 0.3
        anchor = "middle"
        if x(tick) + half_width > size.width - 2:
            anchor = "end"
        elif x(tick) - half_width < 2:
            anchor = "start"
        label_left = {"middle": x(tick) - half_width, "start": x(tick)}.get(
            anchor, x(tick) - 2 * half_width
        )
        if label_left < previous_right + 6:
            label = ""
        else:
            previous_right = label_left + 2 * half_width
        out.append(
            f'<line x1="{x(tick)}" x2="{x(tick)}" y1="{top + plot_h}" y2="{top + plot_h + 5}" '
            f'stroke="{TEXT_COLOUR}"/>'
        )
        if label:
            out.append(
                f'<text x="{x(tick)}" y="{top + plot_h + 5 + fs}" '
                f'text-anchor="{anchor}">{label}</text>'
            )

    # Milestones: dashed verticals, labels staggered so that close dates do not collide.
    shown = sorted((m for m in milestones if start <= m.day <= end), key=lambda m: m.day)
    for row, milestone in enumerate(shown):
        mx = x(milestone.day)
        ly = top - 27 + (row % 2) * (fs + 2) if not size.short_labels else top - 24 + (row % 2) * 12
        anchor = "end" if mx > left + plot_w * 0.75 else "start"
        dx = -3 if anchor == "end" else 3
        out.append(
            f'<g class="milestone"><title>{escape(milestone.description)}: '
            f"{_day(milestone.day)}</title>"
            f'<line x1="{mx}" x2="{mx}" y1="{ly - fs + 2}" y2="{top + plot_h}" '
            f'stroke="{MILESTONE_COLOUR}" stroke-dasharray="2 3"/>'
            f'<text x="{mx + dx}" y="{ly}" text-anchor="{anchor}" fill="{MILESTONE_COLOUR}" '
            f'font-size="{fs - 1}">{escape(milestone.label)}</text></g>'
        )

    # The two step lines, each starting at 0 on the first day.
    def step_path(series: Series) -> str:
        points = [f"M{x(start)},{y(0)}"]
        for day, value in series:
            points.append(f"H{x(day)}V{y(value)}")
        points.append(f"H{x(end)}")
        return "".join(points)

    out.append(
        f'<path d="{step_path(pledged_drawn)}" fill="none" stroke="{PLEDGED_COLOUR}" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
    )
    out.append(
        f'<path d="{step_path(deployed_drawn)}" fill="none" stroke="{DEPLOYED_COLOUR}" '
        f'stroke-width="2.5"/>'
    )
    for day, value in pledged_drawn:
        out.append(
            f'<rect x="{x(day) - 3.5}" y="{y(value) - 3.5}" width="7" height="7" '
            f'fill="{PLEDGED_COLOUR}"><title>{_day(day)}: {value:,} pledged</title></rect>'
        )
    for day, value in deployed_drawn:
        out.append(
            f'<circle cx="{x(day)}" cy="{y(value)}" r="4" fill="{DEPLOYED_COLOUR}">'
            f"<title>{_day(day)}: {value:,} deployed</title></circle>"
        )

    # Legend under the axis.
    ly = size.height - 14
    out.append(
        f'<g class="legend">'
        f'<line x1="{left}" x2="{left + 26}" y1="{ly - 4}" y2="{ly - 4}" '
        f'stroke="{DEPLOYED_COLOUR}" stroke-width="2.5"/>'
        f'<text x="{left + 32}" y="{ly}">Deployed</text>'
        f'<line x1="{left + 110}" x2="{left + 136}" y1="{ly - 4}" y2="{ly - 4}" '
        f'stroke="{PLEDGED_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{left + 142}" y="{ly}">Pledged</text>'
        f'<line x1="{left + 214}" x2="{left + 214}" y1="{ly - 11}" y2="{ly + 2}" '
        f'stroke="{MILESTONE_COLOUR}" stroke-dasharray="2 3"/>'
        f'<text x="{left + 220}" y="{ly}">Milestone</text>'
        f"</g>"
    )
    out.append("</svg>")
    return "".join(out)
