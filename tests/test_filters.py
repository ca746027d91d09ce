"""The query parameters as Django forms (dashboards/filters.py): each parameter's name in
the URL, what it accepts, its message and its normal form come from one declaration, and
`parse_filters` gives the pages the same `Filters` as before. The 400 pages themselves are
tested page by page (test_hostile_input.py, test_events_page.py, …)."""

import datetime

import pytest
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from mss_tracker.dashboards.filters import (
    FilterForm,
    Filters,
    TimelineFilterForm,
    parse_filters,
)
from mss_tracker.lib.bad_requests import BadParameter
from mss_tracker.tracker.models import EventKind, PersonnelType


def bad(query: str, *, timeline: bool = False) -> BadParameter:
    with pytest.raises(BadParameter) as caught:
        parse_filters(QueryDict(query), timeline=timeline)
    return caught.value


def test_the_forms_read_the_parameters_by_their_names_in_the_url():
    assert [FilterForm().add_prefix(name) for name in FilterForm.base_fields] == [
        "as_of",
        "type",
    ]
    assert [TimelineFilterForm().add_prefix(n) for n in TimelineFilterForm.base_fields] == [
        "as_of",
        "type",
        "country",
        "kind",
        "from",
        "to",
    ]


def test_a_form_field_is_a_filters_attribute():
    assert set(TimelineFilterForm.base_fields) == set(Filters.__dataclass_fields__)


def test_values_are_normalised():
    filters = parse_filters(QueryDict("as_of= 2025-01-01 &type=Police&kind=ARRIVAL"))
    assert filters == Filters(as_of=datetime.date(2025, 1, 1), personnel_type="police")
    timeline = parse_filters(QueryDict("type=ALL&kind= Arrival "), timeline=True)
    assert timeline == Filters(kind="arrival")


def test_empty_and_unknown_parameters_mean_the_defaults():
    assert parse_filters(QueryDict("as_of=&type=&utm_source=news")) == Filters()
    assert parse_filters(QueryDict("from=&to=&country=&kind="), timeline=True) == Filters()


def test_only_a_timeline_reads_the_timeline_parameters():
    assert parse_filters(QueryDict("kind=nonsense&from=bad")) == Filters()


def test_the_accepted_values_are_the_declared_ones():
    error = bad("type=navy")
    assert (error.parameter, error.value) == ("type", "navy")
    assert error.accepted == "expected one of " + ", ".join([*PersonnelType.values, "all"])
    assert bad("kind=parade", timeline=True).accepted == "expected one of " + ", ".join(
        EventKind.values
    )


def test_the_first_bad_parameter_in_declared_order_is_named():
    assert bad("to=x&from=y&kind=z&as_of=w", timeline=True).parameter == "as_of"
    assert bad("to=x&from=y&kind=z", timeline=True).parameter == "kind"
    assert bad("to=x&from=2025-01-01", timeline=True).parameter == "to"


def test_from_after_to_is_refused_on_from_naming_to():
    error = bad("from=2025-02-01&to=2025-01-01", timeline=True)
    assert (error.parameter, error.value) == ("from", "2025-02-01")
    assert error.accepted == "must not be after to=2025-01-01"


@pytest.mark.django_db
def test_a_country_is_a_recorded_one_in_upper_case(kenya):
    assert parse_filters(QueryDict("country=ken"), timeline=True) == Filters(country="KEN")
    error = bad("country=UGA", timeline=True)
    assert (error.parameter, error.value) == ("country", "UGA")
    assert "alpha-3 code of a recorded country" in error.accepted


days = st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    as_of=st.none() | days,
    personnel_type=st.none() | st.sampled_from(PersonnelType.values),
    kind=st.none() | st.sampled_from(EventKind.values),
    dates=st.tuples(st.none() | days, st.none() | days),
)
def test_a_query_string_reads_back_as_the_same_filters(as_of, personnel_type, kind, dates):
    date_from, date_to = sorted(dates, key=lambda day: (day is None, day))
    filters = Filters(
        as_of=as_of,
        personnel_type=personnel_type,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
    )
    assert parse_filters(QueryDict(filters.query_string()), timeline=True) == filters
