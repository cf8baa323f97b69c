"""退费: department staff ask, finance staff decide (four eyes), the channel pays back.

A refund moves ``requested → approved → refunded`` (or ``rejected`` / ``failed``). Approval
commits first and then sends the refund to the channel, idempotent by the refund number: a
channel that is down (``RetryableError``) leaves the refund ``approved``, and
``retry_approved`` (a task, ``manage.py payments_refund_retry``) sends it again until the
channel answers. The channel's asynchronous notices arrive through ``on_notice``; the daily
reconciliation completes a refund whose notice never came.

Every change is one transaction holding the refund, its audit record and the case's history
event "refund" (退费); the payer hears of it (in-app, SMS when the account has a phone).
When the refunds completed reach the paid amount, the order becomes ``refunded``.
"""

import datetime
import logging
import secrets

from django.db import transaction
from django.db.models import Sum

from tongban.audit import services as audit
from tongban.cases import services as cases
from tongban.core import clock
from tongban.core.money import yuan
from tongban.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tongban.identity import access
from tongban.notify import services as notify
from tongban.payments import finance_rules  # noqa: F401  (registers the rules)
from tongban.payments.models import Callback, PaymentOrder, Refund
from tongban.payments.providers.base import (
    BadSignature,
    ChannelError,
    RefundAnswer,
    RetryableError,
)

log = logging.getLogger(__name__)
Outcome = Callback.Outcome
Status = Refund.Status
SYSTEM = "system:payments"
NOTICE_TEMPLATE = "payments.refund_changed"
# Refunds that still hold part of the paid amount (a new request must fit in what is left).
HOLDING = (Status.REQUESTED, Status.APPROVED, Status.REFUNDED)
# How long an approved refund may wait for the channel before ``retry_approved`` asks again.
RETRY_AFTER = datetime.timedelta(minutes=5)


def channel(name: str):
    """The provider called ``name`` (``providers.registry``)."""
    from tongban.payments.providers import registry

    return registry.get(name)


def refundable(order: PaymentOrder) -> int:
    """Fen still open to a refund request: paid less what requested, approved and refunded
    refunds hold."""
    held = order.refunds.filter(status__in=HOLDING).aggregate(total=Sum("amount"))["total"]
    return max((order.paid_amount or 0) - (held or 0), 0)


# --- requesting and deciding ----------------------------------------------------------


def request_refund(order: PaymentOrder, *, amount, reason: str, by) -> Refund:
    """Ask for ``amount`` fen of a paid order back; staff of the order's department."""
    access.require(by, "payments.refund.request", order)
    amount = _amount(amount)
    reason = (reason or "").strip()
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = ["请填写大于零的退费金额(分) / Enter an amount above zero (fen)"]
    if not reason:
        errors["reason"] = ["请填写退费原因 / Enter the reason for the refund"]
    elif len(reason) > 300:
        errors["reason"] = ["退费原因不超过300字 / At most 300 characters"]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        locked = PaymentOrder.objects.select_for_update().select_related("case").get(pk=order.pk)
        if locked.status != PaymentOrder.Status.PAID:
            raise Conflict(
                f"订单状态为“{locked.get_status_display()}”,只有已缴费的订单可以退费",
                "Only a paid order can be refunded",
            )
        left = refundable(locked)
        if amount > left:
            raise InvalidInput(
                fields={
                    "amount": [
                        f"退费金额超过可退金额 {yuan(left)} 元 / "
                        f"More than the {yuan(left)} yuan still refundable"
                    ]
                }
            )
        refund = Refund.objects.create(
            number=_new_number(), order=locked, amount=amount, reason=reason, requested_by=by
        )
        _record(
            refund,
            "request",
            by,
            changes={"status": [None, refund.status], "amount": [None, amount]},
            note=reason,
            event_note=f"申请退费 {yuan(amount)} 元(退费单 {refund.number}):{reason}",
        )
    return refund


def approve(refund: Refund, *, by, note: str = "") -> Refund:
    """Finance approves (not the requester: four eyes); then the channel is asked to pay."""
    refund = _decide(refund, Status.APPROVED, by=by, note=note)
    return send(refund)


def reject(refund: Refund, *, by, note: str = "") -> Refund:
    if not (note or "").strip():
        raise InvalidInput(fields={"note": ["驳回须填写理由 / Give the reason for rejecting"]})
    return _decide(refund, Status.REJECTED, by=by, note=note)


def _decide(refund: Refund, to: str, *, by, note: str) -> Refund:
    access.require(by, "payments.refund.decide", refund)
    note = (note or "").strip()
    if len(note) > 300:
        raise InvalidInput(fields={"note": ["审批意见不超过300字 / At most 300 characters"]})
    with transaction.atomic():
        locked = _locked(refund)
        if locked.requested_by_id == getattr(by, "pk", None):
            raise PermissionDenied(
                "退费须由申请人以外的财务人员审批(双人复核)",
                "A refund is decided by someone other than its requester (four eyes)",
            )
        if locked.status != Status.REQUESTED:
            raise Conflict(
                f"退费单状态为“{locked.get_status_display()}”,不能再审批",
                "This refund has already been decided",
            )
        if to == Status.APPROVED and locked.order.status != PaymentOrder.Status.PAID:
            raise Conflict(
                f"订单状态为“{locked.order.get_status_display()}”,不能退费",
                "The order is no longer paid",
            )
        before = locked.status
        locked.status, locked.decided_by, locked.decided_at = to, by, clock.now()
        locked.decision_note = note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        verb = "approve" if to == Status.APPROVED else "reject"
        label = "批准" if to == Status.APPROVED else "驳回"
        _record(
            locked,
            verb,
            by,
            changes={"status": [before, to]},
            note=note,
            event_note=f"{label}退费 {yuan(locked.amount)} 元(退费单 {locked.number})"
            + (f":{note}" if note else ""),
        )
    return locked


# --- the channel ------------------------------------------------------------------------


def send(refund: Refund) -> Refund:
    """Ask the channel to pay an approved refund back (again: the refund number is the
    channel's idempotency key). A channel that is down leaves it approved for a retry."""
    refund = Refund.objects.select_related("order").get(pk=refund.pk)
    if refund.status != Status.APPROVED:
        return refund
    order = refund.order
    try:
        answer = channel(order.provider).refund(
            order.number, refund.number, refund.amount, refund.reason
        )
    except (RetryableError, BadSignature) as exc:
        # Down, or an answer we cannot trust: whether the money moved is unknown, so the
        # refund stays approved and is asked again (same refund number) or reconciled.
        log.warning("refund %s: no usable answer, will retry: %s", refund.number, exc)
        return refund
    except ChannelError as exc:
        answer = RefundAnswer(refund.number, "", "failed", str(exc)[:200] or "渠道拒绝退款")
    apply_answer(refund, answer, by=SYSTEM)
    return Refund.objects.select_related("order").get(pk=refund.pk)


def retry_approved(*, limit: int = 100) -> dict[str, int]:
    """Send again the approved refunds the channel has not confirmed (oldest first)."""
    due = clock.now() - RETRY_AFTER
    waiting = Refund.objects.filter(status=Status.APPROVED, decided_at__lte=due).order_by("pk")
    found = {"sent": 0, "refunded": 0, "failed": 0, "waiting": 0}
    for refund in waiting[:limit]:
        found["sent"] += 1
        status = send(refund).status
        key = {Status.REFUNDED: "refunded", Status.FAILED: "failed"}.get(status, "waiting")
        found[key] += 1
    return found


def apply_answer(refund: Refund, answer: RefundAnswer, *, by=SYSTEM) -> str:
    """Apply what the channel says of a refund (an answer, a notice, a statement line);
    returns a ``Callback.Outcome``. Final states stay final: a later or repeated word about
    a refund already refunded or failed changes nothing."""
    with transaction.atomic():
        locked = _locked(refund)
        if answer.status == "refunded":
            if locked.status == Status.REFUNDED:
                return Outcome.DUPLICATE
            if locked.status != Status.APPROVED:
                return Outcome.STALE
            _complete(locked, answer, by=by)
            return Outcome.APPLIED
        if answer.status == "failed":
            if locked.status == Status.FAILED:
                return Outcome.DUPLICATE
            if locked.status != Status.APPROVED:
                return Outcome.STALE
            _fail(locked, answer, by=by)
            return Outcome.APPLIED
        if answer.status == "processing":
            if locked.status != Status.APPROVED:
                return Outcome.STALE
            if answer.channel_refund_id and not locked.channel_refund_id:
                locked.channel_refund_id = answer.channel_refund_id
                locked.save(update_fields=["channel_refund_id"])
                return Outcome.APPLIED
            return Outcome.DUPLICATE
        return Outcome.INVALID


def on_notice(provider_name: str, notice) -> str:
    """A verified ``refund.*`` notice of ``provider_name`` (from the callback handler)."""
    answer = getattr(notice, "refund", None)
    if answer is None or not answer.refund_number:
        return Outcome.INVALID
    refund = (
        Refund.objects.filter(number=answer.refund_number, order__provider=provider_name)
        .select_related("order")
        .first()
    )
    if refund is None:
        return Outcome.UNKNOWN_ORDER
    return apply_answer(refund, answer, by=f"channel:{provider_name}")


def complete_from_statement(refund: Refund, *, channel_refund_id: str = "") -> bool:
    """The statement shows the money paid back though no notice came: complete it."""
    answer = RefundAnswer(refund.number, channel_refund_id, "refunded")
    return apply_answer(refund, answer, by=SYSTEM) == Outcome.APPLIED


def _complete(refund: Refund, answer: RefundAnswer, *, by) -> None:
    order = PaymentOrder.objects.select_for_update().select_related("case").get(pk=refund.order_id)
    refund.status, refund.completed_at = Status.REFUNDED, clock.now()
    refund.channel_refund_id = answer.channel_refund_id or refund.channel_refund_id
    refund.save(update_fields=["status", "completed_at", "channel_refund_id"])
    before = (order.status, order.refunded_amount)
    order.refunded_amount += refund.amount
    if order.refunded_amount >= (order.paid_amount or 0):
        order.status = PaymentOrder.Status.REFUNDED
    order.save(update_fields=["refunded_amount", "status", "updated_at"])
    audit.record(
        by,
        "payments.paymentorder.refund",
        order,
        changes={
            "status": [before[0], order.status],
            "refunded_amount": [before[1], order.refunded_amount],
        },
        note=refund.number,
    )
    refund.order = order
    _record(
        refund,
        "complete",
        by,
        changes={"status": [Status.APPROVED, Status.REFUNDED]},
        event_note=f"已退款 {yuan(refund.amount)} 元(退费单 {refund.number})",
    )


def _fail(refund: Refund, answer: RefundAnswer, *, by) -> None:
    refund.status = Status.FAILED
    refund.failure_reason = (answer.reason or "渠道退款失败")[:200]
    refund.channel_refund_id = answer.channel_refund_id or refund.channel_refund_id
    refund.save(update_fields=["status", "failure_reason", "channel_refund_id"])
    _record(
        refund,
        "fail",
        by,
        changes={"status": [Status.APPROVED, Status.FAILED]},
        note=refund.failure_reason,
        event_note=f"退款失败(退费单 {refund.number}):{refund.failure_reason}",
    )


# --- helpers -------------------------------------------------------------------------------


def get(user, number: str, action: str = "payments.refund.view") -> Refund:
    refund = Refund.objects.select_related(
        "order", "order__case", "requested_by", "decided_by"
    ).filter(number=number)
    found = refund.first()
    if found is None or not access.can(user, action, found):
        raise NotFound("没有这张退费单", "No such refund")
    return found


def _locked(refund: Refund) -> Refund:
    return (
        Refund.objects.select_for_update(of=("self",))
        .select_related("order", "order__case")
        .get(pk=refund.pk)
    )


def _amount(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _new_number() -> str:
    stamp = clock.now().astimezone(datetime.UTC).strftime("%Y%m%d%H%M%S")
    return f"TF{stamp}{secrets.randbelow(10**8):08d}"


def _record(refund: Refund, verb: str, by, *, changes, note: str = "", event_note: str) -> None:
    """The refund's audit record, the case's "refund" event and the payer's notice."""
    order = refund.order
    audit.record(by, f"payments.refund.{verb}", refund, changes=changes, note=note)
    cases.record_event(order.case, "refund", by=by, note=event_note[:300])
    payer = order.payer
    phone = str(payer.phone) if payer.phone else ""
    notify.send(
        payer,
        NOTICE_TEMPLATE,
        {
            "办件编号": order.case.number,
            "退费单号": refund.number,
            "金额": yuan(refund.amount),
            "状态": refund.get_status_display(),
            "说明": note,
        },
        channels=["in_app", "sms"] if phone else ["in_app"],
        address=phone or None,
        idempotency_key=f"payments:refund:{refund.pk}:{verb}",
        by=by,
    )
