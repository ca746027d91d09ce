"""The staff editors' admin, one module per job.

- `lists`: the registered model admins (countries, sources, missions, pledges, events);
- `forms`: the record forms (ISO dates, reasons, the timeline's refusals as form errors);
- `audit`: history with reasons, revert, delete with a reason;
- `csv_files`: CSV download and upload with preview;
- `imports`: the Imports list (background import jobs: progress, cancel, start);
- `carry_over`: carry personnel over from a predecessor mission;
- `recent_changes`: the recent-changes page across every audited record;
- `error_reports`: the queue of readers' error reports, and opening a record from one.

Importing this package registers the model admins (Django's autodiscovery imports it).
"""

from mss_tracker.tracker.admin import (  # noqa: F401 (registers the model admins)
    error_reports,
    imports,
    lists,
)
