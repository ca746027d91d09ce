"""Backups you can trust: the CSV exports of every mission restore every summary figure."""

import datetime

import pytest
from django.core.management import call_command

from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.models import (
    Country,
    DeploymentEvent,
    FundingRecord,
    Mission,
    Pledge,
    Source,
    TimelinePoint,
)

DATES = ["2023-10-02", "2024-07-16", "2025-01-04", "2025-06-30", "2025-10-02", "2025-12-31", ""]
TYPES = ["", "police", "military", "civilian"]


def summaries(client) -> dict[str, bytes]:
    """Every mission's summary.csv on several dates and types, as an analyst downloads it."""
    found = {}
    for slug in Mission.objects.values_list("slug", flat=True):
        for as_of in DATES:
            for personnel_type in TYPES:
                url = f"/missions/{slug}/export/summary.csv?as_of={as_of}&type={personnel_type}"
                response = client.get(url)
                assert response.status_code == 200, url
                found[url] = b"".join(response.streaming_content)
        for as_of in DATES:
            url = f"/missions/{slug}/export/funding_summary.csv?as_of={as_of}"
            found[url] = download(client, url)
    return found


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_restoring_the_csv_exports_into_an_empty_database_reproduces_every_summary(client):
    call_command("load_sample_data", verbosity=0)
    before = summaries(client)
    assert any(b",KEN," in body for body in before.values())

    backup = {"missions": download(client, "/export/missions.csv")}
    for kind in ("pledges", "events", "funding"):
        backup[kind] = b"".join(
            download(client, f"/missions/{slug}/export/{kind}.csv")
            for slug in Mission.objects.order_by("slug").values_list("slug", flat=True)
        )

    funding_ids = set(FundingRecord.objects.values_list("uuid", flat=True))
    assert funding_ids
    DeploymentEvent.objects.all().delete()
    Pledge.objects.all().delete()
    FundingRecord.objects.all().delete()
    Mission.objects.all().delete()
    Source.objects.all().delete()
    Country.objects.all().delete()
    assert not TimelinePoint.objects.exists()
    assert client.get("/missions/mss/export/summary.csv").status_code == 404

    for kind in ("missions", "pledges", "events", "funding"):
        # The per-mission files are concatenated with their header rows: keep the first.
        lines = backup[kind].decode().splitlines(keepends=True)
        header = lines[0]
        body = "".join(line for line in lines if line != header)
        result = import_csv(kind, (header + body).encode(), reason=f"restore {kind}")
        assert result.ok, result.summary()

    assert summaries(client) == before
    assert set(FundingRecord.objects.values_list("uuid", flat=True)) == funding_ids


@pytest.mark.django_db
def test_the_backup_files_carry_every_row(client):
    call_command("load_sample_data", verbosity=0)
    events = sum(
        download(client, f"/missions/{slug}/export/events.csv?as_of=2099-12-31").count(b"\n") - 1
        for slug in Mission.objects.values_list("slug", flat=True)
    )
    assert events >= DeploymentEvent.objects.filter(date__lte=datetime.date.today()).count()
