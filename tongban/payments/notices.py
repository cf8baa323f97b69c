"""A channel's asynchronous notices: verified, stored, applied at most once.

Every notice becomes a ``Callback`` row, whatever its fate. Rules, in order:

- a bad signature is refused (``bad_signature``; the view answers 401) and logged;
- ``refund.*`` notices go to ``refunds.on_notice``;
- the order is locked; an ``event_id`` seen before changes nothing (``duplicate``);
- a notice older (``sequence``) than the last one applied changes nothing (``stale``);
- ``payment.paid``: the amount must equal the order's (else ``amount_mismatch``, logged and
  audited, not paid); a paid order stays paid (a later ``payment.failed`` is ``stale``) and a
  failed or closed one is never paid (``stale``, audited for finance: reconciliation shows
  the money if the channel took it);
  paying completes the case's 缴费 task in the same transaction (``mark_paid``).

``apply_state`` is shared with ``services.settle`` (a query's answer instead of a notice).
"""

import json
import logging

from django.db import transaction
from django.utils import timezone

from tongban.audit import services as audit
from tongban.cases import services as cases
from tongban.cases.models import Case
from tongban.core import clock
from tongban.notify import services as notify
from tongban.payments.models import Callback, PaymentOrder
from tongban.payments.providers import registry
from tongban.payments.providers.base import BadSignature, Notice, PaymentState, PermanentError
from tongban.workflow import services as workflow
from tongban.workflow.models import Task

log = logging.getLogger("tongban.payments")
SYSTEM = "system:payments"
Status = PaymentOrder.Status
Outcome = Callback.Outcome
MAX_BODY = 20_000


def apply_notice(provider_name: str, headers, body: bytes, remote_addr=None) -> Callback:
    """Verify, store and apply one notice; the stored ``Callback`` (its ``outcome``)."""
    provider = registry.get(provider_name)
    text = body.decode("utf-8", errors="replace")[:MAX_BODY]
    base = {"provider": provider_name, "body": text, "remote_addr": remote_addr or None}
    try:
        notice = provider.parse_notice(headers, body)
    except BadSignature as exc:
        log.warning("payments: %s notice from %s refused: %s", provider_name, remote_addr, exc)
        return Callback.objects.create(
            **base, **_peek(body), outcome=Outcome.BAD_SIGNATURE, note=str(exc)[:300]
        )
    except PermanentError as exc:
        log.warning("payments: malformed %s notice: %s", provider_name, exc)
        return Callback.objects.create(
            **base, **_peek(body), signature_ok=True, outcome=Outcome.INVALID, note=str(exc)[:300]
        )
    base.update(
        event_id=notice.event_id[:64],
        event=notice.event[:32],
        sequence=notice.sequence,
        signature_ok=True,
    )
    if notice.event.startswith("refund."):
        return _refund_notice(provider_name, notice, base)
    state = notice.state
    if state is None or notice.event != f"payment.{state.status}":
        return Callback.objects.create(
            **base, outcome=Outcome.INVALID, note="通知类型与状态不符 / event and status differ"
        )
    with transaction.atomic():
        order = (
            PaymentOrder.objects.select_for_update()
            .filter(number=state.number, provider=provider_name)
            .first()
        )
        if order is None:
            log.warning("payments: %s notice for unknown order %s", provider_name, state.number)
            return Callback.objects.create(**base, outcome=Outcome.UNKNOWN_ORDER)
        base["order"] = order
        if _seen(provider_name, notice.event_id):
            log.info("payments: duplicate notice %s for %s", notice.event_id, order)
            return Callback.objects.create(**base, outcome=Outcome.DUPLICATE)
        outcome, note = apply_state(
            order, state, sequence=notice.sequence, source=f"notice {notice.event_id}"
        )
        return Callback.objects.create(**base, outcome=outcome, note=note[:300])


def _seen(provider_name: str, event_id: str) -> bool:
    return Callback.objects.filter(
        provider=provider_name, event_id=event_id, signature_ok=True
    ).exists()


def _peek(body: bytes) -> dict:
    """The event id and type of a notice that cannot be trusted, for the record."""
    try:
        data = json.loads(body)
        return {"event_id": str(data.get("event_id", ""))[:64], "event": str(data["event"])[:32]}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def _refund_notice(provider_name: str, notice: Notice, base: dict) -> Callback:
    if _seen(provider_name, notice.event_id):
        return Callback.objects.create(**base, outcome=Outcome.DUPLICATE)
    try:
        from tongban.payments.refunds import on_notice
    except ImportError:
        return Callback.objects.create(
            **base, outcome=Outcome.INVALID, note="退费处理模块未安装 / refunds not installed"
        )
    number = (notice.raw or {}).get("number", "")
    order = PaymentOrder.objects.filter(number=number, provider=provider_name).first()
    with transaction.atomic():
        outcome = on_notice(provider_name, notice)
        return Callback.objects.create(**base, order=order, outcome=outcome)


def apply_state(
    order: PaymentOrder, state: PaymentState, *, sequence: int, source: str
) -> tuple[str, str]:
    """Apply what the channel says of ``order`` (locked by the caller): ``(outcome, note)``."""
    if sequence and sequence <= order.last_sequence:
        return Outcome.STALE, "较早的通知,订单已有更新的状态 / older than the last applied"
    if state.status == "paid":
        return _paid(order, state, sequence=sequence, source=source)
    if state.status in (Status.FAILED, Status.CLOSED):
        if order.status in (Status.PAID, Status.REFUNDED):
            log.warning("payments: %s %s for paid order %s ignored", source, state.status, order)
            return Outcome.STALE, "订单已缴费,不改为失败 / a paid order stays paid"
        if order.status == state.status:
            return Outcome.STALE, "状态未变 / no change"
        before = order.status
        order.status = state.status
        order.failure_reason = state.reason[:200]
        if state.channel_order_id and not order.channel_order_id:
            order.channel_order_id = state.channel_order_id
        order.last_sequence = max(order.last_sequence, sequence)
        order.save()
        verb = "fail" if state.status == Status.FAILED else "close"
        audit.record(
            SYSTEM,
            f"payments.paymentorder.{verb}",
            order,
            changes={"status": [before, order.status]},
            note=f"{source} {state.reason}".strip(),
        )
        return Outcome.APPLIED, ""
    return Outcome.STALE, "支付中,无变化 / still paying"


def _paid(order: PaymentOrder, state: PaymentState, *, sequence: int, source: str):
    if order.status in (Status.PAID, Status.REFUNDED):
        return Outcome.STALE, "订单已缴费 / already paid"
    if order.status in (Status.FAILED, Status.CLOSED):
        # A failed or closed order is never marked paid, whatever comes later: if the channel
        # did take the money, reconciliation shows it (status mismatch) and finance refunds it.
        log.error(
            "payments: %s says paid for %s order %s: not applied", source, order.status, order
        )
        audit.record(
            SYSTEM,
            "payments.paymentorder.paid_after_failure",
            order,
            changes={"paid_amount": [None, state.amount]},
            note=f"{source};订单已{order.get_status_display()},不改为已缴费,请财务核实退费",
        )
        return Outcome.STALE, f"订单已{order.get_status_display()},不改为已缴费,请财务核实"
    if state.amount != order.amount:
        log.error(
            "payments: %s for %s says %s fen paid, %s fen due: not applied",
            source,
            order,
            state.amount,
            order.amount,
        )
        audit.record(
            SYSTEM,
            "payments.paymentorder.amount_mismatch",
            order,
            changes={"paid_amount": [order.amount, state.amount]},
            note=source,
        )
        return Outcome.AMOUNT_MISMATCH, f"渠道实付 {state.amount} 分,应缴 {order.amount} 分"
    successor = (
        PaymentOrder.objects.filter(case_id=order.case_id, status__in=PaymentOrder.LIVE)
        .exclude(pk=order.pk)
        .first()
    )
    if successor is not None:
        # Paid after it was closed or failed and replaced: money arrived twice for one case,
        # or will. Recorded for finance (a refund), never a second paid order.
        log.error("payments: %s paid after being replaced by %s", order, successor)
        audit.record(
            SYSTEM,
            "payments.paymentorder.paid_after_replacement",
            order,
            changes={"paid_amount": [None, state.amount]},
            note=f"{source};已由 {successor.number} 接续,请核实退费",
        )
        return Outcome.STALE, f"订单已由 {successor.number} 接续,请财务核实退费"
    mark_paid(order, state, sequence=sequence, source=source)
    return Outcome.APPLIED, ""


def mark_paid(order: PaymentOrder, state: PaymentState, *, sequence: int, source: str) -> None:
    """Paid: the order, its audit record, the 缴费 task done (the workflow moves on), the
    case's history and the payer's notice — in the caller's transaction, order locked."""
    before = order.status
    order.status = Status.PAID
    order.paid_amount = state.amount
    order.paid_at = state.paid_at or clock.now()
    order.failure_reason = ""
    if state.channel_order_id and not order.channel_order_id:
        order.channel_order_id = state.channel_order_id
    order.last_sequence = max(order.last_sequence, sequence)
    order.save()
    audit.record(
        SYSTEM,
        "payments.paymentorder.pay",
        order,
        changes={"status": [before, Status.PAID], "paid_amount": [None, order.paid_amount]},
        note=source,
    )
    case = Case.objects.select_related("guide", "applicant").get(pk=order.case_id)
    _complete(order)
    cases.record_event(
        case, "pay", by=SYSTEM, note=f"缴费 {order.yuan} 元已到账(订单 {order.number})"
    )
    notify.send(
        order.payer,
        "payments.paid",
        {
            "办件编号": case.number,
            "事项名称": case.guide.name,
            "金额": order.yuan,
            "订单号": order.number,
            "到账时间": f"{timezone.localtime(order.paid_at):%Y-%m-%d %H:%M}",
        },
        channels=["in_app"],
        idempotency_key=f"payments:{order.pk}:paid",
        by=SYSTEM,
    )


def _complete(order: PaymentOrder) -> None:
    task = Task.objects.filter(pk=order.task_id).first() if order.task_id else None
    if task is None or task.status != Task.Status.READY:
        log.warning("payments: %s paid while its case is not waiting at 缴费", order)
        return
    workflow.complete_system(task, system="payments", data={"paid": True, "order": order.number})


def complete_task(order_pk: int) -> None:
    """Complete the 缴费 task of a paid order (a case that came back to 缴费 already paid)."""
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=order_pk)
        if order.status == Status.PAID:
            _complete(order)
