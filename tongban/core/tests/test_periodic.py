"""A periodic task keeps one run waiting, whatever the number of workers starting."""

import datetime

import pytest
from django_tasks import task

from tongban.core.periodic import Periodic

pytestmark = pytest.mark.django_db


@task()
def tick() -> None:
    """Does nothing: only its queueing is tested."""


TICK = Periodic(tick, lambda: datetime.timedelta(minutes=5))


def test_a_backend_that_cannot_defer_leaves_the_schedule_to_cron():
    assert TICK.schedule_next() is False  # the suite's backend runs tasks at once
    assert TICK.ensure_scheduled() is False


def test_a_run_is_queued_once_while_one_waits(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    assert TICK.ensure_scheduled() is True
    TICK.on_worker_started(sender=None)  # a second worker starting queues nothing more
    assert TICK.ensure_scheduled() is False
    waiting = DBTaskResult.objects.get(task_path=tick.module_path)
    assert waiting.run_after is not None
