"""Platform health: what /healthz reports and what the worker records."""

import datetime
import os
import socket

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from tongban.core import clock
from tongban.core.models import WorkerHeartbeat

HEARTBEAT_KEPT = datetime.timedelta(days=1)


def beat(worker_id: str, started_at: datetime.datetime) -> None:
    """Record that this worker process is alive, and forget workers long gone."""
    WorkerHeartbeat.objects.filter(last_seen__lt=clock.now() - HEARTBEAT_KEPT).delete()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen": clock.now(),
        },
    )


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def worker_last_seen() -> datetime.datetime | None:
    latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    return latest.last_seen if latest else None


def health() -> dict:
    """The platform's health as /healthz reports it.

    ``ok``: database reachable, migrations applied and a worker seen recently;
    ``degraded``: serving, but no live task worker (messages and timers wait);
    ``error``: the database is unreachable or not migrated.
    """
    report = {"status": "ok", "database": {"reachable": True}, "migrations": {}, "worker": {}}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = pending_migrations()
    except DatabaseError as exc:
        report["status"] = "error"
        report["database"] = {"reachable": False, "error": exc.__class__.__name__}
        return report
    report["migrations"] = {"applied": not pending, "pending": pending}
    if pending:
        report["status"] = "error"
    last_seen = worker_last_seen() if not pending else None
    alive = bool(
        last_seen and (clock.now() - last_seen).total_seconds() <= settings.WORKER_STALE_SECONDS
    )
    report["worker"] = {
        "last_seen": last_seen.isoformat() if last_seen else None,
        "alive": alive,
    }
    if report["status"] == "ok" and not alive:
        report["status"] = "degraded"
    return report
