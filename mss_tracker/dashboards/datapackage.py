"""`/missions/<slug>/datapackage.json`: the mission's CSV exports as a Frictionless Data Package.

One resource per CSV of the mission (its summary, the changes over the 90 days up to its
date, events, pledges, funding records and funding summary, and the missions file its rows
refer to), each at the export's absolute URL with the Table Schema that
`csv.writing.table_schema` generates from the same column spec the writers use: so the
package cannot describe a column the CSV does not have. Keys: `id` for records (where the
export has it), the country code for the summary, the slug for missions; foreign keys
where they hold (every event and pledge is of a country the summary lists and of a mission
in the missions file; a donor is not tied to the summary's countries). Takes the
dashboard's `as_of` and `type`, passed on to the CSVs (`as_of` only to the funding files,
which have no personnel type).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from mss_tracker.dashboards.citations import citation
from mss_tracker.dashboards.filters import Filters, parse_filters
from mss_tracker.lib.methods import read_only
from mss_tracker.tracker.changes import DEFAULT_DAYS
from mss_tracker.tracker.csv.spec import (
    CHANGES,
    EVENTS,
    FUNDING,
    FUNDING_SUMMARY,
    MISSIONS,
    PLEDGES,
    SUMMARY,
    Export,
)
from mss_tracker.tracker.csv.writing.table_schema import table_schema
from mss_tracker.tracker.models import DeploymentEvent, FundingRecord, Mission, Pledge, Source
from mss_tracker.tracker.revisions import Scope

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
_DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True}


def _resource(request, export: Export, url: str, model, title: str, **keys) -> dict:
    schema = table_schema(export, model) | keys
    return {
        "name": export.name,
        "title": title,
        "path": request.build_absolute_uri(url),
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": _DIALECT,
        "schema": schema,
    }


def _mission_of_missions(field: str, resource: str = "missions") -> dict:
    return {"fields": [field], "reference": {"resource": resource, "fields": ["slug"]}}


def _sources(mission: Mission) -> list[dict]:
    """Every source the mission's records cite, and the mission's own."""
    sources = Source.objects.filter(
        Q(missions=mission)
        | Q(pk__in=Pledge.objects.filter(mission=mission).values("source"))
        | Q(pk__in=DeploymentEvent.objects.filter(mission=mission).values("source"))
        | Q(pk__in=FundingRecord.objects.filter(mission=mission).values("source"))
    ).order_by("publisher", "title", "pk")
    return [
        {"title": str(source), **({"path": source.url} if source.url else {})} for source in sources
    ]


def _query(filters: Filters) -> str:
    query = filters.query_string()
    return f"?{query}" if query else ""


def _changes_query(filters: Filters) -> str:
    """The changes export up to the package's date (its `as_of`, or today), same type."""
    changes = Filters(personnel_type=filters.personnel_type, date_to=filters.as_of)
    query = changes.query_string()
    return f"?{query}" if query else ""


@read_only
def view(request: HttpRequest, slug: str) -> JsonResponse:
    filters = parse_filters(request.GET)
    mission = get_object_or_404(Mission, slug=slug.lower())
    query = _query(filters)
    as_of_only = Filters(as_of=filters.as_of)  # funding has no personnel type
    country_of_summary = {
        "fields": ["country_iso3"],
        "reference": {"resource": "summary", "fields": ["country_iso3"]},
    }
    resources = [
        _resource(
            request,
            SUMMARY,
            reverse("dashboards:export-summary", args=[mission.slug]) + query,
            None,
            f"{mission.acronym}: pledged and deployed personnel per country",
            primaryKey=["country_iso3"],
            foreignKeys=[_mission_of_missions("mission")],
        ),
        _resource(
            request,
            CHANGES,
            reverse("dashboards:export-changes", args=[mission.slug]) + _changes_query(filters),
            None,
            f"{mission.acronym}: what changed in the {DEFAULT_DAYS} days up to the figures' date",
            primaryKey=["country_iso3"],
        ),
        _resource(
            request,
            EVENTS,
            reverse("dashboards:export-events", args=[mission.slug]) + query,
            DeploymentEvent,
            f"{mission.acronym}: deployment events",
            foreignKeys=[country_of_summary, _mission_of_missions("mission")],
        ),
        _resource(
            request,
            PLEDGES,
            reverse("dashboards:export-pledges", args=[mission.slug]) + query,
            Pledge,
            f"{mission.acronym}: pledges",
            foreignKeys=[country_of_summary, _mission_of_missions("mission")],
        ),
        # Funding: the donors are not tied to the personnel files' countries (a donor
        # need not have pledged personnel), so no foreign key to the summary.
        _resource(
            request,
            FUNDING,
            reverse("dashboards:export-funding", args=[mission.slug]) + _query(as_of_only),
            FundingRecord,
            f"{mission.acronym}: funding records (US dollars)",
            foreignKeys=[_mission_of_missions("mission")],
        ),
        _resource(
            request,
            FUNDING_SUMMARY,
            reverse("dashboards:export-funding-summary", args=[mission.slug]) + _query(as_of_only),
            None,
            f"{mission.acronym}: money pledged, received and required as of a date (US dollars)",
        ),
        _resource(
            request,
            MISSIONS,
            reverse("dashboards:export-missions"),
            Mission,
            "Every mission tracked",
            primaryKey=["slug"],
            foreignKeys=[_mission_of_missions("successor_slug", resource="")],
        ),
    ]
    as_of = mission.effective_as_of(filters.as_of)
    cited = citation(
        request,
        mission,
        "data package",
        {"as_of": as_of.isoformat(), "type": filters.personnel_type},
        as_of,
        scope=Scope(mission, as_of, filters.personnel_type),
    )
    package = {
        "profile": "tabular-data-package",
        "name": f"{mission.slug}-personnel",
        "title": f"{mission.name} ({mission.acronym}): pledged and deployed personnel",
        "description": (
            f"Personnel pledged and deployed by each country to the {mission.name}, "
            f"authorised by {mission.authorized_by}, with the source of every figure."
        ),
        "homepage": request.build_absolute_uri(mission.get_absolute_url()),
        "created": timezone.now().isoformat(timespec="seconds"),
        "licenses": [LICENSE],
        # Not a Data Package property: how to cite this package's figures (citations.py).
        "citation": {key: cited[key] for key in ("line", "bibtex", "url")},
        "sources": _sources(mission),
        "resources": resources,
    }
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    return response
