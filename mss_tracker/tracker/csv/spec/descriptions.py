"""What each exported column means, in the project's words (the data package's field
descriptions). Keyed by column name: a name means the same in every export, except
where `IN_EXPORT` says otherwise for one export (`description` reads both)."""

DESCRIPTIONS: dict[str, str] = {
    # records
    "date": (
        "When it happened (pledges: when it was pledged), ISO date. A month-precision date "
        "is stored as the 1st of the month, a year-precision date as 1 January."
    ),
    "date_precision": "How precisely the date is known: day, month or year.",
    "mission": "The mission's slug (for example mss).",
    "country_iso3": "The country's ISO 3166-1 alpha-3 code (for example KEN).",
    "country": "The country's name (the code decides; the name is for reading).",
    "event": (
        "What happened: arrival (+ personnel), departure (− personnel: rotation out, "
        "repatriation, withdrawal), fatality (− personnel killed, also counted in "
        "fatalities), strength_report (sets the deployed strength to exactly personnel: a "
        "reported headcount), transfer (+ personnel carried over from the predecessor "
        "mission when this mission took its place)."
    ),
    "personnel_type": "police, military or civilian (summary: the type filter, or all).",
    "personnel": (
        "Events: personnel arriving, leaving or killed (at least 1), or the reported "
        "headcount (at least 0). Pledges: the personnel pledged; blank when no number was "
        "announced (the country counts as pledged but adds nothing to totals)."
    ),
    "disputed": "true when sources disagree on the figure, the date or the status.",
    "source_publisher": "Who published the source of the figure.",
    "source_title": "The source's title.",
    "source_url": "Where the source can be read.",
    "source_date": "When the source was published.",
    "notes": "The editors' notes (why a figure is disputed, what a source said).",
    "id": (
        "The record's stable identifier: a UUID given when the record is created, never "
        "changed, never reused. Corrections travel by id."
    ),
    # missions
    "slug": "The mission's short name in URLs (for example mss).",
    "acronym": "The mission's acronym (MSS).",
    "name": "The mission's full name.",
    "host_country_iso3": "The host country's ISO 3166-1 alpha-3 code.",
    "lead_country_iso3": "The lead country's ISO 3166-1 alpha-3 code (blank if none).",
    "authorized_by": "The authorising act (for example UN Security Council resolution 2699).",
    "authorized_on": "When the mission was authorised.",
    "start_date": "When the mission started.",
    "end_date": "When the mission ended (blank while it goes on).",
    "authorized_ceiling": "The personnel ceiling set by the mandate (blank if none).",
    "successor_slug": "The slug of the mission that took this one's place (blank if none).",
    # summary
    "pledged": (
        "Personnel of the latest pledge dated on or before as_of (a later pledge "
        "supersedes an earlier one), summed over types; blank when no number was announced."
    ),
    "deployed": (
        "Deployed strength on as_of: the latest strength report dated on or before as_of "
        "(or 0), then every arrival, transfer, departure and fatality after it."
    ),
    "gap": "pledged − deployed; blank when pledged is unknown.",
    "percent_of_pledge": (
        "100 × deployed ÷ pledged, one decimal; blank when pledged is 0 or unknown."
    ),
    "fatalities": "The sum of fatality events dated on or before as_of.",
    "first_arrival": "The date of the earliest arrival or transfer dated on or before as_of.",
    "last_event": "The date of the latest event of any kind dated on or before as_of.",
    "as_of": "The date the figures are for (an ended mission's end date at the latest).",
    "pledged_disputed": "true when the pledge in force is disputed.",
    "deployed_disputed": (
        "true when any event that determines the deployed figure is disputed: the latest "
        "strength report and the events after it."
    ),
    "pledged_unconfirmed": (
        "How much of pledged is disputed: the personnel of the disputed pledges in force "
        "(0 when none)."
    ),
    "deployed_unconfirmed": (
        "How much of deployed is disputed: the deployed figures, per personnel type, that "
        "are disputed, summed (0 when none)."
    ),
    # changes between two dates (`from` and `to` are the export's parameters)
    "deployed_from": "Deployed strength on the date from, as the dashboard shows it then.",
    "deployed_to": "Deployed strength on the date to, as the dashboard shows it then.",
    "deployed_change": "deployed_to − deployed_from.",
    "pledged_from": (
        "Personnel of the pledges in force on the date from, summed over types; blank when "
        "no pledge was in force or no number was announced."
    ),
    "pledged_to": (
        "Personnel of the pledges in force on the date to, summed over types; blank when "
        "no pledge was in force or no number was announced."
    ),
    "pledged_change": (
        "pledged_to − pledged_from, a pledge not yet made counting 0; blank when a pledge "
        "in force at either date announced no number, or when there was none at both."
    ),
    "arrivals": "Personnel arrived in events dated after from, up to and including to.",
    "departures": "Personnel departed in events dated after from, up to and including to.",
    "transfers": (
        "Personnel carried over from the predecessor mission in events dated after from, "
        "up to and including to."
    ),
    "events": "The number of events of any kind dated after from, up to and including to.",
    "deployed_to_disputed": (
        "true when any event that determines deployed_to is disputed: the latest strength "
        "report and the events after it."
    ),
    "pledged_to_disputed": "true when a pledge in force on the date to is disputed.",
}

# A column whose meaning narrows in one export: (export, column) -> description.
IN_EXPORT: dict[tuple[str, str], str] = {
    ("changes", "fatalities"): (
        "Personnel killed in events dated after from, up to and including to."
    ),
}

_FIGURE_RULE = (
    "One donor: its latest running total dated on or before as_of plus its contributions "
    "dated after that total; all donors: the latest all-donors total plus every "
    "contribution dated after it (before any all-donors total, the sum of the donors' own "
    "figures). Blank when nothing is recorded."
)

# Descriptions that differ in one export: the funding records and the funding summary.
BY_EXPORT: dict[str, dict[str, str]] = {
    "funding": {
        "date": (
            "The date of the figure, ISO date (a month-precision date is stored as the 1st "
            "of the month, a year-precision date as 1 January)."
        ),
        "donor_iso3": (
            "The donor's ISO 3166-1 alpha-3 code; blank for a figure of all donors together "
            "(and for a requirement). Not tied to the countries of the personnel files."
        ),
        "donor": "The donor's name (the code decides; the name is for reading).",
        "kind": (
            "pledged (money committed, paid or not), received (money paid in) or "
            "requirement (the estimated cost of one year)."
        ),
        "measure": (
            "total (the running figure as of its date), contribution (one commitment or "
            "payment) or per_year (a requirement, and only a requirement)."
        ),
        "channel": (
            "trust_fund (the UN-administered voluntary fund for the mission) or bilateral "
            "(support outside the fund); blank for a requirement."
        ),
        "amount_usd": (
            "The amount in whole US dollars, never negative; a converted amount says its "
            "original currency and rate in the notes."
        ),
        "disputed": "true when sources disagree on the figure, the date or the status.",
    },
    "funding_summary": {
        "as_of": "The date the figures are for (an ended mission's end date at the latest).",
        "channel": "trust_fund or bilateral: the figures of the row go through that channel.",
        "donor_iso3": "The donor's ISO 3166-1 alpha-3 code; blank on the all-donors row.",
        "donor": "The donor's name; blank on the all-donors row.",
        "pledged": "US dollars pledged (committed, paid or not) as of as_of. " + _FIGURE_RULE,
        "received": "US dollars received (paid in) as of as_of. " + _FIGURE_RULE,
        "pledged_disputed": "true when any record the pledged figure rests on is disputed.",
        "received_disputed": "true when any record the received figure rests on is disputed.",
        "requirement": (
            "The estimated cost of one year in US dollars: the latest per-year requirement "
            "dated on or before as_of. On the all-donors trust-fund row only."
        ),
        "requirement_disputed": (
            "true when the requirement in force is disputed. On the all-donors trust-fund row only."
        ),
        "share": (
            "100 × trust-fund received ÷ requirement, one decimal: received so far, against "
            "the cost of one year. On the all-donors trust-fund row only; blank when either "
            "is unknown."
        ),
        "figure_date": "The latest date among the records the row's figures rest on.",
    },
}

# The funding files, grouped by export above, read through IN_EXPORT like every other.
IN_EXPORT |= {
    (export, column): text for export, texts in BY_EXPORT.items() for column, text in texts.items()
}


def description(export: str, column: str) -> str:
    """What `column` means in the export named `export`."""
    in_export = IN_EXPORT.get((export, column))  # a column of one export only has no default
    return in_export if in_export is not None else DESCRIPTIONS[column]
