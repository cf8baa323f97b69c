"""The clerk's mail desk: ``correct``, ``book_now``, ``cancel`` and ``resend`` a waybill,
each for a user who may manage it (``_require_manage``).
"""

from django.db import transaction

from tongban.audit import services as audit
from tongban.cases.models import Case
from tongban.cases.models import Status as CaseStatus
from tongban.errors import Conflict, NotFound, PermissionDenied
from tongban.identity import access
from tongban.logistics import addresses
from tongban.logistics.models import FINAL, Kind, Status, Waybill
from tongban.logistics.providers import registry
from tongban.logistics.providers.base import ProviderError
from tongban.logistics.waybills import _center, _create, book


def correct(waybill: Waybill, *, by, name: str, phone: str, address_line: str) -> Waybill:
    """Correct the recipient of a waybill not yet booked (the address the courier needs),
    then book it."""
    _require_manage(by, waybill)
    if waybill.status != Status.CREATED or waybill.kind != Kind.DELIVERY:
        raise Conflict("只能修改尚未下单的送达运单", "Only an unbooked delivery can be corrected")
    party = addresses.party(name, phone, addresses.parse(address_line), prefix="recipient_")
    with transaction.atomic():
        locked = Waybill.objects.select_for_update().get(pk=waybill.pk)
        locked.recipient_name, locked.recipient_phone = party.name, party.phone
        locked.recipient_address = party.address.full
        changes = {"problem": [locked.problem or None, None], "recipient": [None, "corrected"]}
        locked.problem = ""
        locked.save()
        audit.record(by, "logistics.waybill.correct", locked, changes=changes)
    return book(locked, by=by)


def book_now(waybill: Waybill, *, by) -> Waybill:
    """The desk's 立即下单: book a created waybill now rather than waiting for the retry."""
    _require_manage(by, waybill)
    if waybill.status != Status.CREATED:
        raise Conflict("运单已下单", "The waybill is booked already")
    if waybill.problem:
        raise Conflict(f"请先修改收件信息:{waybill.problem}", "Correct the recipient first")
    return book(waybill, by=by)


def cancel(waybill: Waybill, *, by, reason: str = "") -> Waybill:
    """Cancel a waybill not yet picked up (the courier is told when it was booked)."""
    _require_manage(by, waybill)
    if waybill.status not in (Status.CREATED, Status.BOOKED):
        raise Conflict("快件已揽收,不能取消", "Picked up already: it cannot be cancelled")
    if waybill.status == Status.BOOKED:
        try:
            registry.get(waybill.provider).cancel(waybill.number)
        except ProviderError as error:
            if error.retryable:
                raise Conflict(
                    "快递公司暂时无法取消,请稍后再试", "The courier is unavailable"
                ) from error
            raise Conflict(f"快递公司拒绝取消:{error}", "The courier refused") from error
    with transaction.atomic():
        locked = Waybill.objects.select_for_update().get(pk=waybill.pk)
        before = locked.status
        locked.status = Status.CANCELLED
        locked.save()
        audit.record(
            by,
            "logistics.waybill.cancel",
            locked,
            changes={"status": [before, Status.CANCELLED]},
            note=reason,
        )
    return locked


def resend(waybill: Waybill, *, by) -> Waybill:
    """Post the result again after a return, a failure or a cancellation: a new waybill
    to the same recipient, booked at once."""
    _require_manage(by, waybill)
    if waybill.kind != Kind.DELIVERY or waybill.status not in (
        Status.RETURNED,
        Status.FAILED,
        Status.CANCELLED,
    ):
        raise Conflict("只有退回、投递失败或已取消的送达运单可以重寄", "Nothing to re-send")
    case = Case.objects.get(pk=waybill.case_id)
    if case.status != CaseStatus.CONCLUDED:
        raise Conflict("办件已送达或不在待送达状态", "The case is not waiting for delivery")
    newer = Waybill.objects.filter(case=case, kind=Kind.DELIVERY, pk__gt=waybill.pk)
    if newer.exclude(status__in=FINAL).exists():
        raise Conflict("该办件已有新的寄递运单", "A newer waybill is on its way")
    fresh = _create(
        case,
        kind=Kind.DELIVERY,
        sender=_center(),
        recipient=(
            str(waybill.recipient_name),
            str(waybill.recipient_phone or ""),
            addresses.parse(str(waybill.recipient_address or "")),
        ),
        by=by,
    )
    return book(fresh, by=by)


def _require_manage(user, waybill: Waybill) -> None:
    if not access.can(user, "logistics.view", waybill):
        raise NotFound("未找到该运单", "No such waybill")
    if not access.can(user, "logistics.manage", waybill):
        raise PermissionDenied()
