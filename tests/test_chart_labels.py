"""Milestone labels on the strength chart never touch each other nor cross another
milestone's line (on the GSF chart "Authorised" and "Start" overlapped)."""

from __future__ import annotations

import datetime
import re

import pytest

from mss_tracker.dashboards import charts

D = datetime.date


def label_boxes(svg: str, font_size: float) -> list[tuple[float, float, float, str]]:
    """Each milestone label's left and right edge, its baseline, and its text."""
    boxes = []
    for x, y, anchor, text in re.findall(
        r'<g class="milestone">.*?<text x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)"'
        r"[^>]*>([^<]*)</text>",
        svg,
        re.S,
    ):
        width = len(text) * font_size * 0.6
        left = float(x) if anchor == "start" else float(x) - width
        boxes.append((left, left + width, float(y), text))
    return boxes


def lines(svg: str) -> list[tuple[float, float]]:
    """Each milestone line's x and top."""
    return [
        (float(x), float(top))
        for x, top in re.findall(
            r'<g class="milestone">.*?<line x1="([\d.]+)"[^>]*y1="([\d.]+)"', svg, re.S
        )
    ]


def assert_apart(svg: str, size: charts.ChartSize) -> None:
    font = size.font_size - 1
    boxes = label_boxes(svg, font)
    assert boxes
    for i, (left, right, baseline, text) in enumerate(boxes):
        assert left >= 0 and right <= size.width, text
        for other_left, other_right, other_baseline, other in boxes[i + 1 :]:
            same_row = abs(baseline - other_baseline) < font
            assert not (same_row and left < other_right and other_left < right), (text, other)
        for x, top in lines(svg):
            crosses = top < baseline and left - 1 < x < right + 1
            assert not crosses, (text, x)


def draw(milestones, size, start=None, end=None) -> str:
    return charts.strength_chart(
        title="t",
        deployed=[(D(2025, 12, 1), 700)],
        pledged=[(D(2025, 9, 30), 150)],
        start=start or D(2025, 9, 30),
        end=end or D(2026, 11, 30),
        milestones=milestones,
        size=size,
    )


@pytest.mark.parametrize("size", [charts.WIDE, charts.NARROW])
def test_the_gsf_authorised_and_start_labels_do_not_overlap(size):
    milestones = [
        charts.Milestone(D(2025, 9, 30), "Authorised", "a"),
        charts.Milestone(D(2025, 10, 3), "Start", "s"),
    ]
    assert_apart(draw(milestones, size), size)


@pytest.mark.parametrize("size", [charts.WIDE, charts.NARROW])
def test_mss_milestones_at_its_end_do_not_overlap(size):
    milestones = [
        charts.Milestone(D(2023, 10, 2), "Authorised", "a"),
        charts.Milestone(D(2024, 6, 25), "Start", "s"),
        charts.Milestone(D(2025, 10, 2), "End", "e"),
        charts.Milestone(D(2025, 10, 3), "GSF starts", "g"),
    ]
    svg = draw(milestones, size, start=D(2023, 10, 2), end=D(2025, 10, 3))
    assert_apart(svg, size)


@pytest.mark.parametrize("days", [1, 5, 20, 60, 120])
def test_two_close_milestones_anywhere_on_the_axis_do_not_overlap(days):
    for first in (D(2025, 10, 1), D(2026, 4, 1), D(2026, 10, 1)):
        milestones = [
            charts.Milestone(first, "Authorised", "a"),
            charts.Milestone(first + datetime.timedelta(days=days), "Start", "s"),
        ]
        for size in (charts.WIDE, charts.NARROW):
            assert_apart(draw(milestones, size, end=D(2026, 12, 31)), size)
