"""Platform events other apps react to.

``worker_started``: a task worker (``manage.py worker``) is starting. Apps whose periodic
work re-queues itself (a task that schedules its next run) queue the first run here, so
the sweep runs by itself without cron.
"""

from django.dispatch import Signal

worker_started = Signal()
