"""`{% query_url %}`: a view's URL carrying the page's query string, escaped for HTML."""

from django.template import Context, Template

TEMPLATE = Template(
    "{% load dashboard_format %}<a href=\"{% query_url 'dashboards:mission' slug query=query %}\">"
)


def render(**context) -> str:
    return TEMPLATE.render(Context(context))


def test_it_adds_the_query_string():
    html = render(slug="mss", query="as_of=2025-01-01&type=police")
    assert html == '<a href="/missions/mss/?as_of=2025-01-01&amp;type=police">'


def test_without_a_query_it_is_the_plain_url():
    assert render(slug="mss", query="") == '<a href="/missions/mss/">'
