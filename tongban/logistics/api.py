"""The logistics API under /api/v1/logistics (mounted in ``tongban/api.py``).

A signed-in account (``UserAuth``): an applicant sees the waybills of their own cases and
books collections for them; staff see their department's waybills (supervisors and finance
staff: all) and clerks book collections for their department's cases. A waybill outside
the caller's reach is a 404.
"""

import datetime

from ninja import Field, Query, Router, Schema, Status

from tongban.cases.models import Case
from tongban.errors import NotFound, PermissionDenied
from tongban.identity import access
from tongban.identity.apiauth import UserAuth
from tongban.logistics import addresses, services
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = Router(tags=["logistics"], auth=UserAuth())


class WaybillQuery(Schema):
    status: str = Field("", max_length=20, description="运单状态,如 in_transit")
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class WaybillSummary(Schema):
    reference: str = Field(description="本平台运单参考号")
    number: str = Field(description="快递运单号(下单后才有)")
    provider: str
    kind: str = Field(description="delivery 结果送达,collection 上门收件")
    case_number: str
    status: str
    status_label: str
    recipient: str = Field(description="收件人(脱敏)")
    cost_fen: int | None = Field(description="运费(分)")
    paid_by: str = Field(description="county 县财政承担,applicant 申请人承担")
    booked_at: datetime.datetime | None
    delivered_at: datetime.datetime | None


class WaybillPage(Schema):
    results: list[WaybillSummary]
    next_cursor: str | None


class EventOut(Schema):
    sequence: int
    code: str
    description: str
    location: str
    at: datetime.datetime


class WaybillOut(WaybillSummary):
    pickup_start: datetime.datetime | None
    pickup_end: datetime.datetime | None
    events: list[EventOut] = Field(description="物流轨迹,最新在前")


class CollectionIn(Schema):
    case_number: str = Field(max_length=32, description="办件编号")
    name: str = Field(max_length=30, description="寄件人姓名")
    phone: str = Field(max_length=20, description="手机号码")
    province: str = Field(max_length=20)
    city: str = Field(max_length=20)
    county: str = Field(max_length=20)
    detail: str = Field(max_length=120, description="详细地址:镇(街道)、村(小区)、门牌号")
    start: datetime.datetime = Field(description="上门时间段起(带时区)")
    end: datetime.datetime = Field(description="上门时间段止(带时区)")


def _summary(waybill) -> dict:
    return {
        "reference": waybill.reference,
        "number": waybill.number,
        "provider": waybill.provider,
        "kind": waybill.kind,
        "case_number": waybill.case.number,
        "status": waybill.status,
        "status_label": waybill.get_status_display(),
        "recipient": waybill.masked_recipient(),
        "cost_fen": waybill.cost_fen,
        "paid_by": waybill.paid_by,
        "booked_at": waybill.booked_at,
        "delivered_at": waybill.delivered_at,
    }


def _detail(waybill) -> dict:
    return {
        **_summary(waybill),
        "pickup_start": waybill.pickup_start,
        "pickup_end": waybill.pickup_end,
        "events": services.events_of(waybill),
    }


@router.get("/waybills", response=WaybillPage, summary="我的运单 / 本部门运单")
def list_waybills(request, query: Query[WaybillQuery]):
    user = request.auth
    if user.kind == user.Kind.STAFF and not access.can(user, "logistics.view"):
        raise PermissionDenied()
    rows, cursor = services.list_waybills(
        user, status=query.status, cursor=query.cursor, limit=query.limit
    )
    return {"results": [_summary(row) for row in rows], "next_cursor": cursor}


@router.get("/waybills/{number}", response=WaybillOut, summary="运单详情与物流轨迹")
def get_waybill(request, number: str):
    return _detail(services.waybill_for(request.auth, number))


@router.post("/collections", response={201: WaybillOut}, summary="预约上门收件")
def book_collection(request, payload: CollectionIn):
    case = Case.objects.filter(number=payload.case_number).first()
    if case is None:
        raise NotFound("未找到该办件", "No such case")
    waybill = services.book_collection(
        case,
        name=payload.name,
        phone=payload.phone,
        address=addresses.Address(payload.province, payload.city, payload.county, payload.detail),
        start=payload.start,
        end=payload.end,
        by=request.auth,
    )
    return Status(201, _detail(waybill))
