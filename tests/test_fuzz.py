"""Fuzz: no input makes a 500.

Every public URL (read from the dashboards' URL patterns, so a new page is fuzzed the day
it is added) with every query parameter the pages read, plus unknown and repeated ones,
plain and as HTMX asks; then the admin's list filters, search, ordering, autocomplete,
change and history URLs as an analyst. Values are arbitrary text (NUL and other control
characters, other scripts' digits, huge and negative numbers, dates out of range). The
only answers allowed are 200, 301/302, 400, 404 and 405; a 500 raises in the test client
and Hypothesis shrinks it to the smallest request that fails.

Fixed seed and a bounded number of examples (below), so a run is the same every time and
takes seconds; it runs on SQLite and on PostgreSQL (which refuses NUL in text) in CI.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, reverse
from hypothesis import HealthCheck, example, given, seed, settings
from hypothesis import strategies as st

import mss_tracker.dashboards.urls as dashboard_urls
from mss_tracker.lib.admin_filters import OfferedFiltersOnly
from mss_tracker.tracker.models import DeploymentEvent, Pledge

SEED = 11
EXAMPLES = 150  # per admin test, and ROUTE_EXAMPLES per public route: ~1 minute in all
ROUTE_EXAMPLES = 80
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=False,  # @seed fixes the examples; derandomize would ignore it
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # no example database: CI and laptops run exactly the same examples
)
ALLOWED = {200, 301, 302, 400, 404, 405}

PARAMETERS = ["as_of", "type", "country", "kind", "from", "to", "page", "sort", "cited", "id"]

TRICKY = [
    "",
    " ",
    "\x00",
    "KE\x00",
    "KEN\x00",
    "\x01\x7f\x1b[0m",
    "\r\n",
    "²",
    "٣",
    "１２",
    "-1",
    "0",
    "9" * 30,
    "-" + "9" * 30,
    "1" * 5000,
    "1e309",
    "NaN",
    "2025-W01-4",
    "2025-02-30",
    "9996-01-01",
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "1900-01-01",
    "2100-12-31",
    "2101-01-01",
    "KEN",
    "ken",
    "HTI",
    "police",
    "all",
    "arrival",
    "transfer",
    "strength_report",
    "-deployed",
    "percent",
    "mss",
    "gsf",
    "<script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
]

text = st.text(st.characters(codec="utf-8"), max_size=24)  # NUL and controls included
tricky = st.sampled_from(TRICKY)
values = st.one_of(
    tricky,
    tricky,
    tricky,  # thrice: the values that broke something once come up most
    text,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(lambda day: day.isoformat()),
)
names = st.one_of(st.sampled_from(PARAMETERS), st.sampled_from(PARAMETERS), text)
# A page reads its parameters one after another and stops at the first bad one, so a
# hostile value is drawn among good ones: any of the pages' parameters with a good value,
# then one to three pairs (known names or any text) with hostile values. A pair whose name
# is already there repeats it (`?type=police&type=%00`; the last one counts).
GOOD = {
    "as_of": ["2024-07-01", "2025-12-01", "2023-01-01"],
    "type": ["police", "military", "civilian", "all"],
    "country": ["KEN", "HTI", "ken"],
    "kind": ["arrival", "departure", "fatality", "strength_report", "transfer"],
    "from": ["2024-01-01", "2025-06-01"],
    "to": ["2025-12-31", "2024-08-01"],
    "page": ["1", "2"],
    "sort": ["country", "-deployed", "percent", "-last_event"],
    "cited": ["2025-01-01", "2026-03-01"],
    "id": ["00000000-0000-4000-8000-000000000000"],
}
queries = st.builds(
    lambda good, hostile: [*good.items(), *hostile],
    st.fixed_dictionaries({}, optional={name: st.sampled_from(GOOD[name]) for name in GOOD}),
    st.lists(st.tuples(names, values), min_size=1, max_size=3),
)
# Queries that once gave a 500, tried on every route before any drawn example.
REPORTED = [
    [("page", "²")],
    [("page", "1" * 5000)],
    [("country", "KE\x00")],
    [("as_of", "9996-01-01")],
    [("as_of", "2025-W01-4")],
]
htmx = st.sampled_from(
    [
        {},
        {"HX-Request": "true"},
        {"HX-Request": "true", "HX-Target": "show-more"},
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
    ]
)


def routes(patterns: list) -> list[URLPattern]:
    """The routes, those inside the pages' language prefix (i18n_patterns) included."""
    found = []
    for pattern in patterns:
        found += routes(pattern.url_patterns) if isinstance(pattern, URLResolver) else [pattern]
    return found


def public_urls() -> list[tuple[str, tuple[str, ...]]]:
    """(URL name, its arguments) for every dashboards route."""
    return [
        (pattern.name, tuple(pattern.pattern.converters))
        for pattern in routes(dashboard_urls.urlpatterns)
    ]


def url(name: str, arguments: dict[str, str]) -> str:
    """The route with arbitrary text in its arguments (reverse() would refuse most)."""
    placeholders = {argument: f"ARG{index}X" for index, argument in enumerate(arguments)}
    path = reverse(f"dashboards:{name}", kwargs=placeholders)
    for argument, placeholder in placeholders.items():
        path = path.replace(placeholder, quote(arguments[argument], safe=""))
    return path


path_values = st.one_of(st.sampled_from(["mss", "gsf", "MSS", "KEN", "ken", "HTI"]), values)


def assert_answered(response, request: str) -> None:
    assert response.status_code in ALLOWED, f"{response.status_code} for {request}"


@pytest.fixture
def client_with_sample(sample_missions) -> Client:
    return Client()


@pytest.mark.parametrize(("name", "arguments"), public_urls(), ids=lambda value: str(value))
def test_no_public_url_or_parameter_makes_a_500(client_with_sample, name, arguments):
    @seed(SEED)
    @settings(FUZZ, max_examples=ROUTE_EXAMPLES)
    @given(
        path_arguments=st.fixed_dictionaries({argument: path_values for argument in arguments}),
        query=queries,
        headers=htmx,
    )
    def requests(path_arguments, query, headers):
        path = url(name, path_arguments)
        target = f"{path}?{urlencode(query)}" if query else path

        response = client_with_sample.get(target, headers=headers)

        assert_answered(response, f"GET {target} {headers}")

    for query in REPORTED:  # tried first on every route, then the drawn examples
        requests = example({argument: "mss" for argument in arguments}, query, {})(requests)
    requests()


# The public error report form: anything posted is refused (400), accepted (302) or,
# past the hourly limit, throttled (429); never a 500.

FORM_FIELDS = ["message", "source_url", "email", "id", "csrfmiddlewaretoken"]
form_values = st.one_of(
    values,
    st.sampled_from(["https://example.org/a", "http://x.y", "a@example.org", "Wrong figure"]),
    st.text(st.characters(codec="utf-8"), max_size=6000),
)


@pytest.mark.parametrize("language", ["", "/fr", "/ht"])
def test_no_report_form_post_makes_a_500(client_with_sample, language):
    @seed(SEED)
    @settings(FUZZ, max_examples=ROUTE_EXAMPLES)
    @given(
        fields=st.dictionaries(
            st.one_of(st.sampled_from(FORM_FIELDS), text), form_values, max_size=6
        ),
        slug=path_values,
    )
    def posts(fields, slug):
        target = f"{language}/missions/{quote(slug, safe='')}/report-an-error/"
        response = client_with_sample.post(target, fields)
        assert response.status_code in {*ALLOWED, 429}, f"{response.status_code} for {fields}"

    posts()


# The admin, as staff -------------------------------------------------------------------------
#
# Every change list (its filters, the date hierarchy, search, ordering, paging and any
# `field__lookup` typed into the address), every object URL (change, history, a history
# version, delete) and every custom view (carry-over, an import's page, Import CSV, Recent
# changes) of the project's apps, read from the registered admins so that a new list or
# view is fuzzed the day it is added: as an analyst, an editor and a superuser, GET and,
# for the views that act, POST. 403 is allowed (a role that may not), never a 500.

PROJECT_APPS = {"tracker", "accounts"}
ADMIN_ALLOWED = ALLOWED | {403}
STAFF = ["analyst", "editor", "superuser"]
LIST_PARAMETERS = ["q", "o", "p", "all", "_popup", "_to_field", "e", "_changelist_filters"]
# Lookups Django's ORM offers on any field: the ones that broke the admin once first.
LOOKUPS = [
    *["regex", "range", "year", "iregex", "in", "isnull", "exact", "iexact", "contains"],
    *["gt", "lte", "startswith", "month", "day", "week_day", "quarter", "date", "search"],
]
LIST_ACTIONS = ["export_selected_as_csv", "carry_over_personnel", "delete_selected", "x"]
ADMIN_REPORTED = [
    "/admin/tracker/deploymentevent/?notes__regex=(",
    "/admin/tracker/deploymentevent/?date__range=",
    "/admin/tracker/deploymentevent/?date__year=99999",
    "/admin/tracker/deploymentevent/?date__year=9999&date__month=12",
    "/admin/tracker/importjob/abc/change/",
    "/admin/tracker/mission/%C2%B2/carry-over/",
    "/admin/tracker/mission/%C2%B2/change/",
]
ADMIN_EXAMPLES = 120  # the everyday run; the slow suite tries SLOW_ADMIN_EXAMPLES
SLOW_ADMIN_EXAMPLES = 2000


def project_admins() -> list:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_APPS
    ]


def admin_routes() -> list[tuple[str, str, int]]:
    """(the model's admin prefix, the route after it, how many ids it takes) for every URL
    of the project's admins, custom views included."""
    found = []
    for model, model_admin in project_admins():
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            route = str(pattern.pattern)
            ids = route.count("<path:object_id>") + route.count("([^/]+)")
            if route.startswith("^"):  # simple-history's version page: id/history/version/
                route = "ID/history/ID/"
            found.append((prefix, route.replace("<path:object_id>", "ID"), ids))
    return found


def list_parameters(request_user) -> dict[str, list[str]]:
    """The query parameters each change list reads — its filters' and the date
    hierarchy's — and lookups on every field of its model, which it must refuse."""
    found = {}
    for model, model_admin in project_admins():
        request = RequestFactory().get("/")
        request.user = request_user
        changelist = model_admin.get_changelist_instance(request)
        names = [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
        if model_admin.date_hierarchy:
            names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
        fields = [field.name for field in model._meta.concrete_fields]
        lookups = [f"{field}__{lookup}" for field in fields for lookup in LOOKUPS]
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        found[prefix] = (names + LIST_PARAMETERS, lookups)
    return found


@pytest.fixture
def staff_with_sample(sample_missions, analyst, editor, admin_user):
    """The sample missions, one of each other record an admin lists, and a signed-in client
    per staff role."""
    from mss_tracker.accounts.models import SignInRecord
    from mss_tracker.tracker.import_jobs import ImportJob
    from mss_tracker.tracker.models import ErrorReport

    ImportJob.from_upload("events", "events.csv", b"date,mission\r\n", editor)
    ErrorReport.objects.create(
        mission=sample_missions.gsf, message="Wrong", source_url="https://example.org/"
    )
    SignInRecord.objects.create(username="editor", step="password")
    clients = {}
    for role, user in zip(STAFF, [analyst, editor, admin_user], strict=True):
        clients[role] = Client()
        clients[role].force_login(user)
    ids = {prefix: ["1"] for prefix, _route, _count in admin_routes()}
    for model, _model_admin in project_admins():
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        ids[prefix] = [str(pk) for pk in model.objects.values_list("pk", flat=True)[:3]] or ["1"]
    return clients, list_parameters(admin_user), ids


@st.composite
def admin_requests(draw, parameters: dict, ids: dict) -> tuple[str, str, list]:
    """(method, path, query or form fields) for one of the project's admin URLs."""
    prefix, route, id_count = draw(
        st.sampled_from([*admin_routes(), ("/admin/", "recent-changes/", 0)])
    )
    path = prefix + route
    for _ in range(id_count):
        some_id = draw(st.one_of(st.sampled_from(ids.get(prefix, ["1"])), values))
        path = path.replace("ID", quote(some_id, safe=""), 1)
    if route == "":  # a change list
        offered, lookups = parameters[prefix]
        names = st.one_of(
            st.sampled_from(offered), st.sampled_from(offered), st.sampled_from(lookups), text
        )
    else:
        names = st.one_of(
            st.sampled_from(
                [
                    "action",
                    "page",
                    "q",
                    "rows",
                    "source",
                    "notes",
                    "change_reason",
                    "_changelist_filters",
                ]
            ),
            text,
        )
    fields = draw(st.lists(st.tuples(names, values), max_size=4))
    acts = route == "" or route.endswith(("carry-over/", "import-csv/")) or "importjob" in prefix
    method = draw(st.sampled_from(["GET", "POST"])) if acts else "GET"
    if method == "POST" and route == "":  # a list action on some rows
        action = draw(st.sampled_from(LIST_ACTIONS))
        chosen = draw(st.sampled_from(ids.get(prefix, ["1"])))
        fields += [("action", action), ("_selected_action", chosen)]
    return method, path, fields


def fuzz_the_admin(staff_with_sample, examples: int) -> None:
    clients, parameters, ids = staff_with_sample

    @seed(SEED)
    @settings(FUZZ, max_examples=examples)
    @given(role=st.sampled_from(STAFF), request=admin_requests(parameters, ids))
    def requests(role, request):
        method, path, fields = request
        client = clients[role]
        if method == "GET":
            target = f"{path}?{urlencode(fields)}" if fields else path
            response = client.get(target)
        else:
            target = f"POST {path} {fields}"
            response = client.post(path, dict(fields))
        assert response.status_code in ADMIN_ALLOWED, f"{response.status_code} for {role} {target}"

    for reported in ADMIN_REPORTED:
        path, _, query = reported.partition("?")
        for role in STAFF:
            fields = [tuple(pair.split("=", 1)) for pair in query.split("&")] if query else []
            requests = example(role, ("GET", path, fields))(requests)
    requests()


def test_no_admin_list_lookup_object_or_custom_view_makes_a_500(staff_with_sample):
    fuzz_the_admin(staff_with_sample, ADMIN_EXAMPLES)


@pytest.mark.slow
def test_no_admin_url_makes_a_500_in_a_long_run(staff_with_sample):
    fuzz_the_admin(staff_with_sample, SLOW_ADMIN_EXAMPLES)


def test_every_project_admin_takes_only_the_filters_it_offers():
    for model, model_admin in project_admins():
        assert isinstance(model_admin, OfferedFiltersOnly), model._meta.label


@seed(SEED)
@FUZZ
@given(term=values, model=st.sampled_from([Pledge, DeploymentEvent]), extra=queries)
def test_no_admin_autocomplete_term_makes_a_500(staff_with_sample, term, model, extra):
    clients, _, _ = staff_with_sample
    query = [
        ("term", term),
        ("app_label", "tracker"),
        ("model_name", model._meta.model_name),
        ("field_name", "country"),
        *extra,
    ]
    target = f"/admin/autocomplete/?{urlencode(query)}"

    # 403: the autocomplete refuses a field it does not serve (an extra field_name).
    assert clients["analyst"].get(target).status_code in ALLOWED | {403}, target
