"""The portal's background work: the daily prune of the read-aloud audio cache.

``prune_speech`` deletes audio no one has read for ``PORTAL_SPEECH_CACHE_DAYS`` days and
queues its own next run a day later (``core.periodic.Periodic``), so ``var/speech`` stays
the size of what is in use without a cron line.
"""

import datetime

from django.conf import settings
from django_tasks import task

from tongban.core.periodic import Periodic
from tongban.portal import speech


@task()
def prune_speech() -> int:
    removed = speech.prune(settings.PORTAL_SPEECH_CACHE_DAYS)
    schedule_next()
    return removed


SWEEP = Periodic(prune_speech, lambda: datetime.timedelta(days=1))
schedule_next = SWEEP.schedule_next
on_worker_started = SWEEP.on_worker_started
