"""`/use-the-data/`: docs/use-the-data.md, the one text for the repository and the site.

The page is a document rather than an interface, so it is translated as a whole, beside it:
docs/use-the-data.fr.md and docs/use-the-data.ht.md, with the same examples (the tests run
them). The examples name the demo server's address; the page shows them with the address
the reader reached the site by, so they can be copied and run as they are.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from mss_tracker.lib.methods import read_only

DOCUMENTS = {
    "en": settings.BASE_DIR / "docs" / "use-the-data.md",
    "fr": settings.BASE_DIR / "docs" / "use-the-data.fr.md",
    "ht": settings.BASE_DIR / "docs" / "use-the-data.ht.md",
}
DEMO_ADDRESS = "http://127.0.0.1:8000"


@cache
def _html(language: str) -> str:
    document = DOCUMENTS.get(language, DOCUMENTS[settings.LANGUAGE_CODE])
    # html=False: any markup in the file is shown as text, never passed through.
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(document.read_text())


@read_only
def page(request: HttpRequest) -> HttpResponse:
    address = request.build_absolute_uri("/").rstrip("/")
    # The host is the client's: escaped.
    body = _html(translation.get_language()).replace(DEMO_ADDRESS, escape(address))
    return render(request, "dashboards/use_the_data.html", {"body": mark_safe(body)})
