"""The logistics app's background work.

``ship_result`` makes and books a concluded case's delivery waybill (``handlers``).
``sweep`` books the waybills left created while the courier was down and pulls the tracks
of waybills on the way that have heard nothing for ``LOGISTICS_REFRESH_AFTER_HOURS``
(default 6), then queues its own next run (every ``LOGISTICS_SWEEP_MINUTES``, default 10,
like ``archives.tasks.fixity_sweep``); ``ensure_scheduled`` starts the chain when a worker
starts and from ``manage.py courier_retry``.
"""

import datetime

from django.conf import settings
from django_tasks import task

from tongban.cases.models import Case
from tongban.core import clock
from tongban.logistics import services


@task()
def ship_result(case_pk: int) -> str:
    """The reference of case ``case_pk``'s delivery waybill ("" when not posted)."""
    waybill = services.ship_result(Case.objects.select_related("applicant").get(pk=case_pk))
    return waybill.reference if waybill else ""


@task()
def sweep() -> dict[str, int]:
    found = services.retry_unbooked()
    found["refreshed"] = services.refresh_stale()
    schedule_next()
    return found


def schedule_next(when: datetime.datetime | None = None) -> bool:
    if not sweep.get_backend().supports_defer:
        return False
    minutes = getattr(settings, "LOGISTICS_SWEEP_MINUTES", 10)
    sweep.using(run_after=when or clock.now() + datetime.timedelta(minutes=minutes)).enqueue()
    return True


def on_worker_started(sender, **kwargs) -> None:
    ensure_scheduled()


def ensure_scheduled() -> bool:
    """Queue a sweep now unless one is already waiting (database backend); whether queued."""
    if not sweep.get_backend().supports_defer or _waiting():
        return False
    return schedule_next(clock.now())


def _waiting() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another deferring backend (rq): the chain keeps itself going
        return True
    return DBTaskResult.objects.filter(
        task_path=sweep.module_path, status__in=("READY", "RUNNING")
    ).exists()
