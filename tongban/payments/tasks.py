"""The payments app's background work: settling orders whose notice never came.

``settle_sweep`` queries the channel for orders paying longer than
``PAYMENTS_QUERY_AFTER_SECONDS`` (``services.settle_due``) and closes orders past their time
(``services.close_expired``), then queues its own next run (like ``archives.fixity_sweep``);
``ensure_scheduled`` starts the chain when a worker starts (``core.signals.worker_started``)
and from ``manage.py payments_settle``. A channel that is down leaves the orders as they
were: the next sweep asks again.
"""

import datetime

from django.conf import settings
from django_tasks import task

from tongban.core import clock
from tongban.payments import services


@task()
def settle_sweep() -> dict[str, int]:
    found = sweep()
    schedule_next()
    return found


def sweep() -> dict[str, int]:
    found = services.settle_due()
    found["closed"] = services.close_expired()
    return found


def interval() -> datetime.timedelta:
    return datetime.timedelta(seconds=max(60, settings.PAYMENTS_QUERY_AFTER_SECONDS // 2))


def schedule_next(when: datetime.datetime | None = None) -> bool:
    if not settle_sweep.get_backend().supports_defer:
        return False
    settle_sweep.using(run_after=when or clock.now() + interval()).enqueue()
    return True


def on_worker_started(sender, **kwargs) -> None:
    ensure_scheduled()


def ensure_scheduled() -> bool:
    """Queue a sweep now unless one is already waiting (database backend); whether queued."""
    if not settle_sweep.get_backend().supports_defer or _waiting():
        return False
    return schedule_next(clock.now())


def _waiting() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another deferring backend (rq): the chain keeps itself going
        return True
    return DBTaskResult.objects.filter(
        task_path=settle_sweep.module_path, status__in=("READY", "RUNNING")
    ).exists()
