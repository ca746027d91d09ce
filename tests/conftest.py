import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import translation

from mss_tracker.tracker.models import Country, DeploymentEvent, Mission, Pledge, Source


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: the mark is added here
def pytest_collection_modifyitems(items):
    """A browser test, or one served by pytest-django's `live_server` (a real server in a
    thread), is `slow` too: `uv run pytest` leaves it out, `uv run pytest -m slow` runs it.
    Tests that start a subprocess are marked `slow` in their own file."""
    for item in items:
        if item.get_closest_marker("browser") or "live_server" in item.fixturenames:
            item.add_marker(pytest.mark.slow)


_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences"}


def _uses_the_database(item) -> bool:
    from django.test import SimpleTestCase

    if item.cls is not None and issubclass(item.cls, SimpleTestCase):
        return False  # a Django TestCase has rolled its data back inside the call
    return bool(item.get_closest_marker("django_db") or _DATABASE_FIXTURES & set(item.fixturenames))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After every test that used the database and passed, while its data is still there:
    every timeline point and mission total matches its events (what `manage.py
    check_timelines` checks, tracker/timeline_check.py). So CI runs the check after each of
    the suite's data-changing tests, on both databases, whatever path they wrote through.
    A test that leaves a timeline stale on purpose (raw SQL) is marked
    `leaves_timelines_stale`; one whose transaction an expected error broke is let be."""
    result = yield
    if item.get_closest_marker("leaves_timelines_stale") or not _uses_the_database(item):
        return result
    from django.db import transaction
    from django.db.transaction import TransactionManagementError

    from mss_tracker.tracker.timeline_check import find_differences, names_for

    try:
        if transaction.get_rollback():
            return result  # an error the test expected broke its transaction
    except TransactionManagementError:
        pass  # a transactional test: no transaction around it, nothing to break
    differences = find_differences()
    if differences:
        names = names_for(differences)
        lines = "\n".join(names.line(difference) for difference in differences)
        pytest.fail(f"the timelines differ from their events after this test:\n{lines}")
    return result


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language: a request to /fr/… leaves French active
    in the thread that made it (LocaleMiddleware activates it, nothing deactivates it), so
    a later test that formats a number without a request would write it the French way."""
    translation.deactivate()


@pytest.fixture(autouse=True)
def page_cache_breaker():
    """Every test starts with the page cache's breaker closed: one that a test's
    unreachable Redis opened (dashboards/caching.py) would leave the next test's cache
    alone for 30 s."""
    from mss_tracker.dashboards import caching

    caching.breaker = caching.CacheBreaker()
    yield caching.breaker
    caching.breaker = caching.CacheBreaker()


@pytest.fixture
def source(db) -> Source:
    return Source.objects.create(publisher="UN News", title="Briefing", url="https://news.un.org/x")


@pytest.fixture
def kenya(db) -> Country:
    return Country.objects.get_or_create_from_iso3("KEN")


@pytest.fixture
def haiti(db) -> Country:
    return Country.objects.get_or_create_from_iso3("HTI")


@pytest.fixture
def mission(db, haiti, kenya) -> Mission:
    return Mission.objects.create(
        slug="mss",
        acronym="MSS",
        name="Multinational Security Support mission",
        host_country=haiti,
        lead_country=kenya,
        authorized_by="UN Security Council resolution 2699",
        authorized_on=datetime.date(2023, 10, 2),
        start_date=datetime.date(2024, 6, 25),
    )


@pytest.fixture
def record_event(mission, kenya, source):
    """record_event(day, kind, personnel, personnel_type="police", country=kenya,
    mission=mission, **fields): an event written through the real write path (the
    timeline is rebuilt), by default Kenyan police in the conftest mission."""

    def record(day, kind, personnel, personnel_type="police", country=kenya, **fields):
        fields.setdefault("mission", mission)
        fields.setdefault("source", source)
        return DeploymentEvent.objects.create(
            country=country,
            date=day,
            kind=kind,
            personnel=personnel,
            personnel_type=personnel_type,
            **fields,
        )

    return record


@pytest.fixture
def record_pledge(mission, kenya, source):
    """record_pledge(day, personnel, personnel_type="police", country=kenya, **fields): a
    pledge, by default of Kenyan police to the conftest mission."""

    def record(day, personnel, personnel_type="police", country=kenya, **fields):
        fields.setdefault("mission", mission)
        fields.setdefault("source", source)
        return Pledge.objects.create(
            country=country,
            date=day,
            personnel=personnel,
            personnel_type=personnel_type,
            **fields,
        )

    return record


@pytest.fixture
def kenya_pledge(record_pledge) -> Pledge:
    """Kenya's pledge of 1,000 police to the conftest mission, 25 Jul 2023."""
    return record_pledge(datetime.date(2023, 7, 25), 1000)


def _staff_member(username: str, group: str) -> User:
    user = User.objects.create_user(username, password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name=group))  # created by migration tracker 0002_roles
    return user


@pytest.fixture
def editor(db) -> User:
    """A staff member who may record pledges, events and sources (group Editors)."""
    return _staff_member("editor", "Editors")


@pytest.fixture
def analyst(db) -> User:
    """A staff member who may only look (group Analysts)."""
    return _staff_member("analyst", "Analysts")


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def analyst_client(analyst) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def sample_missions(db):
    """MSS (ended, succeeded by GSF) and GSF with a slice of the sample data, built with the
    ORM once per process, then copied row for row (tests/dashboard_data.py). Works under
    live_server too (transactional)."""
    from dashboard_data import sample_missions_copied

    return sample_missions_copied()
