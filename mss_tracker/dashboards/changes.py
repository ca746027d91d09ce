"""`/missions/<slug>/changes/`: what changed between two dates, per country and in total.

The parameters are the events list's (`filters.parse_filters`, timeline): `from`, `to`,
`type` and `country`; `to` defaults to today (an ended mission's end date) and `from` to
90 days before `to`; `from` must be before `to`, else a 400 naming both. The figures
come from `tracker.changes` (the dashboard's arithmetic at each date); the page and
`export/changes.csv` / `changes.json` (exports.py) read the same `ChangesRequest`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mss_tracker.dashboards.caching import cache_on_data_version
from mss_tracker.dashboards.citations import citation, cited_parameter
from mss_tracker.dashboards.filters import (
    TYPE_CHOICES,
    Filters,
    parse_filters,
    timeline_parameters,
)
from mss_tracker.dashboards.languages import by_local_name
from mss_tracker.dashboards.page_parts import Period, get_mission
from mss_tracker.dashboards.rendering import page_url, render_page
from mss_tracker.lib.bad_requests import BadParameter
from mss_tracker.lib.methods import read_only
from mss_tracker.tracker.changes import (
    COUNTED_KINDS,
    DEFAULT_DAYS,
    Change,
    Changes,
    changes_between,
)
from mss_tracker.tracker.dates import EARLIEST_DATE, LATEST_DATE, format_with_precision
from mss_tracker.tracker.models import Country, DeploymentEvent, EventKind, Mission, Pledge
from mss_tracker.tracker.revisions import Scope


@dataclass(frozen=True)
class ChangesRequest:
    """What a changes page or export was asked for, defaults filled in."""

    mission: Mission
    filters: Filters  # type, country, and the resolved `from` and `to`
    asked: Filters  # as written in the URL (no defaults): the address the page pushes

    @property
    def date_from(self) -> datetime.date:
        return self.filters.date_from

    @property
    def date_to(self) -> datetime.date:
        return self.filters.date_to


def parse_changes(params: QueryDict, mission: Mission) -> ChangesRequest:
    parsed = parse_filters(params, timeline=True)  # from > to is refused there, naming both
    asked = Filters(
        personnel_type=parsed.personnel_type,
        country=parsed.country,
        date_from=parsed.date_from,
        date_to=parsed.date_to,
    )
    date_to = parsed.date_to or mission.effective_as_of()
    date_from = parsed.date_from or date_to - datetime.timedelta(days=DEFAULT_DAYS)
    if date_from >= date_to:
        raw = params.get("from", "")
        raise BadParameter("from", raw, _("must be before to=%(to)s") % {"to": date_to.isoformat()})
    return ChangesRequest(mission, replace(asked, date_from=date_from, date_to=date_to), asked)


def changes_parameters(params: QueryDict) -> dict[str, str]:
    """The parameters a changes page or export answers by, in their normal form: the
    timeline's without `as_of` and `kind`, which are checked but change nothing here (the
    page cache keys on these, caching.py)."""
    parameters = timeline_parameters(params)
    return {name: value for name, value in parameters.items() if name not in ("as_of", "kind")}


def events_query(asked: ChangesRequest, kind: str | None = None, country: str | None = None) -> str:
    """The events list of the range (its `from` is inclusive: the day after `from`)."""
    filters = replace(
        asked.filters,
        date_from=asked.date_from + datetime.timedelta(days=1),
        kind=kind,
        country=country or asked.filters.country,
    )
    return filters.query_string()


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def in_words(changes: Changes) -> str:
    """The total's change in one sentence, in the active language: "From 1 Jan 2026 to
    31 Mar 2026, deployed personnel rose from 957 to 1,120: 200 arrived, 37 left." and
    what happened to the pledges."""
    total: Change = changes.total
    numbers = {
        "start": format_with_precision(changes.date_from, "day"),
        "end": format_with_precision(changes.date_to, "day"),
        "before": _number(total.deployed_from),
        "after": _number(total.deployed_to),
    }
    if total.deployed_change > 0:
        opening = _(
            "From %(start)s to %(end)s, deployed personnel rose from %(before)s to %(after)s"
        )
    elif total.deployed_change < 0:
        opening = _(
            "From %(start)s to %(end)s, deployed personnel fell from %(before)s to %(after)s"
        )
    else:
        opening = _("From %(start)s to %(end)s, deployed personnel stayed at %(after)s")
    counts = total.counts
    said = [
        (counts.arrivals, ngettext("%(number)s arrived", "%(number)s arrived", counts.arrivals)),
        (
            counts.transfers,
            ngettext("%(number)s carried over", "%(number)s carried over", counts.transfers),
        ),
        (counts.departures, ngettext("%(number)s left", "%(number)s left", counts.departures)),
        (
            counts.fatalities,
            ngettext("%(number)s killed", "%(number)s killed", counts.fatalities),
        ),
    ]
    parts = [text % {"number": _number(count)} for count, text in said if count]
    if parts:
        # Translators: a list of what happened, "200 arrived, 37 left".
        happened = _(", ").join(parts)
    elif counts.events:
        happened = _("strength reports only")
    else:
        happened = _("no event recorded in between")
    # Translators: "From … rose from 957 to 1,120" and what happened, "200 arrived, 37 left".
    deployed = _("%(change)s: %(happened)s.") % {"change": opening % numbers, "happened": happened}
    pledged = {"before": _thousands(total.pledged_from), "after": _thousands(total.pledged_to)}
    if total.pledged_change is None:
        pledges = _("No numeric pledge was in force at either date.")
    elif total.pledged_change > 0:
        pledges = _("Pledged personnel rose from %(before)s to %(after)s.") % pledged
    elif total.pledged_change < 0:
        pledges = _("Pledged personnel fell from %(before)s to %(after)s.") % pledged
    else:
        pledges = _("Pledged personnel stayed at %(after)s.") % pledged
    return f"{deployed} {pledges}"


def _thousands(value: int | None) -> str:
    return _number(value or 0)


def _links(asked: ChangesRequest, iso3: str | None) -> dict[str, str]:
    return {
        "events": events_query(asked, country=iso3),
        **{name: events_query(asked, kind, iso3) for name, kind in COUNTED_KINDS.items()},
    }


def _countries(mission: Mission, selected: str | None) -> list[Country]:
    """The country filter's choices: every country with a record in the mission."""
    recorded = Exists(
        DeploymentEvent.objects.filter(mission=mission, country=OuterRef("pk"))
    ) | Exists(Pledge.objects.filter(mission=mission, country=OuterRef("pk")))
    return by_local_name(Country.objects.filter(recorded | Q(iso3=selected or "")))


@read_only
@cache_on_data_version(changes_parameters, cited_parameter)
def page(request: HttpRequest, slug: str) -> HttpResponse:
    mission = get_mission(slug)
    asked = parse_changes(request.GET, mission)
    filters = asked.filters
    changes: Changes = changes_between(
        mission, asked.date_from, asked.date_to, filters.personnel_type, filters.country
    )
    rows = by_local_name([row.country for row in changes.rows])
    by_iso3 = {row.iso3: row for row in changes.rows}
    query = filters.query_string()
    context = {
        "mission": mission,
        "filters": filters,
        "changes": changes,
        "in_words": in_words(changes),
        "period": Period(asked.date_to, changes.as_of_to, mission.has_ended_by(asked.date_to)),
        "rows": [(by_iso3[country.iso3], _links(asked, country.iso3)) for country in rows],
        "total_links": _links(asked, None),
        "query": query,
        "countries": _countries(mission, filters.country),
        "type_choices": TYPE_CHOICES,
        "current_type": filters.personnel_type or "all",
        "kinds": EventKind.choices,
        "earliest_date": EARLIEST_DATE,
        "latest_date": LATEST_DATE,
        "citation": citation(
            request,
            mission,
            _("changes from %(start)s to %(end)s")
            % {"start": asked.date_from.isoformat(), "end": asked.date_to.isoformat()},
            {
                "from": asked.date_from.isoformat(),
                "to": asked.date_to.isoformat(),
                "type": filters.personnel_type,
                "country": filters.country,
            },
            changes.as_of_to,
            scope=Scope(mission, changes.as_of_to, filters.personnel_type, filters.country),
        ),
    }
    return render_page(
        request,
        "dashboards/changes.html",
        context,
        url=page_url(request, asked.asked.query_string()),
        out_of_band_after_form=(),
    )
