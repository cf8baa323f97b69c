"""Signal receivers of the licenses app (connected in ``LicensesConfig.ready``).

A case concluded with a license result whose item is bound to a license type queues the
issuance (``tasks.issue_license``); other conclusions are none of this app's business.
"""

from tongban.cases.models import Case, ResultType
from tongban.cases.signals import case_concluded
from tongban.licenses.models import LicenseType


def issue_on_conclusion(sender, *, case_pk: int, result_type: str, **kwargs) -> None:
    if result_type != ResultType.LICENSE:
        return
    item_id = Case.objects.filter(pk=case_pk).values_list("item_id", flat=True).first()
    if item_id is None or not LicenseType.objects.filter(items=item_id, is_active=True).exists():
        return
    from tongban.licenses.tasks import issue_license

    issue_license.enqueue(case_pk)


def connect() -> None:
    case_concluded.connect(issue_on_conclusion, dispatch_uid="licenses.issue_on_conclusion")
