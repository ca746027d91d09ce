"""Where the strength chart's milestones go (charts.py draws the rest): a dashed line at
each mandate date within the chart, its label in the row and on the side where it touches
no other label and crosses no other milestone's line."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from mss_tracker.tracker.dates import Milestone, format_with_precision


@dataclass(frozen=True)
class DrawnMilestone:
    x: float
    line_top: float
    label_x: float
    label_y: float
    anchor: str
    label: str
    tooltip: str


MILESTONE_ROWS = 2  # label rows above the plot
_LABEL_GAP = 4  # px at least between two labels in a row


def milestone_label_places(
    xs: list[float],
    labels: list[str],
    *,
    font_size: float,
    right_half_from: float,
    width: float,
) -> list[tuple[int, str]]:
    """A row (0 = top) and a text-anchor for each milestone label, in date order.

    A label sits beside its dashed line, which runs down from the label's row through the
    rows below. Each label takes the first row and side where its text touches no other
    label and crosses no other line: two close dates (GSF authorised 30 Sep 2025, started
    3 Oct) get a row each. Labels in the last quarter are drawn leftwards of their line;
    none is drawn past either edge (0 to `width`). Where every place collides (more close
    milestones than rows), the least crowded wins.
    """
    placed: list[tuple[float, float, int, float]] = []  # label left, right, row, line x
    places = []
    for mx, label in zip(xs, labels, strict=True):
        text_width = len(label) * font_size * 0.6  # a generous average glyph width
        preferred = "end" if mx > right_half_from else "start"
        best: tuple[int, int, str, float, float] | None = None
        for anchor in (preferred, "start" if preferred == "end" else "end"):
            if anchor == "start":
                x0, x1 = mx + 3, mx + 3 + text_width
            else:
                x0, x1 = mx - 3 - text_width, mx - 3
            for row in range(MILESTONE_ROWS):
                # Two labels touching is worse than a line through a label.
                collisions = 2 * (x0 < 0 or x1 > width) + sum(
                    2 * (other_row == row and x0 < right + _LABEL_GAP and left < x1 + _LABEL_GAP)
                    + (other_row <= row and x0 < line < x1)
                    + (row <= other_row and left < mx < right)
                    for left, right, other_row, line in placed
                )
                if best is None or collisions < best[0]:
                    best = (collisions, row, anchor, x0, x1)
        _, row, anchor, x0, x1 = best
        placed.append((x0, x1, row, mx))
        places.append((row, anchor))
    return places


def drawn_milestones(
    milestones: list[Milestone],
    x: Callable[[datetime.date], float],
    *,
    top: int,
    right_half_from: float,
    width: int,
    font_size: int,
    short_labels: bool,
) -> list[DrawnMilestone]:
    """The milestones (those within the chart), in date order, placed above a plot whose
    top is `top`; `x` gives a day's position (the chart's `ChartSize` gives the rest)."""
    fs = font_size
    shown = sorted(milestones, key=lambda m: m.day)
    places = milestone_label_places(
        [x(milestone.day) for milestone in shown],
        [milestone.label for milestone in shown],
        font_size=fs - 1,
        right_half_from=right_half_from,
        width=width,
    )
    drawn = []
    for milestone, (row, anchor) in zip(shown, places, strict=True):
        mx = x(milestone.day)
        ly = top - 27 + row * (fs + 2) if not short_labels else top - 24 + row * 12
        day = format_with_precision(milestone.day, "day")
        drawn.append(
            DrawnMilestone(
                x=mx,
                line_top=ly - fs + 2,
                label_x=mx + (-3 if anchor == "end" else 3),
                label_y=ly,
                anchor=anchor,
                label=milestone.label,
                tooltip=_("%(milestone)s: %(date)s")
                % {"milestone": milestone.description, "date": day},
            )
        )
    return drawn
