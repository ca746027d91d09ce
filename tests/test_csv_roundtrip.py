"""Round trip: importing a just-exported file changes nothing, and exporting after
importing gives the same file, on random data with awkward text."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.csv.importing.double_encoding import likely_original
from mss_tracker.tracker.csv.spec.cells import formula_safe, strip_formula_guard
from mss_tracker.tracker.csv.writing.csv_python import export_text
from mss_tracker.tracker.models import Country, DeploymentEvent, Mission, Pledge, Source

AWKWARD = ["", "=1+1", "+44", "-3", "@SUM(A1)", "\tx", "'=x", "'Tis", 'say "hi", then', "a\nb"]
AWKWARD += ["a\r\nb", "Bénédict, Port-au-Prince", "日本", "''", " spaced "]

# Any text an editor may record, awkward cases made likely; but not text that reads as
# double-encoded ("Ã©"), nor a control character other than tab, line feed and carriage
# return, which the import refuses by design (docs/csv.md, docs/rules.md "Text every format
# can carry"; tests/test_spreadsheet_csv.py, tests/test_control_characters.py).
NOT_RECORDABLE = "".join(chr(code) for code in range(0x20) if chr(code) not in "\t\n\r")
text = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters=NOT_RECORDABLE), max_size=25
    ),
).filter(lambda value: likely_original(value) is None)
publisher = text.filter(lambda value: value.strip() != "")
url = st.sampled_from(["", "https://press.un.org/2023/sc15432.doc.htm", "https://x.org/a,b"])
day = st.dates(datetime.date(2023, 1, 1), datetime.date(2025, 12, 31))
precision = st.sampled_from(["day", "month", "year"])


def on_precision(date: datetime.date, precision: str) -> datetime.date:
    if precision == "year":
        return date.replace(month=1, day=1)
    if precision == "month":
        return date.replace(day=1)
    return date


source = st.tuples(publisher, text, url, st.none() | day)
record = st.fixed_dictionaries(
    {
        "country": st.sampled_from(["KEN", "JAM", "BEN"]),
        "personnel_type": st.sampled_from(["police", "military", "civilian"]),
        "date": day,
        "date_precision": precision,
        "disputed": st.booleans(),
        "notes": text,
        "source": st.integers(0, 2),
        "personnel": st.integers(1, 500),
        "kind": st.sampled_from(["arrival", "strength_report"]),
    }
)


def _key(r: dict) -> tuple:
    date = on_precision(r["date"], r["date_precision"])
    return (r["country"], r["personnel_type"], date)


def spreadsheet_runs_as_formula(cell: str) -> bool:
    """What a spreadsheet takes for a formula, written out apart from the guard: a cell
    starting with tab, CR or LF, or whose first character after blanks is = + - @, their
    fullwidth forms, or | (docs/csv.md, "Formula safety")."""
    if cell[:1] in ("\t", "\r", "\n"):
        return True
    return cell.lstrip(" \t\r\n\x0b\x0c\u00a0\u3000")[:1] in set("=+-@|＝＋－＠")


FORMULAS = ["=1+1", " =1+1", "\t=cmd", "  \t @SUM(A1)", "＝1+1", "＋1", "－1", "＠A", "|cmd"]
FORMULAS += ["\u3000＝1", "\u00a0=1", "\x0b=1", "\x0c+1", "\rx", "\nx"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_however_it_is_hidden_is_guarded(value):
    assert spreadsheet_runs_as_formula(value)
    assert formula_safe(value) == "'" + value
    assert strip_formula_guard(formula_safe(value)) == value


@pytest.mark.parametrize("value", ["'=x", "' =x", "'\t=x", "'＝x"])
def test_a_text_that_starts_with_a_quote_before_a_formula_keeps_it(value):
    assert formula_safe(value) == "'" + value  # one more, so that the import keeps this one
    assert strip_formula_guard(formula_safe(value)) == value


def test_formula_guard_round_trips_every_string():
    blanks_and_triggers = st.text(st.sampled_from(" \t\r\n\x0b\x0c\u00a0\u3000'=+-@|＝＋－＠a"))

    @given(st.one_of(st.text(), blanks_and_triggers, st.tuples(blanks_and_triggers, st.text())))
    def check(value):
        if isinstance(value, tuple):
            value = "".join(value)
        safe = formula_safe(value)
        assert not spreadsheet_runs_as_formula(safe)
        assert strip_formula_guard(safe) == value

    check()


def export_all() -> dict[str, str]:
    return {
        "missions": export_text("missions", Mission.objects.all()),
        "pledges": export_text("pledges", Pledge.objects.all()),
        "events": export_text("events", DeploymentEvent.objects.all()),
    }


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    mission_text=st.tuples(text, text, text),
    sources=st.lists(source, min_size=3, max_size=3, unique_by=lambda s: s[:3]),
    pledges=st.lists(record, max_size=6, unique_by=_key),
    events=st.lists(record, max_size=8, unique_by=_key),
)
def test_export_import_export_is_the_identity(mission_text, sources, pledges, events):
    with transaction.atomic():
        countries = {
            code: Country.objects.get_or_create_from_iso3(code)
            for code in ["KEN", "JAM", "BEN", "HTI"]
        }
        recorded_sources = [
            Source.objects.create(publisher=p, title=t, url=u, published_on=d)
            for p, t, u, d in sources
        ]
        name, authorized_by, notes = mission_text
        mission = Mission.objects.create(
            slug="mss",
            acronym="MSS",
            name=name if name.strip() else "x",  # required: never blank
            host_country=countries["HTI"],
            authorized_by=authorized_by if authorized_by.strip() else "x",
            authorized_on=datetime.date(2023, 10, 2),
            start_date=datetime.date(2023, 1, 1),  # every drawn date within its life
            source=recorded_sources[0],
            notes=notes,
        )
        for r in pledges:
            Pledge.objects.create(
                mission=mission,
                country=countries[r["country"]],
                personnel_type=r["personnel_type"],
                date=on_precision(r["date"], r["date_precision"]),
                date_precision=r["date_precision"],
                disputed=r["disputed"],
                notes=r["notes"],
                source=recorded_sources[r["source"]],
                personnel=None if r["personnel"] % 5 == 0 else r["personnel"],
            )
        DeploymentEvent.objects.bulk_create(
            DeploymentEvent(
                mission=mission,
                country=countries[r["country"]],
                personnel_type=r["personnel_type"],
                date=on_precision(r["date"], r["date_precision"]),
                date_precision=r["date_precision"],
                disputed=r["disputed"],
                notes=r["notes"],
                source=recorded_sources[r["source"]],
                personnel=r["personnel"],
                kind=r["kind"],
            )
            for r in events
        )
        exported = export_all()

        # Importing what was just exported changes nothing.
        for kind, content in exported.items():
            result = import_csv(kind, content.encode())
            assert result.ok, [str(e) for e in result.errors]
            assert result.created == 0
        assert export_all() == exported

        # Into an empty database, the import gives back the same export.
        DeploymentEvent.objects.all().delete()
        Pledge.objects.all().delete()
        Mission.objects.all().delete()
        Source.objects.all().delete()
        for kind, content in exported.items():
            result = import_csv(kind, content.encode())
            assert result.ok, [str(e) for e in result.errors]
        assert export_all() == exported
        transaction.set_rollback(True)
