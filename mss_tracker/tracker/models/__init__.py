"""What is recorded (docs/rules.md): missions, countries, sources, pledges and deployment events.

`TimelinePoint` is derived data: the end-of-day deployed strength of one
(mission, country, personnel type) on every date that has an event. Every write of an
event rebuilds it in the same transaction (see `timelines.py`), which is where
the rule "deployed strength is never negative" is enforced, and what lets the
dashboards read one row per timeline instead of replaying history.

Missions, sources, pledges and events keep an audit history (django-simple-history's
`history` manager): who changed what, when, the values before and after, and why (a CSV
import names its file). Model saves and deletes record it through signals; the CSV
import's bulk writes record it themselves (`history.record_history`).

The models are split by job: `places` (Country, Source), `missions` (Mission), `records`
(the abstract DatedRecord, Pledge, DeploymentEvent), `funding` (FundingRecord: the money
behind a mission), `timeline` (TimelinePoint) and `reports` (ErrorReport: a reader's report
of an error, for the staff).
Import them from here, as before the split: the code, tests and migrations do.
"""

# Codes and their rules live in codes.py, dates in dates.py; re-exported here for the code
# that reads them with the models, and for migration 0001 (`validate_iso3`, `validate_iso2`).
from mss_tracker.tracker.codes import (
    ADDING_KINDS,
    ALL_TYPES,
    EventKind,
    FundingChannel,
    FundingKind,
    FundingMeasure,
    PersonnelType,
    validate_iso2,
    validate_iso3,
)
from mss_tracker.tracker.dates import DatePrecision, Milestone

# Defined in its own module (the file and progress of an upload, not the domain); imported
# here so that Django finds it.
from mss_tracker.tracker.import_jobs import ImportJob
from mss_tracker.tracker.models.funding import FundingRecord
from mss_tracker.tracker.models.missions import Mission
from mss_tracker.tracker.models.places import Country, Source
from mss_tracker.tracker.models.records import DatedRecord, DeploymentEvent, Pledge
from mss_tracker.tracker.models.reports import ErrorReport, ErrorReportStatus
from mss_tracker.tracker.models.timeline import MissionTotalPoint, TimelinePoint

__all__ = [
    "ADDING_KINDS",
    "ALL_TYPES",
    "Country",
    "DatePrecision",
    "DatedRecord",
    "DeploymentEvent",
    "ErrorReport",
    "ErrorReportStatus",
    "EventKind",
    "FundingChannel",
    "FundingKind",
    "FundingMeasure",
    "FundingRecord",
    "ImportJob",
    "Milestone",
    "Mission",
    "MissionTotalPoint",
    "PersonnelType",
    "Pledge",
    "Source",
    "TimelinePoint",
    "validate_iso2",
    "validate_iso3",
]
