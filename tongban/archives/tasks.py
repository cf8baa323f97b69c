"""The archives' background work: building a concluded case's package, and fixity checks.

``build_archive`` runs once a case concludes (``handlers``). A case concluded with a license
result gets its license from another task queued by the same signal; when that license is
not there yet, the build waits for it (``ARCHIVES_LICENSE_WAIT_MINUTES`` between tries,
``ARCHIVES_LICENSE_WAIT_TRIES`` tries, on backends that can defer) and then builds without
it: the package says so (``license_included: false``).

``fixity_sweep`` checks the packages checked longest ago, then queues its own next run
(like ``cases.tasks.supervise``); ``ensure_scheduled`` starts the chain when a worker starts
(``core.signals.worker_started``) and from ``manage.py archives_fixity``.
"""

import datetime

from django.conf import settings
from django_tasks import task

from tongban.archives import fixity, services
from tongban.cases.models import Case, ResultType
from tongban.core import clock
from tongban.core.periodic import Periodic
from tongban.licenses.models import License


@task()
def build_archive(case_pk: int, attempt: int = 0) -> str:
    """Archive case ``case_pk``; the package's number ("" while waiting for the license)."""
    case = Case.objects.get(pk=case_pk)
    if _waiting_for_license(case, attempt):
        wait = datetime.timedelta(minutes=settings.ARCHIVES_LICENSE_WAIT_MINUTES)
        build_archive.using(run_after=clock.now() + wait).enqueue(case_pk, attempt + 1)
        return ""
    return services.build_package(case).number


def _waiting_for_license(case: Case, attempt: int) -> bool:
    if case.result_type != ResultType.LICENSE or License.objects.filter(case=case).exists():
        return False
    if not build_archive.get_backend().supports_defer:
        return False
    return attempt < settings.ARCHIVES_LICENSE_WAIT_TRIES


@task()
def fixity_sweep() -> dict[str, int]:
    found = fixity.sweep(limit=settings.ARCHIVES_FIXITY_PER_RUN)
    schedule_next()
    return found


SWEEP = Periodic(
    fixity_sweep,
    lambda: datetime.timedelta(minutes=settings.ARCHIVES_FIXITY_INTERVAL_MINUTES),
)
schedule_next = SWEEP.schedule_next
ensure_scheduled = SWEEP.ensure_scheduled
on_worker_started = SWEEP.on_worker_started
