"""Uploads waiting in the database are limited: CSV_IMPORT_MAX_PENDING per editor and
CSV_IMPORT_STORED_MAX_BYTES for everyone, refused with a message that names the limit;
a job's stored file goes when it ends or expires."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from mss_tracker.tracker import import_watch
from mss_tracker.tracker.import_jobs import ImportJob
from tests.conftest import _staff_member
from tests.test_import_jobs import QUEUE_ONLY, job_url, rows, upload

pytestmark = pytest.mark.django_db


def refusal(response) -> str:
    assert response.status_code == 200  # the form again, with its error
    return response.context["form"].errors["file"][0]


def test_an_editor_may_have_at_most_n_uploads_waiting(settings, editor_client, mission):
    settings.TASKS = QUEUE_ONLY
    settings.CSV_IMPORT_MAX_PENDING = 2
    assert upload(editor_client, rows(1)).status_code == 302
    assert upload(editor_client, rows(2)).status_code == 302

    message = refusal(upload(editor_client, rows(3)))
    assert "You already have 2 uploads waiting" in message
    assert "an editor may have at most 2" in message
    assert ImportJob.objects.count() == 2

    # Cancelling one makes room; an imported or cancelled job no longer counts.
    first = ImportJob.objects.order_by("pk").first()
    editor_client.post(job_url(first), {"action": "cancel"})
    assert upload(editor_client, rows(3)).status_code == 302


def test_another_editor_is_not_held_by_the_first_ones_uploads(settings, editor_client, mission):
    settings.TASKS = QUEUE_ONLY
    settings.CSV_IMPORT_MAX_PENDING = 1
    assert upload(editor_client, rows(1)).status_code == 302
    second = Client()
    second.force_login(_staff_member("second-editor", "Editors"))
    assert upload(second, rows(1)).status_code == 302


def test_the_uploads_stored_for_everyone_are_limited_in_size(settings, editor_client, mission):
    settings.TASKS = QUEUE_ONLY
    first, second = rows(40), rows(41)
    settings.CSV_IMPORT_STORED_MAX_BYTES = len(first) + len(second) - 1
    assert upload(editor_client, first).status_code == 302

    message = refusal(upload(editor_client, second))
    assert "would pass the limit of" in message
    assert "for all editors together" in message
    assert ImportJob.objects.count() == 1

    settings.CSV_IMPORT_STORED_MAX_BYTES = len(first) + len(second)
    assert upload(editor_client, second).status_code == 302


def test_a_finished_import_frees_its_share(settings, editor_client, mission):
    # Tasks run at once: each upload is checked, confirmed and imported, its file dropped.
    settings.CSV_IMPORT_MAX_PENDING = 1
    settings.CSV_IMPORT_STORED_MAX_BYTES = 2 * len(rows(2))
    upload(editor_client, rows(2))
    job = ImportJob.objects.get()
    assert bytes(job.data)  # waiting for confirmation: kept
    editor_client.post(job_url(job), {"action": "confirm"})
    job.refresh_from_db()
    assert (job.status, bytes(job.data)) == ("imported", b"")
    assert upload(editor_client, rows(2)).status_code == 302


def test_the_task_worker_expires_day_old_uploads_and_drops_their_files(
    settings, editor_client, mission
):
    settings.TASKS = QUEUE_ONLY
    upload(editor_client, rows(1))
    ImportJob.objects.update(created_at=timezone.now() - datetime.timedelta(days=1, minutes=1))

    import_watch.look_once()  # each round of every task worker's watch
    job = ImportJob.objects.get()
    assert (job.status, bytes(job.data)) == ("expired", b"")


@pytest.mark.parametrize(
    ("language", "said"),
    [("fr", "un éditeur peut en avoir au plus 1"), ("ht", "yon editè ka gen 1 pou pi plis")],
)
def test_the_refusal_speaks_the_editors_language(settings, editor_client, mission, language, said):
    settings.TASKS = QUEUE_ONLY
    settings.CSV_IMPORT_MAX_PENDING = 1
    upload(editor_client, rows(1))
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    assert said in refusal(upload(editor_client, rows(2)))
