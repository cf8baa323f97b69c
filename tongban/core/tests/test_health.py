import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from tongban.core import clock, services
from tongban.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC)


def test_healthz_is_degraded_while_no_worker_was_ever_seen(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == {"reachable": True}
    assert body["migrations"] == {"applied": True, "pending": []}
    assert body["worker"] == {"last_seen": None, "alive": False}


def test_healthz_is_ok_with_a_recent_worker_heartbeat(client):
    with time_machine.travel(NOON, tick=False):
        services.beat("w1", clock.now())
        body = client.get("/healthz").json()

    assert body["status"] == "ok"
    assert body["worker"] == {"last_seen": NOON.isoformat(), "alive": True}


@override_settings(WORKER_STALE_SECONDS=60)
def test_a_worker_silent_longer_than_the_stale_limit_is_not_alive(client):
    with time_machine.travel(NOON, tick=False):
        services.beat("w1", clock.now())
    with time_machine.travel(NOON + datetime.timedelta(seconds=61), tick=False):
        body = client.get("/healthz").json()

    assert body["status"] == "degraded"
    assert body["worker"]["alive"] is False


def test_pending_migrations_make_healthz_fail_with_503(client, monkeypatch):
    monkeypatch.setattr(services, "pending_migrations", lambda: ["org.0099_future"])

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["migrations"] == {"applied": False, "pending": ["org.0099_future"]}


def test_no_migration_is_pending_after_the_test_database_is_built():
    assert services.pending_migrations() == []


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_worker_command_records_its_heartbeat():
    call_command(
        "worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--worker-id",
        "test-worker",
        verbosity=0,
    )

    beat = WorkerHeartbeat.objects.get(worker_id="test-worker")
    assert beat.pid > 0
    assert services.worker_last_seen() == beat.last_seen


def test_heartbeats_of_workers_gone_for_a_day_are_forgotten():
    with time_machine.travel(NOON, tick=False):
        services.beat("old", clock.now())
    with time_machine.travel(NOON + datetime.timedelta(days=2), tick=False):
        services.beat("new", clock.now())

    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["new"]
