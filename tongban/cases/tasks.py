"""The cases app's background work: the supervision sweep (效能监察), every hour, and the
sealed result document of each concluded case (``seal_result``).

``supervise`` sweeps, then queues its own next run an hour later where the task backend can
defer (database, rq), so one queued run keeps the worker sweeping without cron.
``ensure_scheduled`` queues a run when none is waiting: ``manage.py cases_supervise`` calls it,
and so should the worker when it starts. On a backend without delays (the immediate one in
tests) there is no next run: ``manage.py cases_supervise`` from cron is the fallback.
"""

import datetime

from django_tasks import task

from tongban.cases import supervision
from tongban.core.periodic import Periodic

INTERVAL = datetime.timedelta(hours=1)


@task()
def seal_result(case_pk: int) -> str:
    """Draw, seal, sign and store a concluded case's result document (``results``)."""
    from tongban.cases import results
    from tongban.cases.models import Case

    case = Case.objects.select_related("guide", "department").get(pk=case_pk)
    if not case.result_type:
        return ""
    results.sealed_result(case)
    return case.result_sha256


def on_concluded(sender, *, case_pk: int, result_type: str, **kwargs) -> None:
    """A case concluded with a result: its sealed result document is prepared in the
    background (``cases.signals.case_concluded``)."""
    if result_type:
        seal_result.enqueue(case_pk)


@task()
def supervise() -> dict[str, int]:
    raised = supervision.sweep()
    schedule_next()
    return raised


SWEEP = Periodic(supervise, lambda: INTERVAL)
# Module-level names: manage.py cases_supervise, CasesConfig.ready and tests use them.
schedule_next = SWEEP.schedule_next
ensure_scheduled = SWEEP.ensure_scheduled
on_worker_started = SWEEP.on_worker_started
