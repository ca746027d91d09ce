"""The strength-over-time chart: /missions/<slug>/chart.svg and per country."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest

from mss_tracker.dashboards import charts
from mss_tracker.tracker import figures

D = datetime.date
SVG = "{http://www.w3.org/2000/svg}"


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    return ET.fromstring(response.content)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def tooltips(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}title")]


def test_it_serves_the_mission_chart_alone_as_svg(client, sample_missions):
    root = parse(client.get("/missions/mss/chart.svg?as_of=2025-01-05"))
    assert root.get("viewBox") == "0 0 760 360"
    labels = texts(root)
    assert {"Deployed", "Pledged", "Milestone"} <= set(labels)  # legend
    assert "Authorised" in labels and "Start" in labels  # milestones up to as_of
    assert "End" not in labels  # 2 Oct 2025 is after as_of
    assert "Jan 2024" in labels and "1,000" in labels  # axis labels


def test_its_points_have_tooltips_with_the_arithmetics_figures(client, sample_missions):
    root = parse(client.get("/missions/mss/chart.svg?as_of=2025-01-05"))
    tips = tooltips(root)
    for day, total in figures.strength_series(sample_missions.mss, D(2025, 1, 5)):
        assert f"{charts._day(day)}: {total:,} deployed" in tips
    assert "4 Jan 2025: 633 deployed" in tips
    assert "24 Sep 2024: 3,000 pledged" in tips
    desc = root.find(f"{SVG}desc").text
    assert desc.startswith("633 personnel deployed against 3,000 pledged on 5 Jan 2025")


def test_it_takes_the_same_filters_as_the_page(client, sample_missions):
    root = parse(client.get("/missions/mss/chart.svg?as_of=2025-01-05&type=police"))
    assert root.find(f"{SVG}desc").text.startswith("404 personnel deployed against 1,030")
    assert client.get("/missions/mss/chart.svg?type=navy").status_code == 400


def test_an_ended_missions_chart_stops_at_its_end_date(client, sample_missions):
    root = parse(client.get("/missions/mss/chart.svg?as_of=2030-01-01"))
    assert "on 2 Oct 2025" in root.find(f"{SVG}desc").text
    assert "End" in texts(root)


def test_it_serves_a_countrys_chart(client, sample_missions):
    response = client.get("/missions/mss/countries/ken/chart.svg?as_of=2025-10-02")
    root = parse(response)
    assert root.find(f"{SVG}desc").text.startswith("616 personnel deployed against 1,000 pledged")
    assert "Kenya" in root.find(f"{SVG}title").text
    assert 'filename="mss-ken-strength-2025-10-02.svg"' in response["Content-Disposition"]
    assert client.get("/missions/mss/countries/XYZ/chart.svg").status_code == 404


def test_the_deployed_line_is_a_step_line():
    svg = charts.strength_chart(
        title="t",
        deployed=[(D(2024, 1, 10), 5), (D(2024, 1, 20), 3)],
        pledged=[(D(2024, 1, 1), 10)],
        start=D(2024, 1, 1),
        end=D(2024, 1, 31),
        milestones=[],
    )
    root = ET.fromstring(svg)
    paths = [p.get("d") for p in root.iter(f"{SVG}path")]
    assert all(set(d) <= set("MHV0123456789.,-") for d in paths)  # only horizontal/vertical moves
    assert len(paths) == 2


@pytest.mark.parametrize("size", [charts.WIDE, charts.NARROW])
def test_it_escapes_text_and_stays_valid_xml(size):
    svg = charts.strength_chart(
        title='<script>alert("x")</script> & co',
        deployed=[],
        pledged=[],
        start=D(2024, 1, 1),
        end=D(2024, 1, 1),
        milestones=[charts.Milestone(D(2024, 1, 1), "A & B", "<b>")],
        size=size,
    )
    root = ET.fromstring(svg)  # raises on broken markup
    assert "<script>" not in svg
    assert root.find(f"{SVG}title").text.startswith('<script>alert("x")</script> & co')


def test_it_needs_no_style_or_script(client, sample_missions):
    body = client.get("/missions/mss/chart.svg").content.decode()
    assert "<script" not in body and "style=" not in body


def _daily(days: int) -> list[tuple[datetime.date, int]]:
    """A daily strength history that wanders, with one spike and one dip inside it."""
    series = [
        (D(2021, 1, 1) + datetime.timedelta(days=i), 1000 + (i * 37) % 200) for i in range(days)
    ]
    series[700] = (series[700][0], 9_999)  # a one-day spike
    series[1200] = (series[1200][0], 3)  # a one-day dip
    series[-1] = (series[-1][0], 1_234)  # the exact value on as_of
    return series


def _chart(deployed, pledged=(), size=charts.WIDE) -> ET.Element:
    return ET.fromstring(
        charts.strength_chart(
            title="t",
            deployed=list(deployed),
            pledged=list(pledged),
            start=deployed[0][0],
            end=deployed[-1][0],
            milestones=[],
            size=size,
        )
    )


@pytest.mark.parametrize("size", [charts.WIDE, charts.NARROW])
def test_a_long_history_is_drawn_with_vertices_for_its_width_not_its_dates(size):
    series = _daily(4000)
    root = _chart(series, size=size)
    plot_w = size.width - 52 - 14
    # At most the envelope (first, lowest, highest, last) per bucket of BUCKET_PX pixels.
    budget = (plot_w // charts.BUCKET_PX + 1) * charts.ENVELOPE
    deployed_path = [p.get("d") for p in root.iter(f"{SVG}path")][-1]
    vertices = deployed_path.count("V")
    assert vertices <= budget < len(series) / 3
    assert len(list(root.iter(f"{SVG}circle"))) == vertices
    tips = tooltips(root)
    # Every kept point is a true (date, value) of the series, the last one is exact, and
    # the spike and the dip are still drawn.
    true = {f"{charts._day(day)}: {value:,} deployed" for day, value in series}
    drawn = [tip for tip in tips if tip.endswith(" deployed")]
    assert drawn and set(drawn) <= true
    assert drawn[-1] == f"{charts._day(series[-1][0])}: 1,234 deployed"
    assert f"{charts._day(series[700][0])}: 9,999 deployed" in drawn
    assert f"{charts._day(series[1200][0])}: 3 deployed" in drawn
    assert root.find(f"{SVG}desc").text.startswith("1,234 personnel deployed")
    assert "10,000" in texts(root)  # the axis still reaches the spike


def test_the_step_line_passes_through_each_kept_points_true_value():
    series = _daily(3000)
    kept = charts.downsample(series, series[0][0], (series[-1][0] - series[0][0]).days, 694)
    assert len(kept) < len(series) / 3
    assert kept[0] == series[0] and kept[-1] == series[-1]
    assert set(kept) <= set(series) and kept == sorted(kept)
    assert max(v for _, v in kept) == 9_999 and min(v for _, v in kept) == 3


def test_a_short_history_is_drawn_whole():
    series = [(D(2024, 1, 1) + datetime.timedelta(days=9 * i), 10 * i) for i in range(60)]
    root = _chart(series, pledged=[(D(2024, 1, 1), 500), (D(2024, 6, 1), 600)])
    assert len(list(root.iter(f"{SVG}circle"))) == 60
    assert len([t for t in tooltips(root) if t.endswith(" pledged")]) == 2
    assert charts.downsample(series, D(2024, 1, 1), 540, 694) == series
