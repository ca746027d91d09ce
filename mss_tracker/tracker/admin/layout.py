"""Admin pages that fit the screen: at 1280 px and at 390 px no page scrolls sideways.

A list whose columns need the width gives up the navigation sidebar (as the pledge and
event lists do); a wide table scrolls inside its own box (static/css/admin_pages.css,
loaded on every admin page by templates/admin/base_site.html), never the page.
"""

from __future__ import annotations

from django.http import HttpRequest


class WithoutNavSidebar:
    """A model admin whose list needs the width the navigation sidebar takes at 1280 px."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)
