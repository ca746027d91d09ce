"""/healthz: what a load balancer or uptime monitor sees."""

from unittest import mock

from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper


def test_it_says_ok_when_the_database_answers(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_it_answers_503_when_the_database_does_not(client, db):
    refused = OperationalError("connection to server at 127.0.0.1, port 5432 failed")
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=refused):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert b"ok" not in response.content
    assert b"database unavailable" in response.content


def test_it_needs_no_login(client, db):
    assert client.get("/healthz").status_code == 200
