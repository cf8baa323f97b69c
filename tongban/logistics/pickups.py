"""Collection at the door (上门收件): ``book_collection`` sends a courier to the
applicant's door for the paper materials of a case that is submitted, waiting for
supplements or accepted, within a pickup window the courier serves (``_window_errors``).
"""

import datetime

from django.utils import timezone

from tongban.cases.models import Case
from tongban.cases.models import Status as CaseStatus
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput, NotFound
from tongban.identity import access
from tongban.logistics import addresses
from tongban.logistics.models import FINAL, Kind, Waybill
from tongban.logistics.waybills import _center, _create, book

# Cases that may still send paper materials in (上门收件).
COLLECTABLE = frozenset(
    {CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENT_REQUESTED, CaseStatus.ACCEPTED}
)
PICKUP_DAYS_AHEAD = 7
PICKUP_HOURS = (8, 20)  # couriers visit between 8:00 and 20:00


def book_collection(
    case: Case, *, name: str, phone: str, address: addresses.Address, start, end, by
) -> Waybill:
    """Book a courier to collect the paper materials of ``case`` from ``address`` between
    ``start`` and ``end``; the applicant or a clerk of the case's department."""
    if not access.can(by, "cases.view", case):
        raise NotFound("未找到该办件", "No such case")
    access.require(by, "logistics.book_collection", case)
    if case.status not in COLLECTABLE:
        raise Conflict("办件当前状态不需要寄送材料", "This case does not take paper materials now")
    open_one = Waybill.objects.filter(case=case, kind=Kind.COLLECTION).exclude(status__in=FINAL)
    if open_one.exists():
        raise Conflict("该办件已预约上门收件", "A collection is already booked for this case")
    errors = {
        **addresses.party_errors(name, phone),
        **addresses.address_errors(address),
        **_window_errors(start, end),
    }
    if errors:
        raise InvalidInput(fields=errors)
    waybill = _create(
        case,
        kind=Kind.COLLECTION,
        sender=(name.strip(), phone.strip(), address),
        recipient=_center(),
        by=by,
        window=(start, end),
    )
    return book(waybill, by=by)


def _window_errors(start, end) -> dict[str, list[str]]:
    if not isinstance(start, datetime.datetime):
        return {"start": ["请选择上门时间 / choose a pickup time"]}
    if not isinstance(end, datetime.datetime):
        return {"end": ["请选择上门时间段的结束时间 / choose when the window ends"]}
    now = clock.now()
    start_local, end_local = timezone.localtime(start), timezone.localtime(end)
    if start < now + datetime.timedelta(hours=1):
        return {"start": ["上门时间至少在一小时之后 / at least one hour from now"]}
    if start > now + datetime.timedelta(days=PICKUP_DAYS_AHEAD):
        return {"start": ["只能预约7天内的上门时间 / within the next 7 days"]}
    if end <= start or end - start < datetime.timedelta(hours=1):
        return {"end": ["上门时间段至少一小时 / the window is at least one hour"]}
    first, last = PICKUP_HOURS
    if (
        start_local.date() != end_local.date()
        or start_local.hour < first
        or (end_local.hour, end_local.minute) > (last, 0)
    ):
        return {"end": ["快递员上门时间为当日 8:00–20:00 / between 8:00 and 20:00, same day"]}
    return {}
