"""The chart's points, written in Python (`dashboards.chart_points`), are byte for byte
what the template loop they replaced wrote, in every language and for any text or number
(docs/performance.md, "The dashboard's chart points")."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from mss_tracker.dashboards.chart_points import Point, deployed_points, pledged_points
from mss_tracker.dashboards.chart_table import ChartRow, table_rows

# The loops of templates/dashboards/chart.svg before the points moved to Python.
TEMPLATE_LOOPS = Template(
    """{% load l10n %}{% localize off %}{% for point in pledged %}
<g class="chart-point" tabindex="0" role="img" aria-label="{{ point.tooltip }}"><title>{{ point.tooltip }}</title>
<rect x="{{ point.x }}" y="{{ point.y }}" width="7" height="7" fill="{{ c.pledged }}"/>
<text class="chart-point-label" x="{{ point.label_x }}" y="{{ point.label_y }}" text-anchor="{{ point.anchor }}" visibility="hidden" stroke="#ffffff" stroke-width="4" paint-order="stroke" font-weight="600">{{ point.tooltip }}</text></g>
{% endfor %}
{% for point in deployed %}
<g class="chart-point" tabindex="0" role="img" aria-label="{{ point.tooltip }}"><title>{{ point.tooltip }}</title>
<circle cx="{{ point.x }}" cy="{{ point.y }}" r="4" fill="{{ c.deployed }}"/>
<text class="chart-point-label" x="{{ point.label_x }}" y="{{ point.label_y }}" text-anchor="{{ point.anchor }}" visibility="hidden" stroke="#ffffff" stroke-width="4" paint-order="stroke" font-weight="600">{{ point.tooltip }}</text></g>
{% endfor %}{% endlocalize %}"""  # noqa: E501
)

coordinates = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-2000, max_value=2000).map(lambda value: round(value, 1)),
    st.integers(min_value=-5000, max_value=5000),
)
points = st.builds(
    Point,
    x=coordinates,
    y=coordinates,
    tooltip=st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
    | st.sampled_from(["Apr 2025: 1 234 pledged", "<b>\"&'</b>", "12 juin 2025 : 400"]),
    label_x=coordinates,
    label_y=coordinates,
    anchor=st.sampled_from(["start", "middle", "end"]),
)
colours = st.sampled_from(["#1f5f8b", "#b35c00", 'a"<b>&'])


@given(
    pledged=st.lists(points, max_size=5),
    deployed=st.lists(points, max_size=5),
    pledged_colour=colours,
    deployed_colour=colours,
    language=st.sampled_from(["en", "fr", "ht"]),
)
def test_points_are_written_as_the_template_loop_wrote_them(
    pledged, deployed, pledged_colour, deployed_colour, language
):
    with translation.override(language):
        expected = TEMPLATE_LOOPS.render(
            Context(
                {
                    "pledged": pledged,
                    "deployed": deployed,
                    "c": {"pledged": pledged_colour, "deployed": deployed_colour},
                }
            )
        )
        written = (
            pledged_points(pledged, pledged_colour)
            + "\n"
            + deployed_points(deployed, deployed_colour)
        )
    assert written == expected


def test_a_tooltip_is_escaped_where_it_is_written():
    markup = deployed_points([Point(1.5, 2.0, 'x < y & "z"', 3, 4, "end")], "#000")
    assert markup.count("x &lt; y &amp; &quot;z&quot;") == 3
    assert '<circle cx="1.5" cy="2.0" r="4" fill="#000"/>' in markup


def test_dates_are_formatted_in_the_language_asked_each_time():
    """`format_with_precision` remembers its texts per language: French after English
    after French, each in its own words, and a changed format setting is seen."""
    import datetime

    from django.test import override_settings

    from mss_tracker.tracker.dates import format_with_precision

    first_of_october = datetime.date(2025, 10, 1)
    said = []
    for language in ("fr", "en", "fr", "ht", "en"):
        with translation.override(language):
            said.append(format_with_precision(first_of_october, "day"))
    assert said[0] == said[2] == "1er oct. 2025"
    assert said[1] == said[4] == "1 Oct 2025"
    with translation.override("fr"):
        assert format_with_precision(first_of_october, "month") == "oct. 2025"
    with translation.override(None), override_settings(USE_I18N=False, DATE_FORMAT="Y/m/d"):
        assert format_with_precision(datetime.date(2025, 10, 2), "day") == "2025/10/02"
    with translation.override(None):
        assert format_with_precision(datetime.date(2025, 10, 2), "day") != "2025/10/02"


TABLE_LOOP = Template(
    """{% load dashboard_format %}{% for row in table %}<tr><th scope="row"><time datetime="{{ row.date|iso }}">{{ row.label }}</time></th><td class="num">{{ row.deployed|thousands }}</td><td class="num">{{ row.pledged|thousands }}</td></tr>
      {% endfor %}"""  # noqa: E501
)
table_rows_strategy = st.lists(
    st.builds(
        ChartRow,
        date=st.dates(),
        label=st.text(max_size=20) | st.sampled_from(["1er oct. 2025", "Apr 2025", "<&>"]),
        deployed=st.integers(min_value=-(10**7), max_value=10**9),
        pledged=st.integers(min_value=0, max_value=10**9),
    ),
    max_size=6,
)


@given(rows=table_rows_strategy, language=st.sampled_from(["en", "fr", "ht"]))
def test_the_table_rows_are_written_as_the_template_loop_wrote_them(rows, language):
    with translation.override(language):
        assert table_rows(rows) == TABLE_LOOP.render(Context({"table": rows}))


def test_figures_are_grouped_in_the_language_asked_each_time():
    from django.test import override_settings

    from mss_tracker.dashboards.templatetags.dashboard_format import thousands

    said = []
    for language in ("en", "fr", "en"):
        with translation.override(language):
            said.append(thousands(1234567))
    assert said == ["1,234,567", "1\xa0234\xa0567", "1,234,567"]
    with (
        translation.override(None),
        override_settings(USE_I18N=False, THOUSAND_SEPARATOR="'", NUMBER_GROUPING=3),
    ):
        assert thousands(1234567) == "1'234'567"
    with translation.override(None):
        assert thousands(1234567) != "1'234'567"
