from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from mss_tracker.dashboards import (
    changes,
    datapackage,
    exports,
    feeds,
    reports,
    use_the_data,
    views,
)
from mss_tracker.lib.methods import read_only

app_name = "dashboards"

# The pages and their charts speak the reader's language: English at these URLs, French
# under /fr/ and Haitian Creole under /ht/ (docs/rules.md; dashboards/languages.py).
pages = [
    path("", views.index, name="index"),
    path("use-the-data/", use_the_data.page, name="use-the-data"),
    path("missions/<slug:slug>/", views.mission, name="mission"),
    path("missions/<slug:slug>/chart.svg", views.mission_chart, name="mission-chart"),
    path("missions/<slug:slug>/funding.svg", views.mission_funding_chart, name="funding-chart"),
    path("missions/<slug:slug>/events/", views.events, name="events"),
    path("missions/<slug:slug>/changes/", changes.page, name="changes"),
    path(
        "missions/<slug:slug>/report-an-error/",
        reports.report_an_error,
        name="report-an-error",
    ),
    path("missions/<slug:slug>/countries/<str:iso3>/", views.country, name="country"),
    path(
        "missions/<slug:slug>/countries/<str:iso3>/chart.svg",
        views.country_chart,
        name="country-chart",
    ),
]

# Data, feeds and probes are the same in every language: never prefixed.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("export/missions.csv", exports.missions_csv, name="export-missions"),
    path("export/missions.json", exports.missions_json, name="export-missions-json"),
    path("missions/<slug:slug>/datapackage.json", datapackage.view, name="datapackage"),
    path("missions/<slug:slug>/export/summary.csv", exports.summary_csv, name="export-summary"),
    path(
        "missions/<slug:slug>/export/summary.json", exports.summary_json, name="export-summary-json"
    ),
    path("missions/<slug:slug>/export/changes.csv", exports.changes_csv, name="export-changes"),
    path(
        "missions/<slug:slug>/export/changes.json", exports.changes_json, name="export-changes-json"
    ),
    path("missions/<slug:slug>/export/events.csv", exports.events_csv, name="export-events"),
    path("missions/<slug:slug>/export/events.json", exports.events_json, name="export-events-json"),
    path("missions/<slug:slug>/export/pledges.csv", exports.pledges_csv, name="export-pledges"),
    path(
        "missions/<slug:slug>/export/pledges.json", exports.pledges_json, name="export-pledges-json"
    ),
    path("missions/<slug:slug>/export/funding.csv", exports.funding_csv, name="export-funding"),
    path(
        "missions/<slug:slug>/export/funding.json", exports.funding_json, name="export-funding-json"
    ),
    path(
        "missions/<slug:slug>/export/funding_summary.csv",
        exports.funding_summary_csv,
        name="export-funding-summary",
    ),
    path(
        "missions/<slug:slug>/export/funding_summary.json",
        exports.funding_summary_json,
        name="export-funding-summary-json",
    ),
    path(
        "missions/<slug:slug>/events.atom", read_only(feeds.MissionEventsFeed()), name="events-feed"
    ),
    *i18n_patterns(*pages, prefix_default_language=False),
]
