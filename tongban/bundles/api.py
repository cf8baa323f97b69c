"""The bundles API under /api/v1/bundles (mounted in ``tongban/api.py``; docs/bundles.md).

The published bundles and one bundle's questionnaire, items, combined form and material
list are public; filing once and following a filing need a signed-in person
(``UserAuth``, like /api/v1/cases), who sees only their own filings (404 for any other).
"""

import base64
import binascii
import datetime
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import prefetch_related_objects
from django.urls import reverse
from ninja import Field, Header, Query, Router, Schema, Status

from tongban.bundles import receipts, services, views
from tongban.cases import intake
from tongban.cases.api import FileIn
from tongban.cases.models import Channel
from tongban.errors import InvalidInput, PermissionDenied
from tongban.gateway.idempotency import idempotent
from tongban.identity import access, realname
from tongban.identity.apiauth import UserAuth
from tongban.identity.enterprises import acting_enterprise
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT, page

router = Router(tags=["bundles"])


class FiguresOut(Schema):
    items: int = Field(description="包含事项数")
    materials_asked: int = Field(description="一次提交的材料份数")
    materials_separately: int = Field(description="逐项分别办理需提交的材料份数")
    visits_saved: int = Field(description="少跑次数")
    promised_days: int = Field(description="一件事承诺时限(工作日)")
    promised_days_separately: int = Field(description="各事项承诺时限之和(工作日)")


class BundleOut(Schema):
    code: str
    version: int
    name: str
    description: str
    promised_days: int
    figures: FiguresOut


class BundlePage(Schema):
    items: list[BundleOut]
    next_cursor: str | None


class BundlesQuery(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class BundleItemOut(Schema):
    implementation_code: str
    name: str
    department: str
    promised_days: int | None
    condition: dict
    waits_for: list[str] = Field(description="须先取得其结果的事项(实施编码)")


class MergedOut(Schema):
    key: str = Field(description="提交时的材料名称")
    name: str
    required: bool
    shared_data: bool = Field(description="数据共享,免于提交")
    items: int = Field(description="共用该材料的事项数")


class BundleDetailOut(BundleOut):
    questions: list[dict]
    answered: bool = Field(description="是否按 answers 筛选了事项(否则为全部事项)")
    items: list[BundleItemOut]
    fields: list[dict] = Field(description="合并申请表的字段(同一 key 只出现一次)")
    materials: list[MergedOut]


class DetailQuery(Schema):
    answers: str | None = Field(None, description='情形答案(JSON),如 {"employs": "yes"}')


class BundleMaterialIn(Schema):
    name: str = Field(max_length=200, description="合并材料清单中的材料名称(key)")
    file: FileIn


class BundleCaseIn(Schema):
    answers: dict = Field(default_factory=dict, description="情形答案")
    form_data: dict = Field(default_factory=dict, description="合并申请表内容")
    materials: list[BundleMaterialIn] = Field(default_factory=list, max_length=50)
    delivery: str = Field("", description="window(默认)、post、electronic:全部结果一并送达")
    delivery_address: str = Field("", max_length=200, description="邮寄地址(邮寄时必填)")


class ChildOut(Schema):
    item: str
    department: str
    case_number: str = Field(description="子办件编号(等待前置事项时为空)")
    status: str
    days_left: int | None
    note: str


class BundleCaseOut(Schema):
    number: str
    bundle_code: str
    bundle_name: str
    bundle_version: int
    status: str
    status_label: str
    submitted_at: datetime.datetime
    concluded_at: datetime.datetime | None
    delivery: str
    children: list[ChildOut]
    receipt_url: str = Field(description="受理回执(PDF):全部事项一份")


@router.get("", response=BundlePage, auth=None, summary="一件事一次办:已发布的一件事")
def list_bundles(request, query: Query[BundlesQuery]):
    rows, next_cursor = page(
        views.published_bundles(), keys=("code", "pk"), cursor=query.cursor, limit=query.limit
    )
    figures = views.figures_of(rows)
    return {
        "items": [_bundle_out(bundle, figures[bundle.pk]) for bundle in rows],
        "next_cursor": next_cursor,
    }


@router.get(
    "/{code}", response=BundleDetailOut, auth=None, summary="一件事详情:情形引导、事项、表单、材料"
)
def get_bundle(request, code: str, query: Query[DetailQuery]):
    bundle = services.published(code)
    answers = _answers(query.answers)
    if answers is None:
        items = list(bundle.items.select_related("item__current_guide", "item__department"))
    else:
        errors = services.check_answers(bundle, answers)
        if errors:
            raise InvalidInput(fields=errors)
        items = services.applicable(bundle, answers)
    prefetch_related_objects(items, "depends_on__item")
    figures = views.figures_of([bundle])[bundle.pk]
    return {
        **_bundle_out(bundle, figures),
        "questions": bundle.questions,
        "answered": answers is not None,
        "items": [_item_out(entry) for entry in items],
        "fields": services.combined_fields(items),
        "materials": [
            {
                "key": m.key,
                "name": m.name,
                "required": m.required,
                "shared_data": m.shared_data,
                "items": len(m.specs),
            }
            for m in services.combined_materials(items)
        ],
    }


@router.post(
    "/{code}/cases",
    response={200: BundleCaseOut, 201: BundleCaseOut},
    auth=UserAuth(),
    summary="一件事一次提交",
    description="材料以 Base64 内联,按合并材料清单的名称提交一次;同一幂等键重发返回首次的办件"
    "(200,首次为 201)。/ Materials inline as Base64, once per merged name; a retried "
    "Idempotency-Key returns the first filing with 200.",
)
def file_bundle(
    request, code: str, payload: BundleCaseIn, idempotency_key: Header[str | None] = None
):
    bundle = services.published(code)
    user = request.auth
    if not access.can(user, "bundles.file", bundle):
        raise PermissionDenied("一件事由个人用户在线申请", "Persons file bundles")
    realname.require_level(user, intake.SELF_SERVICE_LEVEL)

    def create():
        parent = services.submit(
            bundle,
            user=user,
            answers=payload.answers,
            form_data=payload.form_data,
            materials=_materials(payload.materials),
            enterprise=acting_enterprise(request),
            channel=Channel.WEB,
            delivery=payload.delivery,
            delivery_address=payload.delivery_address,
        )
        return 201, case_out(parent)

    if not idempotency_key:
        return Status(*create())
    fresh = []

    def first():
        fresh.append(True)
        return create()

    status, body = idempotent(request, idempotency_key, first)
    return Status(status if fresh else 200, body)


@router.get("/cases/{number}", response=BundleCaseOut, auth=UserAuth(), summary="一件事办理进度")
def get_bundle_case(request, number: str):
    return case_out(views.own_case(request.auth, number))


@router.get("/cases/{number}/receipt.pdf", auth=UserAuth(), summary="一件事受理回执(PDF,一次一份)")
def get_bundle_receipt(request, number: str):
    parent = views.own_case(request.auth, number)
    return receipts.receipt_response(
        request, parent, tracking_url=views.progress_url(request, parent)
    )


def case_out(parent) -> dict:
    """A filing and its children as JSON-ready data (also the idempotent answer stored)."""
    out = {
        "number": parent.number,
        "bundle_code": parent.bundle.code,
        "bundle_name": parent.bundle.name,
        "bundle_version": parent.bundle.version,
        "status": parent.status,
        "status_label": parent.get_status_display(),
        "submitted_at": parent.submitted_at,
        "concluded_at": parent.concluded_at,
        "delivery": parent.delivery_method,
        "children": services.progress(parent),
        "receipt_url": reverse("api:get_bundle_receipt", kwargs={"number": parent.number}),
    }
    return json.loads(json.dumps(out, cls=DjangoJSONEncoder))


def _bundle_out(bundle, figures: dict) -> dict:
    return {
        "code": bundle.code,
        "version": bundle.version,
        "name": bundle.name,
        "description": bundle.description,
        "promised_days": bundle.promised_days,
        "figures": figures,
    }


def _item_out(entry) -> dict:
    return {
        "implementation_code": entry.item.implementation_code,
        "name": entry.item.current_guide.name,
        "department": entry.item.department.name,
        "promised_days": entry.item.current_guide.promised_days,
        "condition": entry.condition or {},
        "waits_for": [dep.item.implementation_code for dep in entry.depends_on.all()],
    }


def _answers(raw: str | None) -> dict | None:
    if raw is None:
        return None
    try:
        answers = json.loads(raw)
    except ValueError:
        answers = None
    if not isinstance(answers, dict):
        raise InvalidInput(fields={"answers": ["情形答案应为 JSON 对象 / a JSON object"]})
    return answers


def _materials(given: list[BundleMaterialIn]) -> dict:
    found, errors = {}, {}
    for index, entry in enumerate(given):
        if entry.name in found:
            errors[f"materials[{index}].name"] = ["同一材料只需提交一次 / given twice"]
            continue
        try:
            content = base64.b64decode(entry.file.content_base64, validate=True)
        except (binascii.Error, ValueError):
            errors[f"materials[{index}].file"] = ["文件内容不是有效的 Base64 / bad Base64"]
            continue
        found[entry.name] = SimpleUploadedFile(entry.file.name, content, entry.file.content_type)
    if errors:
        raise InvalidInput(fields=errors)
    return found
