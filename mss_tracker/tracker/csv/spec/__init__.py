"""What reading and writing share: each export's columns (`columns`), how each kind of cell
is written and read back, formula guard included (`cells`), and what each column means
(`descriptions`, for the data package).

The column spec is imported from here: `from mss_tracker.tracker.csv.spec import EVENTS`.
"""

from mss_tracker.tracker.csv.spec.columns import (
    CHANGES,
    COLUMNS,
    EVENT_COLUMNS,
    EVENTS,
    EXPORTS,
    FUNDING,
    FUNDING_COLUMNS,
    FUNDING_SUMMARY,
    FUNDING_SUMMARY_COLUMNS,
    KINDS,
    MISSION_COLUMNS,
    MISSIONS,
    OPTIONAL_COLUMNS,
    PLEDGE_COLUMNS,
    PLEDGES,
    SUMMARY,
    SUMMARY_COLUMNS,
    Cell,
    Column,
    Export,
)

__all__ = [
    "CHANGES",
    "COLUMNS",
    "EVENTS",
    "EVENT_COLUMNS",
    "EXPORTS",
    "FUNDING",
    "FUNDING_COLUMNS",
    "FUNDING_SUMMARY",
    "FUNDING_SUMMARY_COLUMNS",
    "KINDS",
    "MISSIONS",
    "MISSION_COLUMNS",
    "OPTIONAL_COLUMNS",
    "PLEDGES",
    "PLEDGE_COLUMNS",
    "SUMMARY",
    "SUMMARY_COLUMNS",
    "Cell",
    "Column",
    "Export",
]
