"""The public working-day calendar (``GET /api/v1/calendar/due-date``, ``router``) and the
applicant's cases (``cases_router``, /api/v1/cases: docs/apply.md).

Anonymous. The same code the cases use (``workdays.due``). A due date reached through a
year whose holiday schedule is neither in chinese-calendar nor entered by an administrator
comes back flagged: ``provisional: true`` and the years in ``unknown_years`` (counted Monday
to Friday there), never silently.
"""

import base64
import binascii
import datetime
import json
from typing import Literal

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.utils import validate_file_name
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import field_validator

from tongban.cases import intake, receipts, tracking, workdays
from tongban.cases.models import Case, Channel
from tongban.errors import InvalidInput
from tongban.gateway.idempotency import idempotent
from tongban.identity.apiauth import UserAuth
from tongban.identity.enterprises import acting_enterprise
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor

router = Router(tags=["calendar"])


class DueDateIn(Schema):
    start: datetime.date = Field(description="受理日期 YYYY-MM-DD(当天不计入)")
    working_days: int = Field(ge=0, le=workdays.MAX_WORKING_DAYS, description="工作日数")


class DueDateOut(Schema):
    due: datetime.date
    provisional: bool = Field(description="是否跨入节假日安排未知的年份(仅按周末推算)")
    unknown_years: list[int]


@router.get("/due-date", response=DueDateOut, auth=None, summary="按工作日计算办结日期")
def due_date(request, query: Query[DueDateIn]):
    found = workdays.due(query.start, query.working_days)
    return {
        "due": found.date,
        "provisional": found.provisional,
        "unknown_years": list(found.unknown_years),
    }


# --- cases: the applicant's side (docs/apply.md) --------------------------------------------

cases_router = Router(tags=["cases"], auth=UserAuth())


class FileIn(Schema):
    name: str = Field(max_length=200, description="文件名")
    content_type: str = Field(description="application/pdf、image/jpeg、image/png、application/ofd")
    content_base64: str = Field(description="文件内容(Base64)")

    @field_validator("name")
    @classmethod
    def _a_file_name(cls, name: str) -> str:
        """Django derives the stored name from it: "", "a/" or ".." leave none (was a 500)."""
        try:
            validate_file_name(name)
        except SuspiciousFileOperation:
            raise ValueError("文件名无效 / not a file name") from None
        return name


class ReferenceIn(Schema):
    source: str = Field(
        description=(
            "registry.person、registry.entity、license、bundle 或 case(复用本人以前提交过的材料)"
        )
    )
    id: str = Field(max_length=100)


class MaterialIn(Schema):
    spec: int | None = Field(None, description="办事指南所列材料的编号")
    name: str | None = Field(None, max_length=200, description="材料名称(不属于所列材料时)")
    file: FileIn | None = None
    reference: ReferenceIn | None = None


class CaseIn(Schema):
    item_code: str = Field(max_length=64, description="事项实施编码")
    form_data: dict = Field(default_factory=dict, description="申请表内容(按表单定义)")
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50)
    delivery: str = Field(
        "", description="结果送达方式:window 窗口领取(默认)、post 邮寄、electronic 电子送达"
    )
    delivery_address: str = Field("", max_length=200, description="邮寄地址(邮寄时必填)")
    channel: Literal["web", "mobile"] = Field(
        "web", description="申请渠道:web 网上办理(默认)、mobile 移动端(省级移动端 App 等)"
    )


class CaseEventOut(Schema):
    at: datetime.datetime
    action: str
    status: str


class CaseMaterialOut(Schema):
    name: str
    source: str
    round: int
    sha256: str
    superseded: bool


class SupplementItemOut(Schema):
    material_id: int | None
    name: str
    reason: str


class SupplementOut(Schema):
    items: list[SupplementItemOut]
    notice: str
    answered: bool


class CaseSummaryOut(Schema):
    number: str
    item_code: str
    item_name: str
    status: str
    status_label: str
    submitted_at: datetime.datetime | None
    promised_due: datetime.date | None


class CaseOut(CaseSummaryOut):
    department: str
    applicant: str
    enterprise: str | None
    channel: str
    round: int
    delivery: str
    result_type: str
    accepted_on: datetime.date | None
    days_left: int | None
    form_data: dict
    materials: list[CaseMaterialOut]
    supplement: SupplementOut | None
    history: list[CaseEventOut]
    receipt_url: str | None


class CasePage(Schema):
    items: list[CaseSummaryOut]
    next_cursor: str | None


class CasesQuery(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@cases_router.post(
    "",
    response={200: CaseOut, 201: CaseOut},
    summary="在线申请(提交办件)",
    description="材料以 Base64 内联在请求中(整个请求不超过 2.5 MB);同一幂等键重发返回首次的办件"
    "(200,首次为 201)。/ Materials inline as Base64; a retried Idempotency-Key returns the "
    "first case with 200.",
)
def create_case(request, payload: CaseIn, idempotency_key: Header[str | None] = None):
    def create():
        case = intake.submit(
            user=request.auth,
            item_code=payload.item_code,
            form_data=payload.form_data,
            materials=_materials(payload.materials),
            channel=Channel(payload.channel),
            enterprise=acting_enterprise(request),
            idempotency_key=idempotency_key,
            delivery=payload.delivery,
            delivery_address=payload.delivery_address,
        )
        return 201, _case_out(request, tracking.detailed(Case.objects).get(pk=case.pk))

    if not idempotency_key:
        return Status(*create())
    fresh = []

    def first():
        fresh.append(True)
        return create()

    status, body = idempotent(request, idempotency_key, first)
    return Status(status if fresh else 200, body)


@cases_router.get("", response=CasePage, summary="我的办件(或当前代表法人的办件)")
def list_my_cases(request, query: Query[CasesQuery]):
    before = decode_cursor(query.cursor, 1)[0] if query.cursor else None
    if before is not None and not isinstance(before, int):
        raise InvalidInput(fields={"cursor": ["游标无效 / bad cursor"]})
    rows, next_before = tracking.my_cases(
        request.auth, acting_enterprise(request), before=before, limit=query.limit
    )
    return {
        "items": [_summary(case) for case in rows],
        "next_cursor": encode_cursor([next_before]) if next_before else None,
    }


@cases_router.get("/{number}", response=CaseOut, summary="办件详情")
def get_case(request, number: str):
    return _case_out(request, tracking.my_case(request.auth, number))


@cases_router.get("/{number}/receipt.pdf", summary="受理通知书(PDF)")
def get_receipt(request, number: str):
    case = receipts.receipt_case(request.auth, number)
    return receipt_response(request, case)


def receipt_response(request, case) -> HttpResponse:
    """The receipt as an attachment named after the case number."""
    url = request.build_absolute_uri(f"{reverse('portal:track')}?number={case.number}")
    response = HttpResponse(receipts.receipt_pdf(case, tracking_url=url), "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.number}.pdf"'
    return response


def _materials(given: list[MaterialIn]) -> list[dict]:
    found, errors = [], {}
    for index, item in enumerate(given):
        entry = {"spec": item.spec, "name": item.name}
        if item.reference is not None:
            entry["reference"] = item.reference.model_dump()
        elif item.file is not None:
            try:
                content = base64.b64decode(item.file.content_base64, validate=True)
            except (binascii.Error, ValueError):
                errors[f"materials[{index}].file"] = ["文件内容不是有效的 Base64 / bad Base64"]
                continue
            entry["file"] = SimpleUploadedFile(item.file.name, content, item.file.content_type)
        found.append(entry)
    if errors:
        raise InvalidInput(fields=errors)
    return found


def _summary(case) -> dict:
    return {
        "number": case.number,
        "item_code": case.item.implementation_code,
        "item_name": case.guide.name,
        "status": case.status,
        "status_label": case.get_status_display(),
        "submitted_at": case.submitted_at,
        "promised_due": case.promised_due,
    }


def _case_out(request, case) -> dict:
    public = tracking.public_status(case)
    supplement = getattr(case, "supplement", None)
    out = {
        **_summary(case),
        "department": case.department.name,
        "applicant": public["applicant"],
        "enterprise": case.enterprise.legal_entity.uscc if case.enterprise_id else None,
        "channel": case.channel,
        "delivery": case.delivery_method,
        "result_type": case.result_type,
        "round": case.round,
        "accepted_on": case.accepted_on,
        "days_left": public["days_left"],
        "form_data": case.form_data,
        "materials": [
            {
                "name": m.name,
                "source": m.source,
                "round": m.round,
                "sha256": m.sha256,
                "superseded": m.superseded,
            }
            for m in case.materials.all()
        ],
        "supplement": _supplement(supplement),
        "history": public["history"],
        "receipt_url": (
            reverse("api:get_receipt", kwargs={"number": case.number}) if case.accepted_on else None
        ),
    }
    return json.loads(json.dumps(out, cls=DjangoJSONEncoder))


def _supplement(found) -> dict | None:
    if found is None:
        return None
    return {"items": found.items, "notice": found.notice, "answered": bool(found.answered_at)}
