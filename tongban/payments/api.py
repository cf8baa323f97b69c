"""The payments API under /api/v1/payments (provincial apps; docs/payments.md).

A signed-in person (``UserAuth``: session, or the platform's OIDC access token) lists their
own payment orders, reads one and starts paying it (the channel's pay page URL). Orders of
others answer 404. The finance operations (``finance_api``) are mounted here too.
"""

import datetime

from ninja import Field, Query, Router, Schema

from tongban.identity.apiauth import UserAuth
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor
from tongban.payments import finance_api, services
from tongban.payments.models import PaymentOrder

router = Router(tags=["payments"])
router.add_router("", finance_api.router)


class FeeItemOut(Schema):
    code: str
    name: str
    basis: str = ""
    amount: int = Field(description="金额(分)")


class OrderOut(Schema):
    number: str = Field(description="缴费订单号")
    case_number: str = Field(description="办件编号")
    item_name: str = Field(description="事项名称")
    status: str = Field(description="created、paying、paid、failed、refunded、closed")
    status_label: str
    amount: int = Field(description="应缴金额(分)")
    yuan: str = Field(description="应缴金额(元)")
    items: list[FeeItemOut]
    pay_code: str = Field(description="缴款码(开单后)")
    paid_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    created_at: datetime.datetime


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None


class OrdersQuery(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class PayOut(Schema):
    number: str = Field(description="缴费订单号(失败或过期后为新订单号)")
    status: str
    pay_url: str = Field(description="渠道支付页面,引导缴款人打开")


def _out(order: PaymentOrder) -> dict:
    return {
        "number": order.number,
        "case_number": order.case.number,
        "item_name": order.case.guide.name,
        "status": order.status,
        "status_label": order.get_status_display(),
        "amount": order.amount,
        "yuan": order.yuan,
        "items": order.items,
        "pay_code": order.pay_code,
        "paid_at": order.paid_at,
        "expires_at": order.expires_at,
        "created_at": order.created_at,
    }


@router.get("/orders", response=OrderPage, auth=UserAuth(), summary="我的缴费订单")
def list_orders(request, query: Query[OrdersQuery]):
    rows = PaymentOrder.objects.filter(payer=request.user).select_related("case__guide")
    if query.cursor:
        rows = rows.filter(pk__lt=decode_cursor(query.cursor, 1)[0])
    found = list(rows.order_by("-pk")[: query.limit + 1])
    more = len(found) > query.limit
    found = found[: query.limit]
    cursor = encode_cursor([found[-1].pk]) if more else None
    return {"items": [_out(order) for order in found], "next_cursor": cursor}


@router.get("/orders/{number}", response=OrderOut, auth=UserAuth(), summary="缴费订单详情")
def get_order(request, number: str):
    return _out(services.order_for_user(request.user, number))


@router.post("/orders/{number}/pay", response=PayOut, auth=UserAuth(), summary="去支付")
def pay_order(request, number: str):
    order = services.start_payment(services.order_for_user(request.user, number), by=request.user)
    return {"number": order.number, "status": order.status, "pay_url": order.pay_url}
