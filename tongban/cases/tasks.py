"""The cases app's background work: the supervision sweep (效能监察), every hour.

``supervise`` sweeps, then queues its own next run an hour later where the task backend can
defer (database, rq), so one queued run keeps the worker sweeping without cron.
``ensure_scheduled`` queues a run when none is waiting: ``manage.py cases_supervise`` calls it,
and so should the worker when it starts. On a backend without delays (the immediate one in
tests) there is no next run: ``manage.py cases_supervise`` from cron is the fallback.
"""

import datetime

from django_tasks import task

from tongban.cases import supervision
from tongban.core import clock

INTERVAL = datetime.timedelta(hours=1)


@task()
def supervise() -> dict[str, int]:
    raised = supervision.sweep()
    schedule_next()
    return raised


def schedule_next(when: datetime.datetime | None = None) -> bool:
    """Queue the next sweep (an hour from now by default); whether one was queued."""
    if not supervise.get_backend().supports_defer:
        return False
    supervise.using(run_after=when or clock.now() + INTERVAL).enqueue()
    return True


def on_worker_started(sender, **kwargs) -> None:
    """A worker is starting: make sure the hourly sweep is queued (``core.signals``)."""
    ensure_scheduled()


def ensure_scheduled() -> bool:
    """Queue a sweep now unless one is already waiting (database backend); whether queued."""
    if not supervise.get_backend().supports_defer:
        return False
    if _waiting():
        return False
    return schedule_next(clock.now())


def _waiting() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another deferring backend (rq): the chain keeps itself going
        return True
    return DBTaskResult.objects.filter(
        task_path=supervise.module_path, status__in=("READY", "RUNNING")
    ).exists()
