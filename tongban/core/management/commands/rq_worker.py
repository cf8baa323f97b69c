"""``manage.py rq_worker``: the task worker for ``TASKS_BACKEND=rq``, with the heartbeat.

django-tasks-rq queues tasks in Redis but brings no worker command; this runs an rq
``Worker`` on the backend's queues with its scheduler (deferred tasks: the periodic sweeps
queue their next run with ``run_after``), beats into /healthz like ``manage.py worker``, and
sends ``worker_started`` so the periodic chains are started when none is waiting
(``core.periodic``). Each job runs in a forked work horse with its own database connection,
so a PostgreSQL restart costs at most the jobs running at that moment (rq retries nothing by
itself: the tasks' own retry logic applies). Run two or more for resilience.
"""

import os
import socket
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django_rq.queues import get_queues
from django_tasks_rq.backend import Job
from rq import Worker

from tongban.core import clock
from tongban.core.management.commands.worker import _beat_forever
from tongban.core.services import beat
from tongban.core.signals import worker_started


def queue_names() -> list[str]:
    """The queues of the default task backend (``settings.TASKS``)."""
    options = settings.TASKS["default"]
    if not options["BACKEND"].startswith("django_tasks_rq."):
        raise CommandError("TASKS_BACKEND 不是 rq / TASKS_BACKEND is not rq")
    return list(options.get("QUEUES") or ["default"])


class Command(BaseCommand):
    help = "运行 Redis 任务工作进程(带心跳) / Run an rq task worker with a heartbeat for /healthz"

    def add_arguments(self, parser):
        parser.add_argument("--worker-id", default=f"rq-{socket.gethostname()}-{os.getpid()}")
        parser.add_argument("--burst", action="store_true", help="队列空时退出 / exit when idle")

    def handle(self, *args, worker_id, burst=False, **options):
        names = queue_names()  # refused before anything beats: a wrong backend beats nothing
        started_at = clock.now()
        beat(worker_id, started_at)
        stop = threading.Event()
        threading.Thread(
            target=_beat_forever, args=(worker_id, started_at, stop), daemon=True
        ).start()
        try:
            worker_started.send(sender=self.__class__)
            # Work horses are forked: none may inherit an open database connection.
            connections.close_all()
            queues = get_queues(*names, job_class=Job)
            worker = Worker(queues, name=worker_id, connection=queues[0].connection, job_class=Job)
            worker.work(with_scheduler=True, burst=burst, logging_level="WARNING")
        finally:
            stop.set()  # whatever ends the worker ends its heartbeat
