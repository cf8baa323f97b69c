"""对账: one channel's day, the platform's books against the channel's statement file.

``reconcile(provider, date, by=...)`` downloads the day's statement (kept as ``Statement``
with its SHA-256; a re-run of the same day updates it and says so in the audit log), then
compares, by order number, the platform's payments of the day (``paid_at`` on that date in
Beijing time) and refunds completed that day with the statement's lines:

- 平账 matched: on both sides, the same amount;
- 长款 ``MISSING_ON_PLATFORM``: the channel has it, the platform has no payment of the day.
  When the platform's order is still unpaid (its callback never arrived) it is settled by
  asking the channel (``services.settle``) — an approved refund whose notice never came is
  completed — and the discrepancy is recorded as resolved by the system;
- 短款 ``MISSING_ON_CHANNEL``: the platform has it, the channel's statement does not;
- ``AMOUNT_MISMATCH``: both have it, amounts differ;
- ``STATUS_MISMATCH``: the channel has it but the platform's order is failed or closed, or
  was paid or refunded on another day.

Each run is one ``Reconciliation`` row (counts and net sums: payments less refunds) and its
``Discrepancy`` rows; finance staff ``resolve`` each with a note. A day of 10,000 orders is a
handful of queries (bench/payments_finance_bench.py).
"""

import datetime
import hashlib
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction

from tongban.audit import services as audit
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput, NotFound
from tongban.identity import access
from tongban.payments import refunds
from tongban.payments.models import (
    Discrepancy,
    PaymentOrder,
    Reconciliation,
    Refund,
    Statement,
)
from tongban.payments.providers.base import ChannelError, StatementLine

log = logging.getLogger(__name__)
BEIJING = ZoneInfo("Asia/Shanghai")
SYSTEM = "system:payments"
Kind = Discrepancy.Kind
OrderStatus = PaymentOrder.Status
UNPAID = (OrderStatus.CREATED, OrderStatus.PAYING)


def day_bounds(date: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The day in Beijing time, as aware datetimes [start, end)."""
    start = datetime.datetime.combine(date, datetime.time.min, tzinfo=BEIJING)
    return start, start + datetime.timedelta(days=1)


def yesterday() -> datetime.date:
    return clock.now().astimezone(BEIJING).date() - datetime.timedelta(days=1)


@dataclass
class _Tally:
    """What one run found, before it is stored."""

    matched_count: int = 0
    matched_amount: int = 0
    platform_count: int = 0
    platform_amount: int = 0
    channel_count: int = 0
    channel_amount: int = 0
    discrepancies: list[Discrepancy] = field(default_factory=list)

    def add(self, kind: str, **fields) -> None:
        self.discrepancies.append(Discrepancy(kind=kind, **fields))


def reconcile(provider_name: str, date: datetime.date, *, by) -> Reconciliation:
    """Reconcile ``provider_name``'s ``date``; ``by`` is finance staff or a system string."""
    if not isinstance(by, str):
        access.require(by, "payments.reconciliation.run")
    if date >= clock.now().astimezone(BEIJING).date():
        raise InvalidInput(
            fields={
                "date": ["只能对已结束的日期对账 / Only a day that has ended can be reconciled"]
            }
        )
    provider = refunds.channel(provider_name)
    text, lines = provider.statement(date)
    payments = {line.number: line for line in lines if line.kind == "payment"}
    refund_lines = {line.refund_number: line for line in lines if line.kind == "refund"}
    settled = _settle_missing(provider_name, date, payments, refund_lines)
    actor = by if isinstance(by, str) else by.get_username()
    with transaction.atomic():
        statement = _keep_statement(provider_name, date, text, by=by)
        tally = _Tally(
            channel_count=len(payments) + len(refund_lines),
            channel_amount=sum(line.amount for line in payments.values())
            - sum(line.amount for line in refund_lines.values()),
        )
        _compare_payments(provider_name, date, payments, settled, tally)
        _compare_refunds(provider_name, date, refund_lines, settled, tally)
        run = Reconciliation.objects.create(
            provider=provider_name,
            date=date,
            statement=statement,
            status=(
                Reconciliation.Status.DISCREPANT
                if tally.discrepancies
                else Reconciliation.Status.BALANCED
            ),
            matched_count=tally.matched_count,
            matched_amount=tally.matched_amount,
            platform_count=tally.platform_count,
            platform_amount=tally.platform_amount,
            channel_count=tally.channel_count,
            channel_amount=tally.channel_amount,
            run_by=actor[:100],
        )
        now = clock.now()
        for item in tally.discrepancies:
            item.reconciliation = run
            if item.resolved:
                item.resolved_at = now
        Discrepancy.objects.bulk_create(tally.discrepancies, batch_size=1000)
        audit.record(
            by,
            "payments.reconciliation.run",
            run,
            changes={
                "status": [None, run.status],
                "matched_count": [None, run.matched_count],
                "discrepancies": [None, len(tally.discrepancies)],
            },
            note=f"{provider_name} {date.isoformat()}",
        )
    return run


def _keep_statement(provider_name, date, text: str, *, by) -> Statement:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    statement = (
        Statement.objects.select_for_update().filter(provider=provider_name, date=date).first()
    )
    if statement is None:
        statement = Statement.objects.create(
            provider=provider_name, date=date, content=text, sha256=digest
        )
        audit.record(
            by, "payments.statement.download", statement, changes={"sha256": [None, digest]}
        )
    elif statement.sha256 != digest:
        # The channel re-issued the day's file: the new one replaces it, the change recorded.
        before = statement.sha256
        statement.content, statement.sha256 = text, digest
        statement.downloaded_at = clock.now()
        statement.save(update_fields=["content", "sha256", "downloaded_at"])
        audit.record(
            by,
            "payments.statement.replace",
            statement,
            changes={"sha256": [before, digest]},
            note="渠道对账单内容已变化,按新下载的对账单重新对账",
        )
    return statement


def _settle_missing(provider_name, date, payments, refund_lines) -> dict[str, str]:
    """Settle what the channel has and the platform has not yet heard of: unpaid orders (the
    callback never came) and approved refunds (no notice). Number → what was done."""
    start, end = day_bounds(date)
    known = set(
        PaymentOrder.objects.filter(
            provider=provider_name, paid_at__gte=start, paid_at__lt=end
        ).values_list("number", flat=True)
    )
    settled: dict[str, str] = {}
    unpaid = PaymentOrder.objects.filter(
        provider=provider_name,
        number__in=[n for n in payments if n not in known],
        status__in=UNPAID,
    )
    for order in unpaid:
        if _settle(order):
            settled[order.number] = "settled"
        else:
            settled[order.number] = "unsettled"
    waiting = Refund.objects.filter(
        order__provider=provider_name,
        number__in=list(refund_lines),
        status=Refund.Status.APPROVED,
    ).select_related("order")
    for refund in waiting:
        line = refund_lines[refund.number]
        if line.amount == refund.amount and refunds.complete_from_statement(
            refund, channel_refund_id=""
        ):
            settled[refund.number] = "settled"
        else:
            settled[refund.number] = "unsettled"
    return settled


def _settle(order: PaymentOrder) -> bool:
    """Ask the channel about an order and apply its answer (``payments.services.settle``)."""
    try:
        from tongban.payments import services
    except ImportError:
        return False
    settle = getattr(services, "settle", None)
    if settle is None:
        return False
    try:
        settle(order)
    except ChannelError as exc:
        log.warning("reconciliation: settling %s failed: %s", order.number, exc)
        return False
    status = PaymentOrder.objects.filter(pk=order.pk).values_list("status", flat=True).first()
    return status == OrderStatus.PAID


def _compare_payments(provider_name, date, payments: dict, settled: dict, tally: _Tally):
    start, end = day_bounds(date)
    rows = PaymentOrder.objects.filter(
        provider=provider_name, paid_at__gte=start, paid_at__lt=end
    ).values_list("id", "number", "channel_order_id", "paid_amount")
    seen = set()
    for order_id, number, channel_order_id, paid in rows.iterator(chunk_size=5000):
        paid = paid or 0
        seen.add(number)
        tally.platform_count += 1
        tally.platform_amount += paid
        line = payments.get(number)
        if line is None:
            tally.add(
                Kind.MISSING_ON_CHANNEL,
                order_id=order_id,
                order_number=number,
                channel_order_id=channel_order_id,
                platform_amount=paid,
                note="平台已到账,渠道对账单无此笔",
            )
        elif line.amount != paid:
            tally.add(
                Kind.AMOUNT_MISMATCH,
                order_id=order_id,
                order_number=number,
                channel_order_id=line.channel_order_id or channel_order_id,
                platform_amount=paid,
                channel_amount=line.amount,
                note=f"平台实缴 {refunds.yuan(paid)} 元,渠道 {refunds.yuan(line.amount)} 元",
            )
        elif settled.get(number) == "settled":
            tally.matched_count += 1
            tally.matched_amount += paid
            tally.add(
                Kind.MISSING_ON_PLATFORM,
                order_id=order_id,
                order_number=number,
                channel_order_id=line.channel_order_id,
                platform_amount=paid,
                channel_amount=line.amount,
                note="未收到渠道回调,对账时已向渠道查询并补记到账",
                resolved=True,
                resolution="系统已补记到账 / settled by querying the channel",
            )
        else:
            tally.matched_count += 1
            tally.matched_amount += paid
    _channel_only(
        [line for number, line in payments.items() if number not in seen],
        PaymentOrder.objects.filter(provider=provider_name),
        "number",
        tally,
        describe=_describe_order,
        settled=settled,
    )


def _compare_refunds(provider_name, date, refund_lines: dict, settled: dict, tally: _Tally):
    start, end = day_bounds(date)
    rows = Refund.objects.filter(
        order__provider=provider_name,
        status=Refund.Status.REFUNDED,
        completed_at__gte=start,
        completed_at__lt=end,
    ).values_list("number", "amount", "order_id", "order__number", "order__channel_order_id")
    seen = set()
    for number, amount, order_id, order_number, channel_order_id in rows.iterator(chunk_size=5000):
        seen.add(number)
        tally.platform_count += 1
        tally.platform_amount -= amount
        line = refund_lines.get(number)
        common = {
            "order_id": order_id,
            "order_number": order_number,
            "channel_order_id": channel_order_id,
            "platform_amount": -amount,
        }
        if line is None:
            tally.add(
                Kind.MISSING_ON_CHANNEL,
                **common,
                note=f"平台已退款(退费单 {number}),渠道对账单无此笔",
            )
        elif line.amount != amount:
            tally.add(
                Kind.AMOUNT_MISMATCH,
                **common,
                channel_amount=-line.amount,
                note=f"退费单 {number}:平台退 {refunds.yuan(amount)} 元,"
                f"渠道 {refunds.yuan(line.amount)} 元",
            )
        else:
            tally.matched_count += 1
            tally.matched_amount -= amount
            if settled.get(number) == "settled":
                tally.add(
                    Kind.MISSING_ON_PLATFORM,
                    **common,
                    channel_amount=-line.amount,
                    note=f"未收到退款通知(退费单 {number}),按对账单补记退款完成",
                    resolved=True,
                    resolution="系统已补记退款 / refund completed from the statement",
                )
    _channel_only(
        [line for number, line in refund_lines.items() if number not in seen],
        Refund.objects.filter(order__provider=provider_name).select_related("order"),
        "number",
        tally,
        describe=_describe_refund,
        settled=settled,
    )


def _channel_only(
    lines: list[StatementLine], queryset, key: str, tally: _Tally, *, describe, settled: dict
):
    """Lines the platform has no entry of that day for: looked up in one query. One settled
    just now (at today's time, not the statement's day) is recorded as resolved."""
    if not lines:
        return
    numbers = [line.refund_number if line.kind == "refund" else line.number for line in lines]
    found = {getattr(obj, key): obj for obj in queryset.filter(**{f"{key}__in": numbers})}
    for line, number in zip(lines, numbers, strict=True):
        sign = -1 if line.kind == "refund" else 1
        obj = found.get(number)
        kind, note, order = describe(obj, line)
        extra = {}
        if settled.get(number) == "settled":
            kind, note = Kind.MISSING_ON_PLATFORM, "未收到渠道通知,对账时已向渠道查询并补记"
            extra = {"resolved": True, "resolution": "系统已补记 / settled by the system"}
        tally.add(
            kind,
            order=order,
            order_number=line.number,
            channel_order_id=line.channel_order_id,
            channel_amount=sign * line.amount,
            note=note,
            **extra,
        )


def _describe_order(order, line):
    if order is None:
        return Kind.MISSING_ON_PLATFORM, "渠道有此笔缴款,平台无此订单", None
    if order.status in UNPAID:
        return (
            Kind.MISSING_ON_PLATFORM,
            f"渠道已收款,平台订单仍为“{order.get_status_display()}”(未收到回调,查询渠道未能补记)",
            order,
        )
    if order.paid_at:
        day = order.paid_at.astimezone(BEIJING).date().isoformat()
        return Kind.STATUS_MISMATCH, f"平台到账日期为 {day},与渠道对账日不同", order
    return (
        Kind.STATUS_MISMATCH,
        f"渠道已收款,平台订单状态为“{order.get_status_display()}”",
        order,
    )


def _describe_refund(refund, line):
    if refund is None:
        return (
            Kind.MISSING_ON_PLATFORM,
            f"渠道有退款(退费单 {line.refund_number}),平台无此退费单",
            None,
        )
    if refund.status == Refund.Status.REFUNDED and refund.completed_at:
        day = refund.completed_at.astimezone(BEIJING).date().isoformat()
        note = f"退费单 {refund.number} 平台退款日期为 {day},与渠道对账日不同"
        return Kind.STATUS_MISMATCH, note, refund.order
    return (
        Kind.STATUS_MISMATCH,
        f"渠道已退款,平台退费单 {refund.number} 状态为“{refund.get_status_display()}”",
        refund.order,
    )


# --- reading and resolving --------------------------------------------------------------


def get(user, number) -> Reconciliation:
    """A reconciliation by its number (its id) for someone who may read them."""
    access.require(user, "payments.reconciliation.view")
    try:
        pk = int(str(number))
    except ValueError as exc:
        raise NotFound("没有这条对账记录", "No such reconciliation") from exc
    run = Reconciliation.objects.select_related("statement").filter(pk=pk).first()
    if run is None:
        raise NotFound("没有这条对账记录", "No such reconciliation")
    return run


def runs(user):
    """Every reconciliation, newest day first (finance staff and supervisors)."""
    access.require(user, "payments.reconciliation.view")
    return Reconciliation.objects.all()


def discrepancies(run: Reconciliation):
    return run.discrepancies.select_related("resolved_by").order_by("pk")


def resolve(discrepancy: Discrepancy, *, by, resolution: str) -> Discrepancy:
    """Finance staff close a discrepancy with what was done about it."""
    access.require(by, "payments.discrepancy.resolve", discrepancy)
    resolution = (resolution or "").strip()
    if not resolution:
        raise InvalidInput(fields={"resolution": ["请填写处理说明 / Say how it was resolved"]})
    if len(resolution) > 300:
        raise InvalidInput(fields={"resolution": ["处理说明不超过300字 / At most 300 characters"]})
    with transaction.atomic():
        locked = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
        if locked.resolved:
            raise Conflict("该差错已处理", "This discrepancy is already resolved")
        locked.resolved, locked.resolved_by, locked.resolved_at = True, by, clock.now()
        locked.resolution = resolution
        locked.save(update_fields=["resolved", "resolved_by", "resolved_at", "resolution"])
        audit.record(
            by,
            "payments.discrepancy.resolve",
            locked,
            changes={"resolved": [False, True]},
            note=resolution,
        )
    return locked
