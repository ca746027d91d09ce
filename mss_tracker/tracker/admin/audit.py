"""Why, every time: the admin behaviour shared by the audited records (missions, sources,
pledges, events).

- Changing or deleting a record asks for a reason (required), stored as its history's
  change reason; an addition records "Added in the admin" unless a reason is given; a
  revert records "Reverted to the version of <date>"; a save that changes nothing
  records nothing.
- simple-history's version page saves a POSTed form for anyone allowed to *view* the
  history, relying on the hidden Revert button; here a POST needs the change permission,
  and reverting (restoring) a deleted record the add permission too.
- Dates are typed as ISO `YYYY-MM-DD` (admin/forms.py).
"""

from __future__ import annotations

import datetime
import re
from itertools import chain

from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.admin import SimpleHistoryAdmin

from mss_tracker.lib.admin_filters import OfferedFiltersOnly
from mss_tracker.tracker.admin.forms import REASON_REQUIRED, IsoDateField, IsoDateInput, ReasonForm

ADDED = "Added in the admin"


def revert_reason(version_date: datetime.datetime) -> str:
    moment = timezone.localtime(version_date)
    return f"Reverted to the version of {date_format(moment, 'j M Y, H:i')}"


def stored_values_equal(obj: models.Model) -> bool:
    """True when `obj` holds exactly the editable values its stored row holds."""
    names = [f.attname for f in obj._meta.concrete_fields if f.editable and not f.primary_key]
    stored = type(obj)._default_manager.filter(pk=obj.pk).values(*names).first()
    return stored is not None and all(stored[name] == getattr(obj, name) for name in names)


def _posted_reason(request: HttpRequest) -> str:
    return request.POST.get("change_reason", "").strip()


class AuditedAdmin(OfferedFiltersOnly, SimpleHistoryAdmin):
    form = ReasonForm
    formfield_overrides = {models.DateField: {"form_class": IsoDateField, "widget": IsoDateInput}}
    delete_confirmation_template = "admin/tracker/delete_with_reason.html"
    delete_selected_confirmation_template = "admin/tracker/delete_selected_with_reason.html"
    actions = ["delete_selected"]

    # Saving

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if getattr(request, "reverting_to", None) is not None:
            form = type(form.__name__, (form,), {"reverting": True})
        if getattr(request, "version_read_only", False):
            for name in self._prepopulating():  # shown, but disabled (below)
                if name in form.base_fields:
                    form.base_fields[name].disabled = True
        return form

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if change and stored_values_equal(obj):
            return  # nothing changed: no history entry
        reason = form.cleaned_data.get("change_reason", "")
        reverting_to = getattr(request, "reverting_to", None)
        if not reason and reverting_to is not None:
            reason = revert_reason(reverting_to)
        obj._change_reason = reason or ADDED
        super().save_model(request, obj, form, change)

    def _ids_or_404(self, object_id: str, version_id: str | None = None) -> None:
        """An id in a history URL that cannot name a record (`abc` for a number) is a 404,
        as it is on the change page; simple-history would query with it and fail."""
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404("No such record.") from None
        if version_id is not None and not re.fullmatch(r"[0-9]{1,18}", version_id):
            raise Http404("No such version.")

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        self._ids_or_404(object_id)
        return super().history_view(request, object_id, extra_context)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # An old version shown to someone who may not revert it reads as a record, not as
        # a form that looks editable (simple-history shows it as a form either way).
        # simple-history's version page builds the prepopulated fields' widgets (the
        # mission's slug, from its acronym) whatever the permission, so those stay form
        # fields, disabled (get_form).
        if getattr(request, "version_read_only", False):
            return [
                field.name
                for field in self.model._meta.fields
                if field.editable and field.name not in self._prepopulating()
            ]
        return super().get_readonly_fields(request, obj)

    def _prepopulating(self) -> set[str]:
        """The prepopulated fields and the fields they are filled in from."""
        return {*self.prepopulated_fields, *chain(*self.prepopulated_fields.values())}

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, **kwargs):
        # The heading names the record as stored: a form sent back with an error has
        # already copied the typed values onto `obj` (ModelForm validation does).
        obj = kwargs.get("obj")
        if change and obj is not None and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None:
                context["subtitle"] = str(stored)
        return super().render_change_form(request, context, add, change, **kwargs)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context=None
    ) -> HttpResponse:
        self._ids_or_404(object_id, version_id)
        if request.method == "GET" and self.revert_disabled(request):
            request.version_read_only = True
        if request.method == "POST":
            exists = self.model._default_manager.filter(pk=unquote(object_id)).exists()
            if not self.has_change_permission(request) or (
                not exists and not self.has_add_permission(request)
            ):
                raise PermissionDenied
            version = (
                self.model.history.filter(history_id=version_id).values("history_date").first()
            )
            if version is not None:
                request.reverting_to = version["history_date"]
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Deleting

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        asked = request.method == "POST" and self.has_delete_permission(request)
        if asked and not _posted_reason(request):
            self.message_user(request, REASON_REQUIRED, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request: HttpRequest, obj) -> None:
        obj._change_reason = _posted_reason(request)
        super().delete_model(request, obj)

    @admin.action(permissions=["delete"], description="Delete selected %(verbose_name_plural)s")
    def delete_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """Django's "delete selected", asking why on its confirmation page."""
        if request.POST.get("post") and not _posted_reason(request):
            self.message_user(request, REASON_REQUIRED, messages.ERROR)
            request.POST = request.POST.copy()
            del request.POST["post"]  # shows the confirmation page again
        return admin_actions.delete_selected(self, request, queryset)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # A queryset delete records history from fresh instances, which carry no reason:
        # the rows it recorded get it afterwards.
        pks = list(queryset.values_list("pk", flat=True))
        started = timezone.now()
        super().delete_queryset(request, queryset)
        self.model.history.filter(id__in=pks, history_type="-", history_date__gte=started).update(
            history_change_reason=_posted_reason(request)
        )
