"""A slice of the MSS / GSF sample data, built with the ORM, for the dashboard tests.

The expected figures in the tests are worked out by hand from these rows (see the
comments in tests/test_dashboard.py), independently of `tracker.figures`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pycountry
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

from mss_tracker.tracker.models import Country, DeploymentEvent, Mission, Pledge, Source

D = datetime.date


@dataclass
class SampleMissions:
    mss: Mission
    gsf: Mission
    source: Source


def _country(iso3: str) -> Country:
    return Country.objects.get_or_create_from_iso3(iso3)


def pledge(mission, iso3, personnel_type, day, personnel, source, **extra) -> Pledge:
    return Pledge.objects.create(
        mission=mission,
        country=_country(iso3),
        personnel_type=personnel_type,
        date=day,
        personnel=personnel,
        source=source,
        **extra,
    )


def event(mission, iso3, kind, personnel_type, day, personnel, source, **extra):
    return DeploymentEvent.objects.create(
        mission=mission,
        country=_country(iso3),
        kind=kind,
        personnel_type=personnel_type,
        date=day,
        personnel=personnel,
        source=source,
        **extra,
    )


def create_gsf(**fields) -> Mission:
    """The Gang Suppression Force as the sample data has it (UN SCR 2793, 2025)."""
    return Mission.objects.create(
        slug="gsf",
        acronym="GSF",
        name="Gang Suppression Force",
        host_country=_country("HTI"),
        authorized_by="UN Security Council resolution 2793 (2025)",
        authorized_on=D(2025, 9, 30),
        start_date=D(2025, 10, 3),
        authorized_ceiling=5550,
        **fields,
    )


def create_mss(**fields) -> Mission:
    """The MSS as the sample data has it (UN SCR 2699, 2023), ended on 2 Oct 2025."""
    return Mission.objects.create(
        slug="mss",
        acronym="MSS",
        name="Multinational Security Support Mission in Haiti",
        host_country=_country("HTI"),
        authorized_by="UN Security Council resolution 2699 (2023)",
        authorized_on=D(2023, 10, 2),
        start_date=D(2024, 6, 25),
        end_date=D(2025, 10, 2),
        **fields,
    )


def build_sample_missions() -> SampleMissions:
    source = Source.objects.create(
        publisher="KRDO (Associated Press)",
        title="UN-backed contingent arrives",
        url="https://krdo.com/news/2024/06/25/contingent/",
        published_on=D(2024, 6, 25),
    )
    un = Source.objects.create(publisher="United Nations", url="https://press.un.org/x")
    gsf = create_gsf(source=un)
    mss = create_mss(lead_country=_country("KEN"), successor=gsf, source=un)

    # MSS pledges
    pledge(mss, "KEN", "police", D(2023, 7, 29), 1000, source)
    pledge(mss, "BHS", "military", D(2023, 8, 1), 150, source)
    pledge(mss, "ATG", "military", D(2023, 9, 1), None, source, date_precision="month")
    pledge(
        mss,
        "BEN",
        "military",
        D(2024, 2, 29),
        1500,
        source,
        disputed=True,
        notes="The US said 2,000 troops; the UN said 1,500.",
    )
    pledge(mss, "GTM", "military", D(2024, 6, 1), None, source, date_precision="month")
    pledge(mss, "GTM", "military", D(2024, 9, 24), 150, source)
    pledge(mss, "JAM", "military", D(2024, 9, 10), 170, source, disputed=True, notes="250?")
    pledge(mss, "JAM", "police", D(2024, 9, 10), 30, source)

    # MSS events
    event(
        mss,
        "KEN",
        "arrival",
        "police",
        D(2024, 6, 25),
        200,
        source,
        disputed=True,
        notes="AFP said 400.",
    )
    event(mss, "KEN", "arrival", "police", D(2024, 7, 16), 200, source)
    event(mss, "KEN", "strength_report", "police", D(2024, 7, 16), 400, source)
    event(mss, "KEN", "strength_report", "police", D(2024, 9, 26), 382, un)
    event(mss, "JAM", "arrival", "military", D(2024, 9, 12), 20, source)
    event(mss, "JAM", "arrival", "police", D(2024, 9, 12), 4, source)
    event(mss, "BHS", "arrival", "military", D(2024, 12, 28), 59, source)
    event(mss, "GTM", "arrival", "military", D(2025, 1, 3), 75, source)
    event(mss, "GTM", "arrival", "military", D(2025, 1, 4), 75, source)
    event(mss, "GTM", "strength_report", "military", D(2025, 1, 4), 150, source)
    event(mss, "KEN", "strength_report", "police", D(2025, 1, 4), 400, source)
    event(mss, "KEN", "arrival", "police", D(2025, 1, 18), 217, source)
    event(mss, "BHS", "departure", "military", D(2025, 2, 8), 59, source)
    event(mss, "KEN", "fatality", "police", D(2025, 2, 23), 1, source)
    event(mss, "JAM", "departure", "military", D(2025, 4, 1), 20, source, date_precision="month")
    event(mss, "JAM", "arrival", "military", D(2025, 4, 1), 18, source, date_precision="month")

    # GSF
    pledge(gsf, "GTM", "military", D(2025, 10, 1), 150, source, date_precision="month")
    pledge(gsf, "TCD", "military", D(2025, 12, 9), 1500, source)
    event(gsf, "KEN", "strength_report", "police", D(2025, 12, 7), 700, source, disputed=True)
    event(gsf, "KEN", "arrival", "police", D(2025, 12, 8), 230, source)
    event(gsf, "KEN", "departure", "police", D(2025, 12, 9), 100, source)
    return SampleMissions(mss=mss, gsf=gsf, source=source)


# The rows build_sample_missions() wrote, table by table, the first time this process built
# them on an empty database; None before, False if it wrote to a table that was not empty.
_rows: dict[str, tuple[list[str], list[tuple]]] | bool | None = None


def _row_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in connection.introspection.table_names(cursor):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _empty(cursor, table: str) -> bool:
    cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
    return cursor.fetchone() is None


def sample_missions_copied() -> SampleMissions:
    """build_sample_missions(), but only the first time in a process: afterwards, on a
    database without those rows, the same rows are copied in with plain INSERTs (ids,
    history and timeline points included), ten times faster than the ORM's saves with
    their checks, history and timeline rebuilds. The conftest fixture sample_missions
    uses it; the first build of each pytest worker still goes through the ORM."""
    global _rows
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if _rows is None:
            before = _row_counts(cursor)
            sample = build_sample_missions()
            after = _row_counts(cursor)
            written = [table for table in after if after[table] != before.get(table)]
            if all(before.get(table) == 0 for table in written if table != "tracker_dataversion"):
                _rows = {}
                for table in written:
                    if table == "tracker_dataversion":  # its triggers keep it
                        continue
                    cursor.execute(f"SELECT * FROM {quote(table)}")
                    columns = [column[0] for column in cursor.description]
                    _rows[table] = (columns, cursor.fetchall())
            else:
                _rows = False
            return sample
        if _rows is False or not all(_empty(cursor, table) for table in _rows):
            return build_sample_missions()
        with transaction.atomic():  # the foreign keys are checked at its end, all rows in
            for table, (columns, rows) in _rows.items():
                names = ", ".join(quote(column) for column in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)
        models = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.db_table in _rows
        ]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)  # PostgreSQL: the next id follows the copied ones
    return SampleMissions(
        mss=Mission.objects.get(slug="mss"),
        gsf=Mission.objects.get(slug="gsf"),
        source=Source.objects.get(publisher="KRDO (Associated Press)"),
    )


def add_contributors(mission: Mission, source: Source, count: int, events_each: int = 3) -> None:
    """`count` more countries, each with a pledge and `events_each` arrivals."""
    taken = set(Country.objects.values_list("iso3", flat=True))
    codes = [c.alpha_3 for c in pycountry.countries if c.alpha_3 not in taken][:count]
    for number, iso3 in enumerate(codes):
        pledge(mission, iso3, "police", D(2024, 1, 1), 100 + number, source)
        for day in range(events_each):
            event(mission, iso3, "arrival", "police", D(2024, 8, 1 + day), 1 + number, source)
