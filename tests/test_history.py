"""Audit history: every add, change and delete of missions, sources, pledges
and events, from every write path, with who, when, why and the values before and after;
staff read it on the admin's History page, and only editors may revert."""

import datetime
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from mss_tracker.tracker.csv.spec import MISSION_COLUMNS
from mss_tracker.tracker.models import DeploymentEvent, Mission, Pledge, Source
from mss_tracker.tracker.sample_data import load_sample_data
from tests.test_import_csv import EVENT, csv_bytes, events_file, pledges_file

pytestmark = pytest.mark.django_db

MODELS = {
    "source": Source,
    "mission": Mission,
    "pledge": Pledge,
    "deploymentevent": DeploymentEvent,
}


def url(name: str, view: str, *args) -> str:
    return reverse(f"admin:tracker_{name}_{view}", args=args)


def versions(record) -> list:
    """The historical rows of `record`, oldest first."""
    return list(type(record).history.filter(id=record.pk).order_by("history_date", "history_id"))


def form_data(record, **changes) -> dict:
    """What the admin's change form of `record` posts, with `changes` made."""
    data = {}
    for name, value in {**model_to_dict(record), **changes}.items():
        if name == "id" or value is None or value is False:
            continue  # empty fields and unticked boxes are not posted
        data[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return {"change_reason": "Corrected per the briefing", **data}


@pytest.fixture
def records(mission, kenya, source) -> dict:
    """One record of each audited model, created with the ORM (history by signal)."""
    pledge = Pledge.objects.create(
        mission=mission,
        country=kenya,
        personnel_type="police",
        date=datetime.date(2023, 7, 29),
        personnel=1000,
        source=source,
    )
    event = DeploymentEvent.objects.create(
        mission=mission,
        country=kenya,
        personnel_type="police",
        date=datetime.date(2024, 6, 25),
        kind="arrival",
        personnel=400,
        source=source,
    )
    return {"source": source, "mission": mission, "pledge": pledge, "deploymentevent": event}


# A change that each model's form accepts: field, old value, new value.
CHANGES = {
    "source": ("title", "Briefing", "Briefing to the Council"),
    "mission": ("authorized_ceiling", None, 2500),
    "pledge": ("personnel", 1000, 1200),
    "deploymentevent": ("personnel", 400, 391),
}


# --- admin: add, change, delete, delete selected -------------------------------------------


@pytest.mark.parametrize("name", MODELS)
def test_adding_in_the_admin_records_who_when_and_the_values(name, editor_client, editor, records):
    template = records[name]
    changes = {"slug": "gsf", "acronym": "GSF"} if name == "mission" else {}
    if name == "source":
        changes = {"title": "Another briefing"}
    if name in ("pledge", "deploymentevent"):
        changes = {"date": "2024-07-16"}
    before = timezone.now()

    response = editor_client.post(
        url(name, "add"), form_data(template, change_reason="", **changes)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    added = MODELS[name].objects.latest("pk")
    assert added.pk != template.pk
    (created,) = versions(added)
    assert created.history_type == "+"
    assert created.history_user == editor
    assert before <= created.history_date <= timezone.now()
    assert created.history_change_reason == "Added in the admin"
    assert model_to_dict(created.instance) == model_to_dict(added)


@pytest.mark.parametrize("name", MODELS)
def test_changing_in_the_admin_records_the_values_before_and_after(
    name, editor_client, editor, records
):
    record = records[name]
    field, old, new = CHANGES[name]

    response = editor_client.post(url(name, "change", record.pk), form_data(record, **{field: new}))

    assert response.status_code == 302, response.context["adminform"].form.errors
    created, changed = versions(record)
    assert (created.history_type, changed.history_type) == ("+", "~")
    assert changed.history_user == editor
    delta = changed.diff_against(created)
    assert delta.changed_fields == [field]
    assert (delta.changes[0].old, delta.changes[0].new) == (old, new)


@pytest.mark.parametrize("name", MODELS)
def test_deleting_in_the_admin_records_who_and_the_last_values(
    name, admin_client, admin_user, records
):
    record = records[name]
    if name in ("source", "mission"):  # what refers to it goes first
        Pledge.objects.all().delete()
        DeploymentEvent.objects.all().delete()
    if name == "source":
        Mission.objects.update(source=None)

    response = admin_client.post(
        url(name, "delete", record.pk), {"post": "yes", "change_reason": "Recorded twice"}
    )

    assert response.status_code == 302
    assert not MODELS[name].objects.filter(pk=record.pk).exists()
    deleted = versions(record)[-1]
    assert deleted.history_type == "-"
    assert deleted.history_user == admin_user
    assert model_to_dict(deleted.instance) == model_to_dict(record)


@pytest.mark.parametrize("name", ["source", "pledge", "deploymentevent"])
def test_delete_selected_records_every_deleted_row(name, editor_client, editor, records):
    first = records[name]
    second = MODELS[name].objects.get(pk=first.pk)
    second.pk = None
    if name == "source":
        second.title = "Second briefing"
    else:
        second.date = datetime.date(2024, 8, 1)
        second.uuid = uuid.uuid4()  # a copy is another record, with its own id
    second.save()
    if name == "source":
        Pledge.objects.all().delete()
        DeploymentEvent.objects.all().delete()

    response = editor_client.post(
        url(name, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [first.pk, second.pk],
            "post": "yes",
            "change_reason": "Recorded twice",
        },
    )

    assert response.status_code == 302
    assert not MODELS[name].objects.filter(pk__in=[first.pk, second.pk]).exists()
    for record in (first, second):
        deleted = versions(record)[-1]
        assert (deleted.history_type, deleted.history_user) == ("-", editor)


def test_a_queryset_delete_of_events_records_each_event(records):
    event = records["deploymentevent"]

    DeploymentEvent.objects.filter(pk=event.pk).delete()

    deleted = versions(event)[-1]
    assert (deleted.history_type, deleted.history_user, deleted.personnel) == ("-", None, 400)


def test_a_refused_delete_leaves_no_history(editor_client, records, mission, kenya, source):
    arrival = records["deploymentevent"]
    DeploymentEvent.objects.create(
        mission=mission,
        country=kenya,
        personnel_type="police",
        date=datetime.date(2024, 7, 1),
        kind="departure",
        personnel=100,
        source=source,
    )

    editor_client.post(
        url("deploymentevent", "delete", arrival.pk),
        {"post": "yes", "change_reason": "Recorded twice"},
    )

    assert [v.history_type for v in versions(arrival)] == ["+"]


# --- CSV import: the command, the admin, the sample data -----------------------------------


def test_the_import_command_records_every_created_row_with_the_file_name(tmp_path, mission):
    path = Path(tmp_path) / "july-events.csv"
    path.write_bytes(events_file({}, {"date": "2024-07-16", "source_publisher": "Reuters"}))

    call_command("import_csv", "events", str(path))

    events = DeploymentEvent.objects.order_by("date")
    assert len(events) == 2
    for event in events:
        (created,) = versions(event)
        assert created.history_type == "+"
        assert created.history_change_reason == "CSV import: july-events.csv"
        assert created.history_user is None
        assert model_to_dict(created.instance) == model_to_dict(event)
    for source in Source.objects.all():
        (created,) = versions(source)
        assert created.history_change_reason == "CSV import: july-events.csv"


def test_the_import_command_records_pledges(tmp_path, mission):
    path = Path(tmp_path) / "pledges.csv"
    path.write_bytes(pledges_file({}))

    call_command("import_csv", "pledges", str(path))

    (created,) = versions(Pledge.objects.get())
    assert (created.history_type, created.personnel) == ("+", 1000)
    assert created.history_change_reason == "CSV import: pledges.csv"


def test_the_import_command_records_missions_and_their_successors(tmp_path, haiti, kenya):
    row = {
        "slug": "mss",
        "acronym": "MSS",
        "name": "Multinational Security Support mission",
        "host_country_iso3": "HTI",
        "lead_country_iso3": "KEN",
        "authorized_by": "UN Security Council resolution 2699",
        "authorized_on": "2023-10-02",
        "start_date": "2024-06-25",
        "end_date": "2025-10-01",
        "successor_slug": "gsf",
        "source_publisher": "UN",
    }
    gsf = row | {"slug": "gsf", "acronym": "GSF", "end_date": "", "successor_slug": ""}
    path = Path(tmp_path) / "missions.csv"
    path.write_bytes(csv_bytes(MISSION_COLUMNS, row, gsf))

    call_command("import_csv", "missions", str(path))

    mss = Mission.objects.get(slug="mss")
    created, succeeded = versions(mss)
    assert (created.history_type, created.successor_id) == ("+", None)
    assert (succeeded.history_type, succeeded.successor_id) == ("~", mss.successor_id)
    assert {v.history_change_reason for v in (created, succeeded)} == {"CSV import: missions.csv"}
    assert [v.history_type for v in versions(Mission.objects.get(slug="gsf"))] == ["+"]


def test_an_import_that_dates_a_known_source_records_the_change(tmp_path, mission):
    source = Source.objects.create(
        publisher=EVENT["source_publisher"], title=EVENT["source_title"], url=EVENT["source_url"]
    )
    path = Path(tmp_path) / "events.csv"
    path.write_bytes(events_file({}))

    call_command("import_csv", "events", str(path))

    created, dated = versions(source)
    assert (dated.history_type, dated.history_change_reason) == ("~", "CSV import: events.csv")
    assert (created.published_on, dated.published_on) == (None, datetime.date(2024, 6, 25))


def test_a_dry_run_or_a_refused_file_records_nothing(tmp_path, mission):
    path = Path(tmp_path) / "events.csv"
    path.write_bytes(events_file({}))
    call_command("import_csv", "events", str(path), "--dry-run")
    path.write_bytes(events_file({"event": "departure"}))  # nobody there to leave
    with pytest.raises(Exception, match="nothing was written"):
        call_command("import_csv", "events", str(path))

    assert not DeploymentEvent.history.exists()
    assert not Source.history.exists()


def test_the_admin_import_records_the_uploader_and_the_file_name(editor_client, editor, mission):
    upload = SimpleUploadedFile("kenya-july.csv", events_file({}), "text/csv")
    preview = editor_client.post(url("deploymentevent", "import_csv"), {"file": upload})

    # The worker previewed it (at once, in tests); the uploader confirms on its page.
    response = editor_client.post(preview["Location"], {"action": "confirm"})

    assert response.status_code == 302
    (created,) = versions(DeploymentEvent.objects.get())
    assert created.history_user == editor
    assert created.history_change_reason == "CSV import: kenya-july.csv"
    assert versions(Source.objects.get())[0].history_user == editor


def test_the_sample_data_has_one_creation_per_row_naming_its_file(db):
    load_sample_data()

    for model, kind in [(Mission, "missions"), (Pledge, "pledges"), (DeploymentEvent, "events")]:
        created = model.history.filter(history_type="+")
        assert created.count() == model.objects.count() > 0
        assert set(created.values_list("history_change_reason", flat=True)) == {
            f"CSV import: {kind}.csv"
        }
    assert Source.history.filter(history_type="+").count() == Source.objects.count()


# --- the History page ----------------------------------------------------------------------


@pytest.fixture
def changed_pledge(editor_client, records) -> Pledge:
    pledge = records["pledge"]
    editor_client.post(url("pledge", "change", pledge.pk), form_data(pledge, personnel=1200))
    return pledge


def test_staff_see_the_history_with_who_and_the_change(editor_client, changed_pledge):
    response = editor_client.get(url("pledge", "history", changed_pledge.pk))

    assert response.status_code == 200
    page = response.text
    assert "Change history" in page
    assert "Changed" in page and "Created" in page
    assert "editor" in page
    assert "<strong>Personnel:</strong>" in page
    assert "1000" in page and "1200" in page


def test_an_analyst_sees_the_history_but_cannot_revert(analyst_client, changed_pledge):
    first = versions(changed_pledge)[0]
    history = analyst_client.get(url("pledge", "history", changed_pledge.pk))
    version = url("pledge", "simple_history", changed_pledge.pk, first.history_id)

    assert history.status_code == 200
    assert "View history" in history.text
    page = analyst_client.get(version)
    assert page.status_code == 200
    assert 'value="Revert"' not in page.text

    response = analyst_client.post(version, form_data(first.instance))

    assert response.status_code == 403
    assert Pledge.objects.get().personnel == 1200


def test_an_analyst_reads_an_earlier_version_of_a_mission(analyst_client, mission):
    """The mission's slug is filled in from its acronym when one is added; an old version
    shown read-only still shows it (it was an error page for whoever may not revert)."""
    mission.name = "Renamed"
    mission.save()
    first = mission.history.order_by("history_id").first()

    page = analyst_client.get(url("mission", "simple_history", mission.pk, first.history_id))

    assert page.status_code == 200
    assert 'value="mss"' in page.text and "disabled" in page.text
    assert 'value="Revert"' not in page.text


def test_an_editor_may_revert_to_an_earlier_version(editor_client, editor, changed_pledge):
    first = versions(changed_pledge)[0]
    version = url("pledge", "simple_history", changed_pledge.pk, first.history_id)
    assert 'value="Revert"' in editor_client.get(version).text

    response = editor_client.post(version, form_data(first.instance))

    assert response.status_code == 302
    assert Pledge.objects.get().personnel == 1000
    reverted = versions(changed_pledge)[-1]
    assert (reverted.history_type, reverted.history_user, reverted.personnel) == ("~", editor, 1000)


def test_reverting_a_deleted_record_needs_the_add_permission(client, records):
    from django.contrib.auth.models import Permission, User

    user = User.objects.create_user("corrector", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_pledge", "change_pledge"])
    )
    client.force_login(user)
    pledge = records["pledge"]
    pk = pledge.pk
    pledge.delete()
    first = Pledge.history.get(id=pk, history_type="+")

    response = client.post(
        url("pledge", "simple_history", pk, first.history_id), form_data(first.instance)
    )

    assert response.status_code == 403
    assert not Pledge.objects.exists()
