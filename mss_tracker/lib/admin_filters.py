"""The admin's change lists filter by what they offer — their list filters, the date
hierarchy, search, ordering and paging — never by a lookup typed into the address.

Django's change list applies any other `field__lookup=value` of the query string to its
queryset as it stands (`?notes__regex=(`, `?date__range=`), and many such lookups fail
only when the database runs them: an invalid pattern, an empty range, a year past 9999.
That was a 500 for the staff member who followed or edited the link. Here a parameter
that no filter took is an incorrect lookup, which the admin answers as it answers any
other: the list again, with `?e=1`.

An add form takes initial values from the query string too (`?source=3`, how "Save and
add another" keeps the last record's values); a related record's key that is not a key
at all (`?source=%20`, a number of 30 digits) reached the database when the form's
widget looked it up, another 500. Such a value is dropped, the field left empty.

Every ModelAdmin of the project's apps mixes in `OfferedFiltersOnly`; `tests/test_fuzz.py`
checks that and fuzzes every list, object page and custom view (docs/reliability.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.admin import ModelAdmin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import HttpRequest

# A mixin for ModelAdmins: type-checked as one, nothing more at run time.
if TYPE_CHECKING:
    _AdminMixin = ModelAdmin[Any]
else:
    _AdminMixin = object


class OfferedFiltersChangeList(ChangeList):
    def get_filters(self, request: HttpRequest) -> Any:
        typed = set(self.get_filters_params())
        try:
            specs, has_filters, remaining, duplicates, active = super().get_filters(request)
        except OverflowError as error:  # the date hierarchy's 31 Dec 9999 plus a month
            raise IncorrectLookupParameters(error) from error
        unoffered = set(remaining)
        if self.date_hierarchy and f"{self.date_hierarchy}__year" in typed:
            # The date hierarchy turns its year, month and day into these two bounds.
            unoffered -= {f"{self.date_hierarchy}__gte", f"{self.date_hierarchy}__lt"}
        if unoffered:
            raise IncorrectLookupParameters(
                f"Not a filter of this list: {', '.join(sorted(unoffered))}"
            )
        return specs, has_filters, remaining, duplicates, active


class OfferedFiltersOnly(_AdminMixin):
    """For a ModelAdmin: its change list takes only the filters it offers, its add form
    only initial values that can name a related record."""

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return OfferedFiltersChangeList

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.many_to_one:
                key = field.target_field
                try:
                    key.run_validators(key.to_python(value))  # a number in the column's range
                except (ValidationError, ValueError):
                    del initial[name]
        return initial
