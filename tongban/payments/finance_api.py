"""The finance API operations (reconciliation, refunds), mounted by ``payments.api`` under
/api/v1/payments.

Signed-in staff (``UserAuth``: a TOTP-verified session or a platform bearer token); the rules
are in ``finance_rules``: finance staff run and read reconciliations, resolve discrepancies
and decide refunds; supervisors read; department staff ask for refunds of their department's
orders. Amounts are fen (分). A reconciliation's ``number`` is its id.
"""

import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema

from tongban.errors import InvalidInput, NotFound
from tongban.identity import access
from tongban.identity.apiauth import UserAuth
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor
from tongban.payments import (
    finance_rules,  # noqa: F401  (registers the rules)
    reconciliation,
    refunds,
)
from tongban.payments.models import Discrepancy, PaymentOrder, Refund
from tongban.payments.providers.base import ChannelError

router = Router(tags=["payments"], auth=UserAuth())


class FinanceQuery(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class RefundQuery(FinanceQuery):
    status: Refund.Status | None = Field(None, description="requested 待审批 …")


class ReconciliationSummary(Schema):
    number: str = Field(description="对账记录编号")
    provider: str
    date: datetime.date
    status: str = Field(description="balanced 账务相符,discrepant 存在差错")
    matched_count: int
    matched_amount: int = Field(description="平账净额(分,缴费减退款)")
    platform_count: int
    platform_amount: int
    channel_count: int
    channel_amount: int
    statement_sha256: str
    run_by: str
    created_at: datetime.datetime


class ReconciliationPage(Schema):
    results: list[ReconciliationSummary]
    next_cursor: str | None


class DiscrepancyOut(Schema):
    id: int
    kind: str = Field(
        description="missing_on_platform 长款,missing_on_channel 短款,"
        "amount_mismatch 金额不符,status_mismatch 状态不符"
    )
    order_number: str
    channel_order_id: str
    platform_amount: int | None
    channel_amount: int | None
    note: str
    resolved: bool
    resolution: str
    resolved_at: datetime.datetime | None


class ReconciliationOut(ReconciliationSummary):
    discrepancies: list[DiscrepancyOut]


class ReconcileIn(Schema):
    date: datetime.date = Field(description="对账日期(北京时间)")
    provider: str | None = Field(None, max_length=32, description="支付渠道,默认当前渠道")


class ResolveIn(Schema):
    discrepancy: int = Field(description="差错 id")
    resolution: str = Field(max_length=300, description="处理说明")


class RefundIn(Schema):
    order_number: str = Field(max_length=32, description="缴费订单号")
    amount: int = Field(description="退费金额(分)")
    reason: str = Field(max_length=300, description="退费原因")


class DecisionIn(Schema):
    decision: Literal["approve", "reject"]
    note: str = Field("", max_length=300, description="审批意见(驳回必填)")


class RefundOut(Schema):
    number: str = Field(description="退费单号")
    order_number: str
    case_number: str
    amount: int
    reason: str
    status: str = Field(
        description="requested 待审批,approved 已批准退款中,refunded 已退款,"
        "rejected 已驳回,failed 退款失败"
    )
    requested_by: str
    decided_by: str | None
    decision_note: str
    failure_reason: str
    created_at: datetime.datetime
    decided_at: datetime.datetime | None
    completed_at: datetime.datetime | None


class RefundPage(Schema):
    results: list[RefundOut]
    next_cursor: str | None


# --- reconciliations ---------------------------------------------------------------------


@router.get("/reconciliations", response=ReconciliationPage, summary="对账记录(最新在前)")
def list_reconciliations(request, query: Query[FinanceQuery]):
    rows = reconciliation.runs(request.auth).select_related("statement")
    found, next_cursor = _newest_first(rows, query)
    return {"results": [_summary(run) for run in found], "next_cursor": next_cursor}


@router.post("/reconciliations", response={201: ReconciliationOut}, summary="按日对账")
def run_reconciliation(request, payload: ReconcileIn):
    from django.conf import settings

    access.require(request.auth, "payments.reconciliation.run")
    provider = payload.provider or settings.PAYMENTS_PROVIDER
    if provider not in settings.PAYMENTS_PROVIDERS:
        raise InvalidInput(fields={"provider": ["未知的支付渠道 / Unknown provider"]})
    try:
        run = reconciliation.reconcile(provider, payload.date, by=request.auth)
    except ChannelError as exc:
        from tongban.payments.services import ChannelUnavailable

        raise ChannelUnavailable() from exc
    return 201, _detail(run)


@router.get("/reconciliations/{number}", response=ReconciliationOut, summary="对账报告")
def get_reconciliation(request, number: str):
    return _detail(reconciliation.get(request.auth, number))


@router.post(
    "/reconciliations/{number}/resolutions", response=DiscrepancyOut, summary="处理对账差错"
)
def resolve_discrepancy(request, number: str, payload: ResolveIn):
    access.require(request.auth, "payments.discrepancy.resolve")
    run = reconciliation.get(request.auth, number)
    item = Discrepancy.objects.filter(reconciliation=run, pk=payload.discrepancy).first()
    if item is None:
        raise NotFound("该对账记录没有这条差错", "No such discrepancy in this reconciliation")
    return reconciliation.resolve(item, by=request.auth, resolution=payload.resolution)


# --- refunds --------------------------------------------------------------------------------


@router.get("/refunds", response=RefundPage, summary="退费单(最新在前)")
def list_refunds(request, query: Query[RefundQuery]):
    rows = access.scope(request.auth, "payments.refund.view", Refund.objects.all())
    if query.status:
        rows = rows.filter(status=query.status)
    rows = rows.select_related("order", "order__case", "requested_by", "decided_by")
    found, next_cursor = _newest_first(rows, query)
    return {"results": [_refund(r) for r in found], "next_cursor": next_cursor}


@router.post("/refunds", response={201: RefundOut}, summary="申请退费(执收单位工作人员)")
def request_refund(request, payload: RefundIn):
    access.require(request.auth, "payments.refund.request")
    order = PaymentOrder.objects.filter(number=payload.order_number).first()
    if order is None or not access.can(request.auth, "payments.refund.request", order):
        raise NotFound("没有这个缴费订单", "No such payment order")
    refund = refunds.request_refund(
        order, amount=payload.amount, reason=payload.reason, by=request.auth
    )
    return 201, _refund(refunds.get(request.auth, refund.number))


@router.get("/refunds/{number}", response=RefundOut, summary="退费单详情")
def get_refund(request, number: str):
    return _refund(refunds.get(request.auth, number))


@router.post("/refunds/{number}/decision", response=RefundOut, summary="审批退费(财务人员)")
def decide_refund(request, number: str, payload: DecisionIn):
    access.require(request.auth, "payments.refund.decide")
    refund = refunds.get(request.auth, number, "payments.refund.decide")
    if payload.decision == "approve":
        refunds.approve(refund, by=request.auth, note=payload.note)
    else:
        refunds.reject(refund, by=request.auth, note=payload.note)
    return _refund(refunds.get(request.auth, number, "payments.refund.decide"))


# --- helpers -------------------------------------------------------------------------------


def _newest_first(rows, query: FinanceQuery):
    """Keyset pages by descending id (``pagination.page`` pages ascending keys only)."""
    rows = rows.order_by("-pk")
    if query.cursor:
        (last,) = decode_cursor(query.cursor, 1)
        if not isinstance(last, int):
            raise InvalidInput(fields={"cursor": ["分页标记无效 / Invalid cursor"]})
        rows = rows.filter(pk__lt=last)
    found = list(rows[: query.limit + 1])
    if len(found) <= query.limit:
        return found, None
    found = found[: query.limit]
    return found, encode_cursor([found[-1].pk])


def _summary(run) -> dict:
    return {
        "number": str(run.pk),
        "provider": run.provider,
        "date": run.date,
        "status": run.status,
        "matched_count": run.matched_count,
        "matched_amount": run.matched_amount,
        "platform_count": run.platform_count,
        "platform_amount": run.platform_amount,
        "channel_count": run.channel_count,
        "channel_amount": run.channel_amount,
        "statement_sha256": run.statement.sha256,
        "run_by": run.run_by,
        "created_at": run.created_at,
    }


def _detail(run) -> dict:
    return {**_summary(run), "discrepancies": list(reconciliation.discrepancies(run))}


def _refund(refund) -> dict:
    return {
        "number": refund.number,
        "order_number": refund.order.number,
        "case_number": refund.order.case.number,
        "amount": refund.amount,
        "reason": refund.reason,
        "status": refund.status,
        "requested_by": refund.requested_by.get_username(),
        "decided_by": refund.decided_by.get_username() if refund.decided_by else None,
        "decision_note": refund.decision_note,
        "failure_reason": refund.failure_reason,
        "created_at": refund.created_at,
        "decided_at": refund.decided_at,
        "completed_at": refund.completed_at,
    }
