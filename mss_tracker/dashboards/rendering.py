"""How a dashboard page answers: the whole page, or for HTMX only the regions that change.

Each page is one view and one template (Django 6 template partials): a plain request and
a history-restore request get the whole page; an HTMX request gets the `regions` it swaps,
the parts of the page swapped out of band, and the live region's `announcement`; a "show
more" button's request gets the next items in its place.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django_htmx.http import push_url

from mss_tracker.tracker.text import xml_safe

FILTER_FORM = "filters"  # the id of each page's filter form (HX-Trigger when it sends)
SHOW_MORE = "show-more"  # the id of a "show more" button (HX-Target when it sends)


@dataclass(frozen=True)
class ShowMore:
    """What a "show more" request gets: the `items` partial in place of the button, and
    the `out_of_band` partials (the pagination, its announcement); the address stays."""

    items: str
    out_of_band: tuple[str, ...]


def render_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    url: str,
    regions: tuple[str, ...] = ("results",),
    out_of_band: tuple[str, ...] = ("filters",),
    out_of_band_after_form: tuple[str, ...] = (),
    show_more: ShowMore | None = None,
) -> HttpResponse:
    """The whole page, or for HTMX only `regions` plus `out_of_band` swaps, pushing `url`.

    A request sent by the filter form itself leaves the form alone (`out_of_band_after_form`
    instead of `out_of_band`): redrawing it would move the caret out of a field being typed
    in. Every HTMX answer also fills the live region with the page's `announcement`. A
    page with a "show more" button passes `show_more`: what its request gets instead.
    """
    if show_more and request.htmx and request.htmx.target == SHOW_MORE:
        response = HttpResponse(
            render_to_string(f"{template}#{show_more.items}", context, request)
            + "".join(
                render_out_of_band(request, template, name, context)
                for name in show_more.out_of_band
            )
        )
        patch_vary_headers(response, ("HX-Request",))
        return response
    context = {**context, "page_url": request.build_absolute_uri(url)}
    if request.htmx and not request.htmx.history_restore_request:
        if request.htmx.trigger == FILTER_FORM:
            out_of_band = out_of_band_after_form
        parts = [render_to_string(f"{template}#{name}", context, request) for name in regions]
        parts += [
            render_out_of_band(request, template, name, context)
            for name in (*out_of_band, "announcement")
        ]
        parts.append(render_to_string("_languages.html", {"path": url, "oob": True}, request))
        response = HttpResponse("".join(parts))
        push_url(response, url)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Trigger"))
    return response


def render_out_of_band(request: HttpRequest, template: str, name: str, context: dict) -> str:
    """The partial `name` (of `template`, or `other.html#name`) marked for an out-of-band swap."""
    full_name = name if "#" in name else f"{template}#{name}"
    return render_to_string(full_name, {**context, "oob": full_name.rpartition("#")[2]}, request)


def page_url(request: HttpRequest, query: str) -> str:
    """This page's path with `query`: the address an HTMX answer pushes."""
    return f"{request.path}?{query}" if query else request.path


def svg_response(svg: str, filename: str) -> HttpResponse:
    """A chart alone, as an SVG file. Its labels and titles carry stored text (mission
    names, notes); a control character that XML cannot carry is dropped (tracker/text.py),
    where a browser would refuse to show the whole image."""
    response = HttpResponse(xml_safe(svg), content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
