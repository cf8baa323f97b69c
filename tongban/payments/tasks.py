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

from tongban.core.periodic import Periodic
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


SWEEP = Periodic(settle_sweep, interval)
schedule_next = SWEEP.schedule_next
ensure_scheduled = SWEEP.ensure_scheduled
on_worker_started = SWEEP.on_worker_started
