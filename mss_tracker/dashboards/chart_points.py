"""The strength chart's focusable points as SVG markup, written in Python.

A chart of a long mission draws some 1,000 points (wide and narrow together), each a
`<g>` with its figure three times (aria-label, title, the label shown on focus). Drawn by
a template loop, they were half the cost of an uncached dashboard: about ten variable
lookups, localisations and escapes per point. Here each point is one format string; the
numbers are written as the chart template writes them under `{% localize off %}`, as
Python writes them (SVG wants 12.5, never 12,5), and the texts escaped as autoescaping escapes them.
tests/test_chart_points.py holds the markup byte for byte equal to the template loop it
replaced (docs/performance.md, "The dashboard's chart points").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Point:
    """A drawn point (`charts.chart_geometry`): where it is, and its figure in words."""

    x: float
    y: float
    tooltip: str
    label_x: float = 0  # where its figure shows while it has focus (or is tapped)
    label_y: float = 0
    anchor: str = "start"


_LABEL = (
    '<text class="chart-point-label" x="{label_x}" y="{label_y}" text-anchor="{anchor}" '
    'visibility="hidden" stroke="#ffffff" stroke-width="4" paint-order="stroke" '
    'font-weight="600">{tip}</text></g>\n'
)
_OPEN = '\n<g class="chart-point" tabindex="0" role="img" aria-label="{tip}"><title>{tip}</title>\n'
_PLEDGED = _OPEN + '<rect x="{x}" y="{y}" width="7" height="7" fill="{colour}"/>\n' + _LABEL
_DEPLOYED = _OPEN + '<circle cx="{x}" cy="{y}" r="4" fill="{colour}"/>\n' + _LABEL


def _markup(template: str, points: Iterable[Point], colour: str) -> SafeString:
    colour = escape(colour)
    return mark_safe(  # every text escaped above and below, numbers are digits
        "".join(
            template.format(
                tip=escape(point.tooltip),
                x=str(point.x),
                y=str(point.y),
                label_x=str(point.label_x),
                label_y=str(point.label_y),
                anchor=escape(point.anchor),
                colour=colour,
            )
            for point in points
        )
    )


def pledged_points(points: Iterable[Point], colour: str) -> SafeString:
    """The pledged line's points: a square each, filled with `colour`."""
    return _markup(_PLEDGED, points, colour)


def deployed_points(points: Iterable[Point], colour: str) -> SafeString:
    """The deployed line's points: a dot each, filled with `colour`."""
    return _markup(_DEPLOYED, points, colour)
