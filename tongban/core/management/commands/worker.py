"""The task worker: django-tasks-db's ``db_worker`` plus a heartbeat that /healthz reads."""

import threading

from django.db import DatabaseError, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from tongban.core import clock, services
from tongban.core.signals import worker_started

HEARTBEAT_SECONDS = 15


def _beat_forever(worker_id: str, started_at, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            services.beat(worker_id, started_at)
        except DatabaseError:
            pass  # the database is away; the next beat tries again
        finally:
            connection.close()


class Command(DbWorkerCommand):
    help = "运行后台任务工作进程(带心跳) / Run the task worker with a heartbeat for /healthz"

    def handle(self, *args, **options):
        started_at = clock.now()
        services.beat(options["worker_id"], started_at)
        stop = threading.Event()
        thread = threading.Thread(
            target=_beat_forever, args=(options["worker_id"], started_at, stop), daemon=True
        )
        thread.start()
        worker_started.send(sender=self.__class__)
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
