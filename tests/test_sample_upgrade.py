"""`load_sample_data` brings a database holding an older bundled sample up to date."""

import datetime

import pytest
from django.core.management import call_command

from mss_tracker.tracker import figures
from mss_tracker.tracker.models import DeploymentEvent, Mission, Pledge
from mss_tracker.tracker.sample_data import load_sample_data

pytestmark = pytest.mark.django_db
D = datetime.date
NEW_REPORTS = [D(2025, 10, 6), D(2025, 11, 10), D(2025, 11, 25), D(2025, 12, 10)]


def make_it_the_previous_release() -> None:
    """The sample of the previous release: no carry-over, no later headcounts, the GSF
    offers of Chad and Bangladesh not disputed, one Jamaican note worded otherwise."""
    DeploymentEvent.objects.filter(kind="transfer").delete()
    DeploymentEvent.objects.filter(
        mission__slug="gsf", kind="strength_report", date__in=NEW_REPORTS
    ).delete()
    Pledge.objects.filter(mission__slug="gsf", country__in=["TCD", "BGD"]).update(disputed=False)
    DeploymentEvent.objects.filter(
        country="JAM", kind="arrival", personnel_type="police", date=D(2025, 4, 1)
    ).update(notes="An older note.")


def test_a_newer_bundled_version_adds_new_rows_and_corrects_changed_ones(capsys):
    load_sample_data()
    make_it_the_previous_release()
    assert DeploymentEvent.objects.count() == 31

    call_command("load_sample_data")

    output = capsys.readouterr().out
    assert "11 created" in output and "3 recorded rows corrected" in output
    assert DeploymentEvent.objects.count() == 42 and Pledge.objects.count() == 17
    assert set(
        Pledge.objects.filter(mission__slug="gsf", country__in=["TCD", "BGD"]).values_list(
            "disputed", flat=True
        )
    ) == {True}
    chad = Pledge.objects.get(mission__slug="gsf", country="TCD")
    assert chad.history.first().history_change_reason == "Sample data update"
    jamaica = DeploymentEvent.objects.get(
        country="JAM", kind="arrival", personnel_type="police", date=D(2025, 4, 1)
    )
    assert jamaica.notes != "An older note."
    gsf = Mission.objects.get(slug="gsf")
    kenya = figures.country_figures(gsf, D(2025, 10, 3), "police").get(iso3="KEN")
    assert kenya.deployed == 758  # carried over from the MSS's end-date figure
    # And again: nothing more to do.
    again = load_sample_data()
    assert [r.created for r in again] == [0, 0, 0, 0]
    assert sum(r.corrected for r in again) == 0


def test_the_carried_over_figures_match_the_mss_end_date_figures():
    """Done when: every transfer equals the MSS figure on its end date, per country and type."""
    load_sample_data()
    mss, gsf = Mission.objects.get(slug="mss"), Mission.objects.get(slug="gsf")
    transfers = DeploymentEvent.objects.filter(mission=gsf, kind="transfer")
    assert transfers.count() == 7
    for transfer in transfers:
        mss_row = figures.country_figures(mss, mss.end_date, transfer.personnel_type).get(
            iso3=transfer.country_id
        )
        assert transfer.personnel == mss_row.deployed, transfer
        assert transfer.date == gsf.start_date
