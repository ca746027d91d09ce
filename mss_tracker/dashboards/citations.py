"""Cite this view: the permanent address of a page's figures, a citation line and a BibTeX
entry; and, for a page opened with `cited=`, what was revised since that day.

The permanent address pins every filter and the date of the figures (`as_of`, or a
changes page's `from` and `to`), and adds `cited=` the day it was retrieved. Opened later,
it shows the same figures however many later events are recorded, unless a record dated
on or before its date is added, changed or deleted (a back-dated report): the page then
says so and lists those revisions (`tracker.revisions`). The BibTeX entry is plain text
in a <pre> to select and copy: the site runs no inline script (strict CSP).
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mss_tracker.dashboards.languages import recorded
from mss_tracker.lib import typography
from mss_tracker.lib.bad_requests import BadParameter
from mss_tracker.tracker.dates import format_with_precision, parse_date
from mss_tracker.tracker.models import Mission
from mss_tracker.tracker.revisions import Scope, revised_since

TRACKER = "MSS Tracker"
_BIBTEX_SPECIAL = {c: f"\\{c}" for c in "{}%&$#_"} | {"\\": "\\textbackslash{}"}


def parse_cited(params: QueryDict) -> datetime.date | None:
    raw = params.get("cited", "").strip()
    if not raw:
        return None
    try:
        return parse_date(raw)
    except ValueError as error:
        raise BadParameter("cited", raw, str(error)) from None


def cited_parameter(params: QueryDict) -> dict[str, str]:
    """`cited` in its normal form (an ISO date), for the page cache (caching.py)."""
    cited = parse_cited(params)
    return {"cited": cited.isoformat()} if cited else {}


def _bibtex_text(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(character, character) for character in text)


def bibtex(key: str, title: str, url: str, figures: datetime.date, retrieved: datetime.date) -> str:
    return (
        f"@misc{{{key},\n"
        f"  author = {{{{{TRACKER}}}}},\n"
        f"  title = {{{_bibtex_text(title)}}},\n"
        f"  year = {{{retrieved.year}}},\n"
        f"  howpublished = {{\\url{{{url}}}}},\n"
        f"  url = {{{url}}},\n"
        f"  urldate = {{{retrieved.isoformat()}}},\n"
        f"  note = {{Figures as of {figures.isoformat()}; retrieved {retrieved.isoformat()}}}\n"
        f"}}"
    )


def citation(
    request: HttpRequest,
    mission: Mission,
    view: str,
    pinned: dict[str, str | None],
    figures: datetime.date,
    *,
    scope: Scope,
) -> dict:
    """The citation of a page (`view`: its name in words) whose figures are as of
    `figures`, at the address `request.path` with the `pinned` parameters; and, when the
    page was opened with `cited=`, its revisions since."""
    today = datetime.date.today()
    query = urlencode({key: value for key, value in pinned.items() if value} | {"cited": today})
    url = request.build_absolute_uri(f"{request.path}?{query}")
    colon = typography.colon(get_language() or "en")
    title = f"{mission.name} ({mission.acronym}){colon} {view}"
    template = _(
        "%(tracker)s, “%(title)s”, figures as of %(figures)s, retrieved %(retrieved)s, %(url)s"
    )
    values = {
        "tracker": TRACKER,
        "title": title,
        "figures": format_with_precision(figures, "day"),
        "retrieved": format_with_precision(today, "day"),
        "url": url,
    }
    line = template % values
    # The page shows the line as HTML, the recorded mission name marked with its language
    # and the address apart (in <code>).
    marked_title = format_html("{} ({}){} {}", recorded(mission.name), mission.acronym, colon, view)
    html = conditional_escape(template) % (
        {key: conditional_escape(value) for key, value in values.items()}
        | {"title": marked_title, "url": "\0"}
    )
    key = f"mss-tracker-{mission.slug}-{figures.isoformat()}"
    cited = parse_cited(request.GET)
    return {
        "url": url,
        "line": line,
        "line_before_url": mark_safe(html.rpartition("\0")[0]),
        "bibtex": bibtex(key, title, url, figures, today),
        "revisions": revised_since(scope, cited) if cited else None,
    }
