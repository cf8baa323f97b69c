"""The finance side's background work: the daily reconciliation and refund retries.

``reconcile_yesterday`` reconciles the channel in use (``settings.PAYMENTS_PROVIDER``) for
yesterday, Beijing time, once a day after ``PAYMENTS_RECONCILE_HOUR`` (default 02:00, when
channels have published the day's statement), then queues its own next run; a channel that
is down is asked again ``PAYMENTS_RECONCILE_RETRY_MINUTES`` later (default 30).
``retry_refunds`` sends again the approved refunds the channel has not confirmed, every
``PAYMENTS_REFUND_RETRY_MINUTES`` (default 10).

``connect()`` (called from ``PaymentsConfig.ready``) starts both chains when a worker starts
(``core.signals.worker_started``), like ``archives.tasks``.
"""

import datetime
import logging

from django.conf import settings
from django_tasks import task

from tongban.core import clock
from tongban.core.periodic import Periodic
from tongban.payments import reconciliation, refunds
from tongban.payments.models import Reconciliation
from tongban.payments.providers.base import ChannelError

log = logging.getLogger(__name__)


def _hour() -> int:
    return getattr(settings, "PAYMENTS_RECONCILE_HOUR", 2)


def _minutes(name: str, default: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=getattr(settings, name, default))


def due_date() -> datetime.date:
    return reconciliation.yesterday()


def reconcile_due(provider_name: str | None = None) -> Reconciliation | None:
    """Reconcile yesterday unless a run of it exists; the run, or ``None`` if done before."""
    name = provider_name or settings.PAYMENTS_PROVIDER
    date = due_date()
    if Reconciliation.objects.filter(provider=name, date=date).exists():
        return None
    return reconciliation.reconcile(name, date, by=reconciliation.SYSTEM)


@task()
def reconcile_yesterday() -> str:
    try:
        run = reconcile_due()
    except ChannelError as exc:
        log.warning("daily reconciliation: channel unavailable: %s", exc)
        RECONCILE.schedule_next(clock.now() + _minutes("PAYMENTS_RECONCILE_RETRY_MINUTES", 30))
        return "retry"
    RECONCILE.schedule_next(next_reconcile_at())
    return run.status if run else "done"


def next_reconcile_at(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next ``PAYMENTS_RECONCILE_HOUR`` o'clock, Beijing time, after ``now``."""
    local = (now or clock.now()).astimezone(reconciliation.BEIJING)
    at = local.replace(hour=_hour(), minute=0, second=0, microsecond=0)
    return at if at > local else at + datetime.timedelta(days=1)


@task()
def retry_refunds() -> dict[str, int]:
    found = refunds.retry_approved()
    REFUNDS.schedule_next()
    return found


# The reconciliation's next run is the next day's hour, the refunds' an interval away.
RECONCILE = Periodic(reconcile_yesterday, lambda: next_reconcile_at() - clock.now())
REFUNDS = Periodic(retry_refunds, lambda: _minutes("PAYMENTS_REFUND_RETRY_MINUTES", 10))


def ensure_scheduled() -> list[str]:
    """Queue each chain unless a run of it is already waiting; the names queued."""
    return [chain.task.name for chain in (RECONCILE, REFUNDS) if chain.ensure_scheduled()]


def on_worker_started(sender, **kwargs) -> None:
    ensure_scheduled()


def connect() -> None:
    """Called from ``PaymentsConfig.ready``."""
    from tongban.core.signals import worker_started

    worker_started.connect(on_worker_started, dispatch_uid="payments.finance")
