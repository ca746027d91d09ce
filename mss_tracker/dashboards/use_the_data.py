"""`/use-the-data/`: docs/use-the-data.md, the one text for the repository and the site.

The examples name the demo server's address; the page shows them with the address the
reader reached the site by, so they can be copied and run as they are.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe
from markdown_it import MarkdownIt

DOCUMENT = settings.BASE_DIR / "docs" / "use-the-data.md"
DEMO_ADDRESS = "http://127.0.0.1:8000"


@cache
def _html() -> str:
    # html=False: any markup in the file is shown as text, never passed through.
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(DOCUMENT.read_text())


@require_safe
def page(request: HttpRequest) -> HttpResponse:
    address = request.build_absolute_uri("/").rstrip("/")
    body = _html().replace(DEMO_ADDRESS, escape(address))  # the host is the client's
    return render(request, "dashboards/use_the_data.html", {"body": mark_safe(body)})
