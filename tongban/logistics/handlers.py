"""Signal receivers of the logistics app (connected in ``LogisticsConfig.ready``).

A concluded case whose result goes by post gets its delivery waybill from a task: the
conclusion (already committed when ``case_concluded`` is sent) never waits on the courier.
"""

from tongban.cases.models import Case, DeliveryMethod
from tongban.cases.signals import case_concluded


def ship_on_conclusion(sender, *, case_pk: int, **kwargs) -> None:
    method = Case.objects.filter(pk=case_pk).values_list("delivery_method", flat=True).first()
    if method != DeliveryMethod.POST:
        return
    from tongban.logistics import tasks

    tasks.ship_result.enqueue(case_pk)


def connect() -> None:
    case_concluded.connect(ship_on_conclusion, dispatch_uid="logistics.ship_on_conclusion")
