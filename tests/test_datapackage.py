"""/missions/<slug>/datapackage.json: a Frictionless Data Package of the mission's CSVs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from frictionless import Package

from mss_tracker.bench import synthetic
from mss_tracker.tracker.csv.spec import CHANGES, EVENTS, EXPORTS, FUNDING_SUMMARY, SUMMARY
from mss_tracker.tracker.csv.spec.descriptions import BY_EXPORT, DESCRIPTIONS, description
from mss_tracker.tracker.models import EventKind, PersonnelType

FRICTIONLESS = Path(sys.executable).parent / "frictionless"


@pytest.fixture
def sample(sample_missions):
    return sample_missions


def _package(client, slug, **params) -> dict:
    response = client.get(f"/missions/{slug}/datapackage.json", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def _report(descriptor: dict):
    return Package(descriptor).validate()


def _errors(report) -> list[str]:
    return [error.message for task in report.tasks for error in task.errors] + [
        error.message for error in report.errors
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("slug", ["mss", "gsf"])
def test_frictionless_validate_passes_on_the_sample_missions(live_server, client, sample, slug):
    result = subprocess.run(
        [FRICTIONLESS, "validate", f"{live_server.url}/missions/{slug}/datapackage.json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    resources = json.loads(client.get(f"/missions/{slug}/datapackage.json").content)["resources"]
    assert result.stdout.count("VALID") == len(resources) == 7  # 5 of personnel, 2 of funding


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("params", [{}, {"as_of": "2025-01-10"}, {"type": "police"}])
def test_frictionless_validate_passes_on_a_generated_mission(live_server, client, params):
    synthetic.generate(missions=2, countries=5, events=600, seed=7)
    slug = synthetic.synthetic_missions().order_by("slug").first().slug
    response = client.get(f"/missions/{slug}/datapackage.json", params)
    descriptor = json.loads(response.content.decode().replace("http://testserver", live_server.url))
    report = _report(descriptor)
    assert report.valid, _errors(report)
    # frictionless counts no rows in a file with a header alone (a generated mission has
    # no funding records)
    rows = {task.name: task.stats.get("rows", 0) for task in report.tasks}
    assert rows["events"] > 0 and rows["summary"] == 5 and rows["funding"] == 0


@pytest.mark.django_db(transaction=True)
def test_the_validation_checks_the_foreign_keys(live_server, client, sample):
    """A package whose summary leaves out countries the events name is invalid."""
    descriptor = json.loads(
        client.get("/missions/mss/datapackage.json")
        .content.decode()
        .replace("http://testserver", live_server.url)
    )
    summary = descriptor["resources"][0]
    summary["path"] += "?as_of=2024-06-25"  # before Jamaica pledged; its events are later
    report = _report(descriptor)
    assert not report.valid
    assert any("foreign" in message.lower() for message in _errors(report))


def test_one_resource_per_csv_at_its_absolute_url(client, sample):
    package = _package(client, "mss", type="police")
    paths = {resource["name"]: resource["path"] for resource in package["resources"]}
    assert paths == {
        "summary": "http://testserver/missions/mss/export/summary.csv?type=police",
        "changes": "http://testserver/missions/mss/export/changes.csv?type=police",
        "events": "http://testserver/missions/mss/export/events.csv?type=police",
        "pledges": "http://testserver/missions/mss/export/pledges.csv?type=police",
        # funding has no personnel type: the funding files take as_of only
        "funding": "http://testserver/missions/mss/export/funding.csv",
        "funding_summary": "http://testserver/missions/mss/export/funding_summary.csv",
        "missions": "http://testserver/export/missions.csv",
    }


def test_the_schemas_are_the_csv_columns_with_types_and_descriptions(client, sample):
    package = _package(client, "mss")
    for resource in package["resources"]:
        computed = {"summary": SUMMARY, "changes": CHANGES, "funding_summary": FUNDING_SUMMARY}
        spec = computed.get(resource["name"]) or EXPORTS[resource["name"]]
        fields = resource["schema"]["fields"]
        assert [field["name"] for field in fields] == spec.names
        assert all(
            field["description"] == description(spec.name, field["name"]) for field in fields
        )
        assert resource["schema"]["missingValues"] == [""]
    events = {field["name"]: field for field in package["resources"][2]["schema"]["fields"]}
    assert events["date"]["type"] == "date" and events["personnel"]["type"] == "integer"
    assert events["disputed"]["type"] == "boolean"
    assert (events["disputed"]["trueValues"], events["disputed"]["falseValues"]) == (
        ["true"],
        ["false"],
    )
    assert events["event"]["constraints"]["enum"] == list(EventKind.values)
    assert events["personnel_type"]["constraints"]["enum"] == list(PersonnelType.values)
    if "id" in EVENTS.names:
        assert package["resources"][2]["schema"]["primaryKey"] == ["id"]
        assert events["id"]["format"] == "uuid"
    summary = {field["name"]: field for field in package["resources"][0]["schema"]["fields"]}
    assert summary["percent_of_pledge"]["type"] == "number"
    assert summary["personnel_type"]["constraints"]["enum"] == [*PersonnelType.values, "all"]


def test_every_column_of_every_export_has_a_description():
    for export in [*EXPORTS.values(), SUMMARY, CHANGES, FUNDING_SUMMARY]:
        assert set(export.names) <= set(DESCRIPTIONS) | set(BY_EXPORT.get(export.name, {}))


def test_the_funding_files_describe_dollars_and_leave_donors_untied(client, sample):
    resources = {r["name"]: r for r in _package(client, "mss")["resources"]}
    summary = {f["name"]: f for f in resources["funding_summary"]["schema"]["fields"]}
    assert "US dollars" in summary["pledged"]["description"]
    assert summary["share"]["type"] == "number"
    assert summary["channel"]["constraints"]["enum"] == ["trust_fund", "bilateral"]
    funding = {f["name"]: f for f in resources["funding"]["schema"]["fields"]}
    assert funding["kind"]["constraints"]["enum"] == ["pledged", "received", "requirement"]
    assert funding["amount_usd"]["type"] == "integer"
    assert resources["funding"]["schema"]["primaryKey"] == ["id"]
    assert all(
        key["fields"] != ["donor_iso3"] for key in resources["funding"]["schema"]["foreignKeys"]
    )


def test_it_names_the_sources_and_a_licence(client, sample):
    package = _package(client, "gsf")
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    titles = [source["title"] for source in package["sources"]]
    assert any(title.startswith("KRDO (Associated Press)") for title in titles)
    assert any(title.startswith("United Nations") for title in titles)  # the mission's own


def test_a_bad_parameter_is_a_400(client, sample):
    response = client.get("/missions/mss/datapackage.json", {"as_of": "soon"})
    assert response.status_code == 400 and "as_of" in response.content.decode()


def test_an_unknown_mission_is_a_404(client, db):
    assert client.get("/missions/nope/datapackage.json").status_code == 404


def test_it_carries_the_citation_of_its_figures(client, sample):
    package = _package(client, "mss", type="police")
    citation = package["citation"]
    assert "/missions/mss/datapackage.json?as_of=2025-10-02&type=police&cited=" in citation["url"]
    assert citation["line"].startswith("MSS Tracker, “Multinational Security Support")
    assert citation["bibtex"].startswith("@misc{mss-tracker-mss-2025-10-02,")
