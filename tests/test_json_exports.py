"""JSON beside every CSV: the same rows, in the same order, typed."""

import csv
import datetime
import io
import json
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from mss_tracker.bench import synthetic
from mss_tracker.tracker.csv.spec import EVENTS, MISSIONS, PLEDGES, SUMMARY
from mss_tracker.tracker.csv.spec.cells import strip_formula_guard
from mss_tracker.tracker.csv.writing import json_postgres
from mss_tracker.tracker.csv.writing.json_python import json_chunks, json_rows
from mss_tracker.tracker.csv.writing.table_schema import table_schema
from mss_tracker.tracker.models import DeploymentEvent, Mission, Pledge, Source

SCHEMAS = {
    "summary": table_schema(SUMMARY, None),
    "events": table_schema(EVENTS, DeploymentEvent),
    "pledges": table_schema(PLEDGES, Pledge),
    "missions": table_schema(MISSIONS, Mission),
}
PARSE = {
    "string": strip_formula_guard,  # JSON carries no formula guard
    "integer": int,
    "number": float,
    "boolean": {"true": True, "false": False}.__getitem__,
    "date": str,  # ISO in both
}


def csv_rows_as_typed(export: str, content: bytes) -> tuple[list[str], list[dict]]:
    """The CSV's rows read with its Table Schema's types: blank is null."""
    header, *rows = list(csv.reader(io.StringIO(content.decode())))
    types = {field["name"]: field["type"] for field in SCHEMAS[export]["fields"]}
    return header, [
        {
            name: None if cell == "" else PARSE[types[name]](cell)
            for name, cell in zip(header, row, strict=True)
        }
        for row in rows
    ]


def url(export: str, slug: str | None) -> str:
    if export == "missions":
        return reverse("dashboards:export-missions")
    return reverse(f"dashboards:export-{export}", args=[slug])


def assert_json_is_the_csv(client, export: str, slug: str | None, params: dict) -> dict:
    csv_response = client.get(url(export, slug), params)
    json_response = client.get(url(export, slug).replace(".csv", ".json"), params)
    assert csv_response.status_code == json_response.status_code == 200
    document = json.loads(b"".join(json_response.streaming_content))
    header, rows = csv_rows_as_typed(export, b"".join(csv_response.streaming_content))
    assert list(document) == ["columns", "rows", "as_of", "filters"]
    assert document["columns"] == header
    assert document["rows"] == rows
    return document


awkward_text = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12
) | st.sampled_from(["=1+1", "-5", "'@x", 'say "hi", then\r\nleave', "back\\slash\t", ""])


class JsonRowsAreTheCsvRows(TestCase):
    """On generated missions with awkward text, for every export and several filters."""

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        seed=st.integers(0, 10_000),
        events=st.integers(0, 400),
        countries=st.integers(1, 4),
        texts=st.lists(awkward_text, min_size=1, max_size=6),
        as_of_day=st.integers(-30, 900),
    )
    def test_json_rows_are_the_csv_rows_parsed_with_the_column_types(
        self, seed, events, countries, texts, as_of_day
    ):
        synthetic.generate(missions=2, countries=countries, events=events, seed=seed)
        self.put_awkward_text(texts)
        mission = Mission.objects.order_by("slug").first()
        code = DeploymentEvent.objects.values_list("country_id", flat=True).first() or "KEN"
        as_of = (mission.start_date + datetime.timedelta(days=as_of_day)).isoformat()
        for params in [
            {},
            {"type": "police"},
            {"as_of": as_of},
            {"country": code, "kind": "arrival"} if events else {"kind": "arrival"},
            {"type": "military", "from": mission.start_date.isoformat(), "to": as_of},
        ]:
            if "to" in params and params["to"] < params["from"]:
                params.pop("to")
            for export in ("summary", "events", "pledges"):
                if export == "summary":
                    params = {key: params[key] for key in ("as_of", "type") if key in params}
                assert_json_is_the_csv(self.client, export, mission.slug, params)
        assert_json_is_the_csv(self.client, "missions", None, {})

    @staticmethod
    def put_awkward_text(texts):
        for number, text in enumerate(texts):
            DeploymentEvent.objects.filter(
                pk__in=DeploymentEvent.objects.order_by("pk").values("pk")[
                    number * 7 : number * 7 + 3
                ]
            ).update(notes=text)
            Pledge.objects.filter(
                pk__in=Pledge.objects.order_by("pk").values("pk")[number : number + 1]
            ).update(notes=text)
        Mission.objects.update(notes=texts[0])
        source = Source.objects.order_by("pk").first()
        Source.objects.filter(pk=source.pk).update(title=texts[-1])


@pytest.fixture
def sample(sample_missions):
    return sample_missions


def _json(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/json"
    return json.loads(b"".join(response.streaming_content))


def test_events_json_is_typed(client, sample):
    document = _json(client, "/missions/mss/export/events.json", country="KEN", kind="arrival")
    first = document["rows"][0]
    assert first["date"] == "2024-06-25" and first["personnel"] == 200
    assert first["disputed"] is True and first["source_date"] == "2024-06-25"
    assert first["notes"] == "AFP said 400."
    assert document["as_of"] == "2025-10-02"  # MSS ended: its end date
    assert document["filters"] == {
        "type": None,
        "country": "KEN",
        "from": None,
        "to": None,
        "kind": "arrival",
    }


def test_summary_json_has_numbers_nulls_and_one_decimal_percents(client, sample):
    document = _json(client, "/missions/mss/export/summary.json", as_of="2025-03-01")
    rows = {row["country_iso3"]: row for row in document["rows"]}
    assert rows["KEN"]["percent_of_pledge"] == 61.6 and rows["KEN"]["deployed"] == 616
    assert rows["ATG"]["pledged"] is None and rows["ATG"]["gap"] is None
    assert rows["ATG"]["percent_of_pledge"] is None and rows["ATG"]["deployed"] == 0
    assert document["filters"] == {"type": None} and document["as_of"] == "2025-03-01"


def test_text_is_not_formula_guarded(client, sample):
    DeploymentEvent.objects.filter(mission__slug="gsf").update(notes="=HYPERLINK(1)")
    document = _json(client, "/missions/gsf/export/events.json")
    assert {row["notes"] for row in document["rows"]} == {"=HYPERLINK(1)"}


def test_missions_json(client, sample):
    document = _json(client, "/export/missions.json")
    assert [row["slug"] for row in document["rows"]] == ["mss", "gsf"]
    assert document["rows"][0]["successor_slug"] == "gsf"
    assert document["rows"][1]["end_date"] is None and document["filters"] == {}


def test_json_may_be_read_from_any_origin(client, sample):
    response = client.get("/missions/mss/export/events.json")
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/missions/mss/export/summary.json", {"as_of": "2025-02-30"}, "as_of"),
        ("/missions/mss/export/summary.json", {"type": "navy"}, "type"),
        ("/missions/mss/export/events.json", {"country": "ZZZ"}, "country"),
        ("/missions/mss/export/events.json", {"kind": "landing"}, "kind"),
        ("/missions/mss/export/events.json", {"from": "yesterday"}, "from"),
        ("/missions/mss/export/pledges.json", {"to": "2025-13-01"}, "to"),
        ("/export/missions.json", {"type": "navy"}, "type"),
    ],
)
def test_a_bad_parameter_gets_the_csvs_400(client, sample, path, params, parameter):
    response = client.get(path, params)
    assert response.status_code == 400
    assert parameter in response.content.decode()


def test_an_unknown_mission_is_a_404(client, db):
    assert client.get("/missions/nope/export/events.json").status_code == 404


def test_events_json_takes_two_queries(client, sample, django_assert_num_queries):
    with django_assert_num_queries(2):  # the mission, the events
        b"".join(client.get("/missions/mss/export/events.json").streaming_content)


@pytest.mark.parametrize(
    ("page", "links"),
    [
        ("/missions/mss/?type=police", ["summary.json?type=police", "events.json?type=police"]),
        ("/missions/mss/events/?kind=arrival", ["events.json?kind=arrival", "pledges.json"]),
        ("/missions/mss/countries/KEN/", ["events.json?country=KEN", "summary.json"]),
        ("/", ["/export/missions.json"]),
    ],
)
def test_pages_link_json_beside_the_csv(client, sample, page, links):
    html = client.get(page).content.decode()
    for link in links:
        assert link in html
    assert 'rel="alternate" type="application/json"' in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL writes the rows")
def test_postgresql_json_is_the_python_writers_in_chunks_of_any_size(sample):
    """json_postgres joins COPY's rows a chunk at a time (commas between them, COPY's
    backslashes undone): the document is json_python's, whatever the chunks' size. (One
    test for every size: each copy of the sample data leaves dead rows that
    tests/test_scaling.py would count.)"""
    events = DeploymentEvent.objects.order_by("pk")
    for number, text in enumerate(['back\\slash\t"q"', "a\nb\r\n", "\\", "日本, \\n"]):
        events.filter(pk__in=events.values("pk")[number * 2 : number * 2 + 1]).update(notes=text)
    as_of, filters = datetime.date(2025, 1, 1), {"type": None}
    python = json.loads(
        "".join(json_chunks(EVENTS.names, json_rows(EVENTS, events), as_of, filters))
    )
    for rows_per_chunk in (1, 2, 2000):
        with mock.patch.object(json_postgres, "LINES_PER_CHUNK", rows_per_chunk):
            chunks = list(json_postgres.export_json_chunks(EVENTS, events, as_of, filters))
        assert len(chunks) > 3 or rows_per_chunk == 2000
        assert json.loads(b"".join(chunks)) == python, rows_per_chunk
