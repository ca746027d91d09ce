"""Admin pages that belong to no single model: Recent changes."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from mss_tracker.tracker.admin.forms import IsoDateField
from mss_tracker.tracker.recent_changes import KINDS, PER_PAGE, kinds_for, recent_changes


class RecentChangesFilter(forms.Form):
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_staff=True).order_by("username"),
        required=False,
        empty_label="anyone",
    )
    kind = forms.ChoiceField(
        label="record", choices=[("", "every kind"), *((k, k) for k in KINDS)], required=False
    )
    since = IsoDateField(label="from", required=False)
    until = IsoDateField(label="to", required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


def recent_changes_view(request: HttpRequest) -> HttpResponse:
    """Who changed what, when and why, across missions, sources, pledges and events."""
    allowed = kinds_for(request.user)
    if not allowed:
        raise PermissionDenied
    form = RecentChangesFilter(request.GET or None)
    context = {
        **admin.site.each_context(request),
        "title": "Recent changes",
        "form": form,
        "changes": [],
    }
    if request.GET and not form.is_valid():
        context["bad_parameters"] = sorted(form.errors)
        return TemplateResponse(request, "admin/tracker/recent_changes.html", context, status=400)
    filters = form.cleaned_data if request.GET else {}
    kinds = [filters["kind"]] if filters.get("kind") in allowed else allowed
    page = filters.get("page") or 1
    user = filters.get("user")
    changes, total = recent_changes(
        kinds,
        page=page,
        user_id=user.pk if user else None,
        since=filters.get("since"),
        until=filters.get("until"),
    )
    paginator = Paginator(range(total), PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        {
            "changes": changes,
            "total": total,
            "page": page,
            "pages": paginator.num_pages,
            "has_next": page < paginator.num_pages,
            "next_page": page + 1,
            "previous_page": page - 1,
            "query": query.urlencode(),
        }
    )
    return TemplateResponse(request, "admin/tracker/recent_changes.html", context)
