"""A task that queues its own next run: the shape of every sweep the worker keeps going.

django-tasks has no cron, so a periodic task ends by queueing itself again with ``run_after``
(``schedule_next``), on backends that can defer; elsewhere cron runs the ``manage.py``
command instead. The chain has to start somewhere: ``on_worker_started`` (connected to
``core.signals.worker_started``) and the ``manage.py`` commands call ``ensure_scheduled``,
which queues a run now unless one is already waiting, so restarting workers does not
multiply the chain. The database backend and rq (its scheduled, started and queued jobs) are
asked what waits; on another deferring backend a running chain is assumed.
"""

import datetime
from collections.abc import Callable

from django_tasks.base import Task

from tongban.core import clock


class Periodic:
    """``task`` run again ``interval()`` after each run (read when queueing: settings change)."""

    def __init__(self, task: Task, interval: Callable[[], datetime.timedelta]):
        self.task = task
        self.interval = interval

    def schedule_next(self, when: datetime.datetime | None = None) -> bool:
        """Queue the next run (an interval from now by default); whether one was queued."""
        if not self.task.get_backend().supports_defer:
            return False
        self.task.using(run_after=when or clock.now() + self.interval()).enqueue()
        return True

    def ensure_scheduled(self) -> bool:
        """Queue a run now unless one is already waiting (database backend); whether queued."""
        if not self.task.get_backend().supports_defer or self.waiting():
            return False
        return self.schedule_next(clock.now())

    def on_worker_started(self, sender, **kwargs) -> None:
        self.ensure_scheduled()

    def waiting(self) -> bool:
        backend = self.task.get_backend()
        if type(backend).__module__.startswith("django_tasks_rq"):
            return _rq_waiting(self.task)
        try:
            from django_tasks_db.models import DBTaskResult
        except ImportError:  # another deferring backend: the chain keeps itself going
            return True
        return DBTaskResult.objects.filter(
            task_path=self.task.module_path, status__in=("READY", "RUNNING")
        ).exists()


def _rq_waiting(task: Task) -> bool:
    """Whether rq holds a run of ``task`` (scheduled, running or queued). Workers starting
    together ask at most once a minute between them, so two cannot both start a chain."""
    import django_rq
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry, StartedJobRegistry

    queue = django_rq.get_queue(task.queue_name)
    redis = queue.connection
    if not redis.set(f"tongban:periodic:{task.module_path}", "1", nx=True, ex=60):
        return True
    ids = [
        *ScheduledJobRegistry(queue=queue).get_job_ids(),
        *StartedJobRegistry(queue=queue).get_job_ids(),
        *queue.get_job_ids(0, 1000),
    ]
    jobs = Job.fetch_many(ids, connection=redis)
    return any(job is not None and job.func_name == task.module_path for job in jobs)
