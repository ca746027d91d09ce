"""The language switcher and the `hreflang` alternates: this page in each language; the
language of recorded text (`recorded`)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from mss_tracker.dashboards import languages
from mss_tracker.dashboards.languages import language_links as links_for

register = template.Library()


@register.filter
def recorded(value: object) -> SafeString:
    """Text as an editor recorded it, marked with its language (`languages.recorded`)."""
    return languages.recorded(value)


@register.filter
def marked(value: object) -> SafeString:
    """A country's name, or a list of them (joined by commas), marked with its language
    where that is not the page's (`languages.in_its_language`)."""
    if isinstance(value, list | tuple):
        return SafeString(", ".join(languages.in_its_language(name) for name in value))
    return languages.in_its_language(value)


@register.simple_tag(takes_context=True)
def language_links(context: template.Context, path: str | None = None) -> list[dict]:
    """Each language's link to `path` (default: this request's path and query string)."""
    request = context.get("request")
    if not path:
        path = request.get_full_path() if request is not None else "/"
    return [
        {
            "code": link.code,
            "name": link.name,
            "url": link.url,
            "absolute_url": request.build_absolute_uri(link.url) if request else link.url,
            "current": link.current,
        }
        for link in links_for(path)
    ]
