"""While PostgreSQL restarts (or fails over), requests answer 503 with Retry-After, never a
500 traceback page: found by the PostgreSQL-restart fault (docs/faults.md)."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def _away(*args, **kwargs):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


@pytest.mark.django_db
def test_api_answers_503_json_while_the_database_is_away(client, monkeypatch):
    monkeypatch.setattr("tongban.cases.api.workdays.due", _away)
    answer = client.get("/api/v1/calendar/due-date", {"start": "2026-11-02", "working_days": 3})
    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert answer.json()["code"] == "unavailable"


@pytest.mark.django_db
def test_healthz_answers_503_outside_the_api(client, monkeypatch):
    """A middleware or a view failing on the database goes through handler500."""
    monkeypatch.setattr("tongban.core.views.services.health", _away)
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json()["code"] == "unavailable"
    assert answer["Retry-After"] == "5"


@pytest.mark.django_db
def test_a_closed_connection_is_503_too_and_other_errors_stay_500(client, monkeypatch):
    def closed(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr("tongban.core.views.services.health", closed)
    assert client.get("/healthz").status_code == 503
    monkeypatch.setattr("tongban.core.views.services.health", lambda: 1 / 0)
    answer = client.get("/healthz")
    assert answer.status_code == 500 and "系统繁忙" in answer.content.decode()
