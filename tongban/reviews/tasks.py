"""The reviews app's background work: the overdue sweep (督办) of bad-review rectifications.

``escalate_sweep`` runs ``services.escalate_overdue`` and queues its own next run an hour
later (``core.periodic.Periodic``); ``manage.py reviews_escalate`` runs it by hand or from
cron and starts the chain.
"""

import datetime

from django_tasks import task

from tongban.core.periodic import Periodic
from tongban.reviews import services


@task()
def escalate_sweep() -> dict[str, int]:
    found = services.escalate_overdue()
    schedule_next()
    return found


def interval() -> datetime.timedelta:
    return datetime.timedelta(hours=1)


SWEEP = Periodic(escalate_sweep, interval)
schedule_next = SWEEP.schedule_next
ensure_scheduled = SWEEP.ensure_scheduled
on_worker_started = SWEEP.on_worker_started
