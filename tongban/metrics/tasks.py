"""The metrics app's background work: the daily indicator snapshot.

``snapshot_daily`` takes today's snapshot (``snapshots.take``) and queues its next run a day
later (``core.periodic.Periodic``, like ``payments.settle_sweep``); ``ensure_scheduled``
starts the chain when a worker starts (``core.signals.worker_started``) and from
``manage.py metrics_snapshot``. Taking a day twice replaces its figures.
"""

import datetime

from django_tasks import task

from tongban.core.periodic import Periodic
from tongban.metrics import snapshots


@task()
def snapshot_daily() -> int:
    written = snapshots.take()
    schedule_next()
    return written


def interval() -> datetime.timedelta:
    return datetime.timedelta(days=1)


DAILY = Periodic(snapshot_daily, interval)
schedule_next = DAILY.schedule_next
ensure_scheduled = DAILY.ensure_scheduled
on_worker_started = DAILY.on_worker_started
