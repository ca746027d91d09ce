import datetime

import pytest

from mss_tracker.tracker.models import Country, Mission, Source


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
