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
