"""统一支付: a payment order per case that waits at its 缴费 step, paid through a channel.

- ``open_order(task)``: the case's process reached its 缴费 system task (``handlers``): bill
  the guide's fee items (fen) to the applicant; the payer is told (``payments.due``).
- ``start_payment(order, by=)``: 去支付 — the order is opened at the channel once (the channel
  deduplicates by our order number) and the person is sent to its pay page. A failed or
  closed order is followed by a new one for the same task.
- ``apply_notice(...)`` (``notices``): a channel's signed notice, stored as a ``Callback``
  and applied at most once; ``mark_paid`` completes the 缴费 task and the workflow moves on.
- ``settle(order)``: the notice never came: ask the channel (``tasks.settle_due``).
- ``close_expired()``: an unpaid order past its time is closed at the channel; the case keeps
  waiting with a new order.

State rules: created → paying → paid | failed | closed; paid never goes back (only a refund,
``refunds``, makes it refunded). Every change is one transaction with its audit record.
"""

import contextlib
import datetime
import logging
import secrets
from http import HTTPStatus

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tongban.audit import services as audit
from tongban.cases.models import Case
from tongban.catalog.rules import fee_amount
from tongban.core import clock
from tongban.errors import Conflict, NotFound, TongbanError
from tongban.identity import access
from tongban.notify import services as notify
from tongban.payments.models import PaymentOrder
from tongban.payments.notices import SYSTEM, apply_notice, apply_state, complete_task
from tongban.payments.providers import registry
from tongban.payments.providers.base import OrderRequest, PermanentError, RetryableError
from tongban.payments.providers.channel_http import notify_url
from tongban.workflow import services as workflow
from tongban.workflow.models import Task

__all__ = [
    "ChannelUnavailable",
    "apply_notice",
    "close_expired",
    "open_order",
    "order_for",
    "order_for_user",
    "settle",
    "settle_due",
    "start_payment",
]

log = logging.getLogger("tongban.payments")
Status = PaymentOrder.Status
UNSETTLED = (Status.CREATED, Status.PAYING)
LIVE = PaymentOrder.LIVE


class ChannelUnavailable(TongbanError):
    code = "channel_unavailable"
    status = HTTPStatus.SERVICE_UNAVAILABLE
    message = "支付渠道暂不可用,请稍后再试"
    message_en = "The payment channel is unavailable; please try again later"


# --- opening an order --------------------------------------------------------------------


def fee_items(guide) -> list[dict]:
    """The guide's fee items as billed: amounts in fen."""
    items = []
    for entry in guide.fee_items or []:
        yuan = fee_amount(entry.get("amount"))
        if yuan is None:
            continue
        items.append(
            {
                "code": str(entry.get("code") or ""),
                "name": str(entry.get("name") or ""),
                "basis": str(entry.get("basis") or ""),
                "amount": int(yuan * 100),
            }
        )
    return items


def case_of(task: Task) -> Case | None:
    """The case a workflow task belongs to (its instance's subject ``cases.Case:<pk>``)."""
    label, _, pk = task.instance.subject.partition(":")
    if label != "cases.Case" or not pk.isdigit():
        return None
    return Case.objects.select_related("guide", "applicant", "department").filter(pk=pk).first()


def open_order(task: Task) -> PaymentOrder | None:
    """Bill the case of ``task`` (a ready 缴费 system task); its live order if it has one."""
    case = case_of(task)
    if case is None:
        log.warning("payments: task %s is not a case's task (%s)", task.pk, task.instance.subject)
        return None
    with transaction.atomic():
        live = PaymentOrder.objects.select_for_update().filter(case=case, status__in=LIVE).first()
        if live is not None:
            return _attach(live, task)
        items = fee_items(case.guide)
        if not items:
            # A process with a 缴费 step for a guide that bills nothing: nothing to wait for.
            log.warning("payments: case %s reached 缴费 but bills nothing", case.number)
            transaction.on_commit(lambda: _nothing_to_bill(task.pk))
            return None
        order = _create(case, task, items, provider=settings.PAYMENTS_PROVIDER)
        audit.record(
            SYSTEM,
            "payments.paymentorder.open",
            order,
            changes={"status": [None, order.status], "amount": [None, order.amount]},
            note=case.number,
        )
        _tell_due(order, case)
    return order


def _nothing_to_bill(task_pk: int) -> None:
    task = Task.objects.filter(pk=task_pk, status=Task.Status.READY).first()
    if task is not None:
        workflow.complete_system(task, system="payments", data={"paid": False, "amount": 0})


def _attach(live: PaymentOrder, task: Task) -> PaymentOrder:
    """The case came back to 缴费 (sent back and redone): the live order serves the new task;
    one already paid completes it once this transaction commits."""
    if live.task_id != task.pk:
        live.task = task
        live.save(update_fields=["task", "updated_at"])
    if live.status == Status.PAID:
        transaction.on_commit(lambda: complete_task(live.pk))
    return live


def _create(case: Case, task: Task | None, items: list[dict], *, provider: str) -> PaymentOrder:
    hours = datetime.timedelta(hours=settings.PAYMENTS_ORDER_HOURS)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return PaymentOrder.objects.create(
                    number=_new_number(),
                    case=case,
                    task=task,
                    department=case.department,
                    payer=case.applicant,
                    payer_name=_name(case.applicant),
                    amount=sum(item["amount"] for item in items),
                    items=items,
                    provider=provider,
                    expires_at=clock.now() + hours,
                )
        except IntegrityError as exc:
            if PaymentOrder.objects.filter(case=case, status__in=LIVE).exists():
                raise Conflict("该办件已有待缴费订单", "The case has a live order") from exc
    raise Conflict("缴费订单号生成失败,请重试", "Could not number the order; try again")


def _new_number() -> str:
    """缴费订单号: JF + date + 12 random digits (the channel's idempotency key)."""
    return f"JF{clock.today():%Y%m%d}{secrets.randbelow(10**12):012d}"


def _name(user) -> str:
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


def _tell_due(order: PaymentOrder, case: Case) -> None:
    notify.send(
        order.payer,
        "payments.due",
        {
            "办件编号": case.number,
            "事项名称": case.guide.name,
            "金额": order.yuan,
            "订单号": order.number,
            "缴费期限": f"{timezone.localtime(order.expires_at):%Y-%m-%d %H:%M}",
        },
        channels=["in_app"],
        idempotency_key=f"payments:{order.pk}:due",
        by=SYSTEM,
    )


# --- finding orders ------------------------------------------------------------------------


def order_for(case: Case) -> PaymentOrder | None:
    """The case's latest order (paid, waiting, or the last failed one)."""
    return PaymentOrder.objects.filter(case=case).order_by("-pk").first()


def order_for_user(user, number: str) -> PaymentOrder:
    """The order ``number`` if ``user`` may see it; ``NotFound`` otherwise."""
    order = (
        PaymentOrder.objects.select_related("case", "case__guide", "department")
        .filter(number=number)
        .first()
    )
    if order is None or not access.can(user, "payments.view", order):
        raise NotFound("没有这个缴费订单", "No such payment order")
    return order


def payable(order: PaymentOrder) -> bool:
    """Whether 去支付 makes sense: waiting, or failed/closed while the case still waits."""
    if order.status in UNSETTLED:
        return True
    if order.status in (Status.FAILED, Status.CLOSED) and order.task_id:
        return Task.objects.filter(pk=order.task_id, status=Task.Status.READY).exists()
    return False


# --- paying -------------------------------------------------------------------------------


def start_payment(order: PaymentOrder, *, by) -> PaymentOrder:
    """去支付: the order (or its successor) opened at the channel, status paying; its
    ``pay_url`` is where the person goes."""
    access.require(by, "payments.pay", order)
    order.refresh_from_db()
    if order.status in (Status.PAID, Status.REFUNDED):
        raise Conflict("该订单已缴费", "The order is paid already")
    if order.status in (Status.FAILED, Status.CLOSED) or _expired(order):
        order = _successor(order, by=by)
    if order.status == Status.PAYING and order.pay_url:
        return order
    provider = registry.get(order.provider)
    try:
        answer = provider.create_order(_request(order))
    except RetryableError as exc:
        log.warning("payments: channel %s unavailable opening %s: %s", order.provider, order, exc)
        raise ChannelUnavailable() from exc
    except PermanentError as exc:
        log.error("payments: channel %s refused %s: %s", order.provider, order, exc)
        raise Conflict("支付渠道拒绝了该订单,请联系窗口", "The channel refused the order") from exc
    with transaction.atomic():
        locked = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status == Status.CREATED:
            locked.status = Status.PAYING
            locked.channel_order_id = answer.channel_order_id
            locked.pay_code = answer.pay_code
            locked.pay_url = answer.pay_url
            locked.save()
            audit.record(
                by,
                "payments.paymentorder.start",
                locked,
                changes={
                    "status": [Status.CREATED, Status.PAYING],
                    "channel_order_id": [None, answer.channel_order_id],
                    "pay_code": [None, answer.pay_code],
                },
            )
    return locked


def _expired(order: PaymentOrder) -> bool:
    return (
        order.status == Status.CREATED
        and order.expires_at is not None
        and order.expires_at <= clock.now()
    )


def _request(order: PaymentOrder) -> OrderRequest:
    case = Case.objects.select_related("guide").get(pk=order.case_id)
    public = settings.PAYMENTS_PUBLIC_URL
    return OrderRequest(
        number=order.number,
        amount=order.amount,
        subject=f"{case.guide.name} {case.number}",
        payer_name=order.payer_name,
        department_code=order.department.code,
        items=[{k: i[k] for k in ("code", "name", "amount")} for i in order.items],
        notify_url=notify_url(order.provider),
        return_url=public + reverse("payments:return", args=[order.number]),
        expires_at=order.expires_at,
    )


def _successor(order: PaymentOrder, *, by) -> PaymentOrder:
    """A new order for the task a failed, closed or expired order was for."""
    with transaction.atomic():
        old = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if old.status == Status.CREATED:  # expired before it reached the channel
            _set_status(old, Status.CLOSED, by=by, note="缴费期限已过 / expired")
        if old.status not in (Status.FAILED, Status.CLOSED):
            return old
        task = Task.objects.filter(pk=old.task_id, status=Task.Status.READY).first()
        if task is None:
            raise Conflict("该办件当前无需缴费", "The case is not waiting for payment")
        case = Case.objects.select_related("department", "applicant").get(pk=old.case_id)
        new = _create(case, task, old.items, provider=settings.PAYMENTS_PROVIDER)
        audit.record(
            by,
            "payments.paymentorder.open",
            new,
            changes={"status": [None, new.status], "amount": [None, new.amount]},
            note=f"接续 {old.number}",
        )
    return new


def _set_status(order: PaymentOrder, status: str, *, by, note: str = "") -> None:
    before = order.status
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    audit.record(
        by, "payments.paymentorder.close", order, changes={"status": [before, status]}, note=note
    )


# --- settling without a notice ------------------------------------------------------------


def settle(order: PaymentOrder) -> str:
    """Ask the channel how ``order`` stands and apply it; the outcome (a Callback.Outcome
    value, or ``unavailable`` / ``refused`` when the channel did not answer)."""
    if not order.channel_order_id:
        return "not_at_channel"
    provider = registry.get(order.provider)
    try:
        state = provider.query(order.number)
    except RetryableError as exc:
        log.info("payments: query of %s deferred, channel unavailable: %s", order, exc)
        _queried(order)
        return "unavailable"
    except PermanentError as exc:
        log.warning("payments: channel refused the query of %s: %s", order, exc)
        _queried(order)
        return "refused"
    with transaction.atomic():
        locked = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        outcome, _note = apply_state(locked, state, sequence=0, source="query")
    _queried(order)
    return outcome


def _queried(order: PaymentOrder) -> None:
    PaymentOrder.objects.filter(pk=order.pk).update(last_queried_at=clock.now())


def settle_due(limit: int = 200) -> dict[str, int]:
    """Query the channel for orders paying longer than ``PAYMENTS_QUERY_AFTER_SECONDS``
    without news (and not queried for as long); stops at the first the channel cannot answer."""
    cutoff = clock.now() - datetime.timedelta(seconds=settings.PAYMENTS_QUERY_AFTER_SECONDS)
    due = PaymentOrder.objects.filter(status=Status.PAYING).filter(
        Q(last_queried_at__lt=cutoff) | Q(last_queried_at__isnull=True, updated_at__lt=cutoff)
    )
    counts: dict[str, int] = {}
    for order in due.order_by("pk")[:limit]:
        outcome = settle(order)
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == "unavailable":
            # The channel is away: the rest stay due for the next sweep instead of each
            # spending a time-out now and then waiting PAYMENTS_QUERY_AFTER_SECONDS more.
            break
    return counts


def close_expired(limit: int = 200) -> int:
    """Close orders past their time (at the channel first); a case still waiting gets a new
    order. The number closed."""
    closed = 0
    due = PaymentOrder.objects.filter(status__in=UNSETTLED, expires_at__lte=clock.now())
    for order in due.order_by("pk")[:limit]:
        if order.channel_order_id:
            try:
                state = registry.get(order.provider).close(order.number)
            except (RetryableError, PermanentError) as exc:
                log.info("payments: closing %s deferred: %s", order, exc)
                continue
            with transaction.atomic():
                locked = PaymentOrder.objects.select_for_update().get(pk=order.pk)
                apply_state(locked, state, sequence=0, source="close")
        else:
            with transaction.atomic():
                locked = PaymentOrder.objects.select_for_update().get(pk=order.pk)
                if locked.status == Status.CREATED:
                    _set_status(locked, Status.CLOSED, by=SYSTEM, note="缴费期限已过 / expired")
        order.refresh_from_db()
        if order.status == Status.CLOSED:
            closed += 1
            if payable(order):
                with contextlib.suppress(Conflict):
                    _successor(order, by=SYSTEM)
    return closed
