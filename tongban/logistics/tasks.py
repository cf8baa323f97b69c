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
from tongban.core.periodic import Periodic
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


SWEEP = Periodic(
    sweep, lambda: datetime.timedelta(minutes=getattr(settings, "LOGISTICS_SWEEP_MINUTES", 10))
)
schedule_next = SWEEP.schedule_next
ensure_scheduled = SWEEP.ensure_scheduled
on_worker_started = SWEEP.on_worker_started
