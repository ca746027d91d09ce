"""The CSV exports: the figures of the filtered view, formula-safe, streamed, named."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from mss_tracker.tracker.csv.spec import (
    EVENT_COLUMNS,
    MISSION_COLUMNS,
    PLEDGE_COLUMNS,
    SUMMARY_COLUMNS,
)
from mss_tracker.tracker.figures import country_figures, percent_of_pledge
from mss_tracker.tracker.models import DeploymentEvent, Mission
from mss_tracker.tracker.sample_data import load_sample_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(db) -> Mission:
    load_sample_data()
    return Mission.objects.get(slug="mss")


def download(client, url: str, **params) -> tuple[object, list[list[str]]]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    text = b"".join(response.streaming_content).decode("utf-8")
    return response, list(csv.reader(io.StringIO(text, newline="")))


def _or_blank(value) -> str:
    return "" if value is None else str(value)


def summary_url(slug: str = "mss") -> str:
    return reverse("dashboards:export-summary", args=[slug])


def test_summary_has_the_headers_of_a_named_csv_download(client, sample):
    response, rows = download(client, summary_url(), as_of="2025-03-01", type="police")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="mss-summary-2025-03-01-police.csv"'
    )
    assert rows[0] == SUMMARY_COLUMNS


def test_summary_shows_the_figures_of_design_md(client, sample):
    _response, rows = download(client, summary_url(), as_of="2024-07-16", type="police")
    (kenya,) = [row for row in rows[1:] if row[1] == "KEN"]
    assert kenya == [
        "mss",
        "KEN",
        "Kenya",
        "police",
        "1000",
        "400",
        "600",
        "40.0",
        "0",
        "2024-06-25",
        "2024-07-16",
        "2024-07-16",
        "false",
        "false",
        "0",
        "0",
    ]  # fmt: skip (the report of 16 Jul clears the disputed arrival of 25 Jun)


def test_a_pledge_without_a_number_is_blank_and_zeros_are_written(client, sample):
    _response, rows = download(client, summary_url(), as_of="2024-01-01")
    (antigua,) = [row for row in rows[1:] if row[1] == "ATG"]
    columns = dict(zip(SUMMARY_COLUMNS, antigua, strict=True))
    assert columns["pledged"] == ""
    assert columns["gap"] == ""
    assert columns["percent_of_pledge"] == ""
    assert columns["deployed"] == "0"
    assert columns["fatalities"] == "0"
    assert columns["personnel_type"] == "all"


@pytest.mark.parametrize("personnel_type", [None, "police", "military", "civilian"])
@pytest.mark.parametrize("as_of", ["2023-08-01", "2024-07-16", "2025-02-06", "2025-12-31"])
def test_summary_equals_the_figures_of_the_view(client, sample, as_of, personnel_type):
    params = {"as_of": as_of} | ({"type": personnel_type} if personnel_type else {})
    for slug in ("mss", "gsf"):
        mission = Mission.objects.get(slug=slug)
        effective = mission.effective_as_of(datetime.date.fromisoformat(as_of))
        _response, rows = download(client, summary_url(slug), **params)
        expected = [
            [
                slug,
                c.iso3,
                c.name,
                personnel_type or "all",
                _or_blank(c.pledged),
                str(c.deployed),
                _or_blank(c.gap),
                _or_blank(percent_of_pledge(c.deployed, c.pledged)),
                str(c.fatalities),
                c.first_arrival.isoformat() if c.first_arrival else "",
                c.last_event.isoformat() if c.last_event else "",
                effective.isoformat(),
                "true" if c.pledged_disputed_by else "false",
                "true" if c.deployed_disputed_by else "false",
                str(c.pledged_unconfirmed),
                str(c.deployed_unconfirmed),
            ]
            for c in country_figures(mission, effective, personnel_type)
        ]
        assert rows[1:] == expected


def test_an_ended_mission_is_exported_as_it_stood_on_its_end_date(client, sample):
    response, rows = download(client, summary_url(), as_of="2026-01-01")
    assert "mss-summary-2025-10-02.csv" in response["Content-Disposition"]
    assert {row[SUMMARY_COLUMNS.index("as_of")] for row in rows[1:]} == {"2025-10-02"}


def test_summary_takes_two_queries(client, sample, django_assert_num_queries):
    with django_assert_num_queries(2):  # the mission, then the figures of every country
        download(client, summary_url(), as_of="2025-03-01")


@pytest.mark.parametrize(
    ("url_name", "params", "parameter"),
    [
        ("export-summary", {"as_of": "2025-02-30"}, "as_of"),
        ("export-summary", {"type": "navy"}, "type"),
        ("export-events", {"country": "ZZZ"}, "country"),
        ("export-events", {"kind": "landing"}, "kind"),
        ("export-events", {"from": "yesterday"}, "from"),
        ("export-events", {"to": "2025-13-01"}, "to"),
        ("export-pledges", {"type": "navy"}, "type"),
    ],
)
def test_a_bad_filter_gets_a_400_naming_it(client, sample, url_name, params, parameter):
    response = client.get(reverse(f"dashboards:{url_name}", args=["mss"]), params)
    assert response.status_code == 400
    assert parameter in response.content.decode()


def test_a_bad_filter_on_the_missions_export_gets_a_400(client, sample):
    response = client.get(reverse("dashboards:export-missions"), {"as_of": "soon"})
    assert response.status_code == 400


def test_an_unknown_mission_is_a_404(client, db):
    assert client.get(summary_url("nope")).status_code == 404


def events_url() -> str:
    return reverse("dashboards:export-events", args=["mss"])


def test_events_export_has_the_import_columns_and_every_event_to_the_end_date(client, sample):
    response, rows = download(client, events_url())
    assert rows[0] == EVENT_COLUMNS
    assert len(rows) - 1 == sample.events.filter(date__lte=sample.end_date).count()
    assert 'filename="mss-events-2025-10-02.csv"' in response["Content-Disposition"]


def test_events_export_takes_the_filters_of_the_timeline(client, sample):
    response, rows = download(
        client,
        events_url(),
        as_of="2025-03-01",
        type="police",
        country="ken",
        kind="arrival",
        **{"from": "2024-07-01", "to": "2025-01-31"},
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="mss-events-2025-03-01-police-KEN-arrival-from-2024-07-01'
        '-to-2025-01-31.csv"'
    )
    expected = DeploymentEvent.objects.filter(
        mission=sample,
        personnel_type="police",
        country="KEN",
        kind="arrival",
        date__range=("2024-07-01", "2025-01-31"),
    )
    assert [row[0] for row in rows[1:]] == [e.date.isoformat() for e in expected.order_by("date")]
    assert {(row[3], row[5], row[6]) for row in rows[1:]} == {("KEN", "arrival", "police")}


def test_events_export_stops_at_as_of(client, sample):
    _response, rows = download(client, events_url(), as_of="2024-07-16")
    assert [row[0] for row in rows[1:]] == ["2024-06-25", "2024-07-16", "2024-07-16"]


def test_events_export_takes_two_queries_or_three_with_a_country(
    client, sample, django_assert_num_queries
):
    with django_assert_num_queries(2):
        download(client, events_url())
    with django_assert_num_queries(3):  # the country filter checks the code exists
        download(client, events_url(), country="KEN")


def test_text_cells_are_formula_safe_but_numbers_are_not_touched(client, sample, source):
    DeploymentEvent.objects.create(
        mission=sample,
        country_id="KEN",
        personnel_type="civilian",
        date=datetime.date(2024, 8, 1),
        kind="arrival",
        personnel=3,
        source=source,
        notes='=HYPERLINK("http://evil")',
    )
    for number, prefix in enumerate(["+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx"], start=10):
        DeploymentEvent.objects.create(
            mission=sample,
            country_id="KEN",
            personnel_type="civilian",
            date=datetime.date(2024, 8, 2),
            kind="arrival",
            personnel=number,
            source=source,
            notes=prefix,
        )
    _response, rows = download(client, events_url(), type="civilian")
    notes = sorted(row[EVENT_COLUMNS.index("notes")] for row in rows[1:])
    assert notes == sorted(
        ['\'=HYPERLINK("http://evil")', "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "'\nx"]
    )
    _response, rows = download(client, summary_url(), as_of="2024-08-02", type="police")
    gaps = [row[6] for row in rows[1:] if row[6].startswith(("-", "'"))]
    assert all(not gap.startswith("'") for gap in gaps)


def test_pledges_export(client, sample, django_assert_num_queries):
    url = reverse("dashboards:export-pledges", args=["mss"])
    with django_assert_num_queries(2):
        response, rows = download(client, url, as_of="2024-03-01", type="military")
    assert rows[0] == PLEDGE_COLUMNS
    assert response["Content-Disposition"] == (
        'attachment; filename="mss-pledges-2024-03-01-military.csv"'
    )
    assert {row[5] for row in rows[1:]} == {"military"}
    assert max(row[0] for row in rows[1:]) <= "2024-03-01"
    assert [row[3] for row in rows[1:]] == ["BHS", "ATG", "BEN"]


def test_missions_export(client, sample, django_assert_num_queries):
    with django_assert_num_queries(1):
        response, rows = download(client, reverse("dashboards:export-missions"))
    assert rows[0] == MISSION_COLUMNS
    assert [row[0] for row in rows[1:]] == ["mss", "gsf"]
    assert rows[1][MISSION_COLUMNS.index("successor_slug")] == "gsf"
    assert response["Content-Disposition"] == 'attachment; filename="missions.csv"'


def test_the_exported_sample_files_are_the_sample_files(client, sample):
    """Exporting what load_sample_data imported gives back the shipped files' rows."""
    from mss_tracker.tracker.sample_data import SAMPLE_DATA_DIR

    for kind, url in [
        ("missions", reverse("dashboards:export-missions")),
        ("pledges", reverse("dashboards:export-pledges", args=["mss"])),
    ]:
        shipped = list(csv.reader(io.StringIO((SAMPLE_DATA_DIR / f"{kind}.csv").read_text())))
        _response, rows = download(client, url)
        exported = [row[: len(shipped[0])] for row in rows[1:]]  # the shipped files have no id
        assert sorted(exported) == sorted(
            r for r in shipped[1:] if kind == "missions" or r[2] == "mss"
        )
