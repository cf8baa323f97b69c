"""The licenses app's background work: issuing the license of a concluded case.

Queued by ``handlers.issue_on_conclusion`` after the conclusion commits; ``issue_for_case`` is
idempotent, so a task run twice (a retry, a second worker) still makes one license.
"""

from django_tasks import task

from tongban.cases.models import Case
from tongban.licenses import services


@task()
def issue_license(case_pk: int) -> str:
    """Issue the case's license; its identifier."""
    case = Case.objects.get(pk=case_pk)
    return services.issue_for_case(case).identifier
