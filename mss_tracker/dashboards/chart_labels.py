"""Where a focused chart point's figure goes, beside the point and inside the plot
(charts.py; the milestones' labels are chart_milestones.py's)."""

from __future__ import annotations


def point_label_place(
    x: float, y: float, *, top: float, flip_from: float, font_size: float
) -> tuple[float, float, str]:
    """Where a point's label goes (x, y, text-anchor): beside the point, leftwards in the
    plot's right part, and below it where above would run into the top."""
    above = y - 8
    label_y = above if above - font_size > top - 4 else y + font_size + 6
    if x > flip_from:
        return round(x - 8, 1), round(label_y, 1), "end"
    return round(x + 8, 1), round(label_y, 1), "start"
