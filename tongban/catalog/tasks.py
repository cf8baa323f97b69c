"""The catalog's background work: bringing future-dated guide versions into force.

``publish`` with a future effective date schedules ``activate_due_versions`` for that
day's first minute where the task backend can defer (database, rq). A daily run is the safety
net for any backend or outage: ``activate_due_versions.enqueue()`` from cron or the
scheduler (docs/catalog/guides.md).
"""

import datetime

from django.utils import timezone
from django_tasks import task

from tongban.catalog import services


@task()
def activate_due_versions() -> int:
    """Bring into force every published version whose effective date has come."""
    return services.activate_due_versions()


def schedule_activation(day: datetime.date) -> None:
    """Queue ``activate_due_versions`` to run on ``day`` (where the backend can defer)."""
    if not activate_due_versions.get_backend().supports_defer:
        return
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    activate_due_versions.using(run_after=start).enqueue()
