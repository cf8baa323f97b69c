"""Test data for the catalog. Every default guide passes every consistency rule.

Two kinds of helpers:

- model factories (``BaseItemFactory``, ``ServiceItemFactory``, ``GuideFactory``,
  ``StepFactory``, ``MaterialFactory``) write rows directly: quick, for tests that only read;
- ``draft_item`` and ``published_item`` go through ``catalog.services`` (rules, audit,
  signals), as every real write does::

      item = published_item(promised_days=0, case_type="instant", review_type="immediate")
      item.current_guide.steps.all()
"""

import datetime
import itertools

import factory
from django.db.models import Max
from factory.django import DjangoModelFactory

from tongban.catalog.models import (
    AcceptancePoint,
    BaseItem,
    Guide,
    MaterialSpec,
    ProcessStep,
    ServiceItem,
)
from tongban.org.tests.factories import DepartmentFactory, TownCenterFactory

# Σ step days (5) ≤ promised (10) ≤ statutory (20): a licensing item that passes every rule.
DEFAULT_STEPS = (
    {"name": "受理", "days": 1, "description": "窗口或网上收件,材料齐全的当场受理"},
    {"name": "审查", "days": 3, "description": "对申请材料进行审查"},
    {"name": "决定", "days": 1, "description": "作出准予或不予许可的决定"},
)
DEFAULT_MATERIALS = (
    {
        "name": "申请人身份证明",
        "source": "government",
        "source_note": "公安机关",
        "copies": 1,
        "medium": "both",
        "requirement": "required",
        "condition": "",
        "license_type_code": "",
        "shared_data_item": "registry.person",
        "notes": "",
    },
    {
        "name": "申请书",
        "source": "applicant",
        "source_note": "",
        "copies": 1,
        "medium": "paper",
        "requirement": "required",
        "condition": "",
        "license_type_code": "",
        "shared_data_item": "",
        "notes": "按空白表格填写并签字",
    },
)


def guide_fields(**overrides) -> dict:
    """The element fields of a guide that passes every rule (a licensing item's guide)."""
    fields = {
        "name": "测试许可事项",
        "keywords": "测试 许可",
        "service_object": Guide.ServiceObject.BOTH,
        "case_type": Guide.CaseType.PROMISED,
        "review_type": Guide.ReviewType.PRE_REVIEW,
        "acceptance_conditions": "符合法定条件的申请人",
        "legal_basis": "《中华人民共和国行政许可法》",
        "statutory_days": 20,
        "promised_days": 10,
        "max_visits": 1,
        "visit_reason": "现场核验原件",
        "online_depth": Guide.OnlineDepth.PRE_REVIEW,
        "online_flags": [1, 2, 3],
        "is_secret": False,
        "charges_fee": False,
        "fee_basis": "",
        "fee_standard": "",
        "online_payment": False,
        "result_name": "测试许可证",
        "result_type": Guide.ResultType.LICENSE,
        "apply_ways": ["window", "online"],
        "delivery_ways": ["window", "mail"],
        "location": "周至县政务服务中心一楼综合受理窗口",
        "hours": "周一至周五 9:00-12:00, 13:30-17:30(法定节假日除外)",
        "consult_phone": "029-87000000",
        "consult_address": "周至县政务服务中心一楼咨询台",
        "complaint_channel": "12345 政务服务便民热线",
        "review_channel": "周至县人民政府",
        "litigation_channel": "周至县人民法院",
        "intermediary_services": "",
        "faq": [{"q": "可以网上申请吗?", "a": "可以,登录陕西政务服务网申请。"}],
        "topics": ["permits"],
        "city_wide": False,
        "cross_province": False,
        "form_schema": {},
    }
    fields.update(overrides)
    return fields


class BaseItemFactory(DjangoModelFactory):
    class Meta:
        model = BaseItem

    base_code = factory.Sequence(lambda n: f"00001{n:06d}")
    name = factory.Sequence(lambda n: f"测试基本事项{n}")
    item_type = "01"
    legal_basis = "《中华人民共和国行政许可法》"
    level = BaseItem.Level.COUNTY


class ServiceItemFactory(DjangoModelFactory):
    """An item without any guide version (``current_guide`` empty)."""

    class Meta:
        model = ServiceItem

    implementation_code = factory.Sequence(lambda n: f"11610124TEST{n:06d}")
    base_item = factory.SubFactory(BaseItemFactory)
    department = factory.SubFactory(DepartmentFactory)
    is_active = True


class GuideFactory(DjangoModelFactory):
    """A draft guide version with the default steps and materials, passing every rule.

    ``GuideFactory(steps=[])`` or ``materials=[]`` leaves them out; pass a list of dicts to
    choose them. Status and ``current_guide`` are not managed here: use the services.
    """

    class Meta:
        model = Guide
        skip_postgeneration_save = True

    item = factory.SubFactory(ServiceItemFactory)
    version = factory.LazyAttribute(
        lambda o: (o.item.guides.aggregate(v=Max("version"))["v"] or 0) + 1
    )
    status = Guide.Status.DRAFT
    name = factory.LazyAttribute(lambda o: o.item.base_item.name)
    keywords = "测试 许可"
    service_object = Guide.ServiceObject.BOTH
    case_type = Guide.CaseType.PROMISED
    review_type = Guide.ReviewType.PRE_REVIEW
    acceptance_conditions = "符合法定条件的申请人"
    legal_basis = "《中华人民共和国行政许可法》"
    statutory_days = 20
    promised_days = 10
    max_visits = 1
    visit_reason = "现场核验原件"
    online_depth = Guide.OnlineDepth.PRE_REVIEW
    online_flags = factory.LazyFunction(lambda: [1, 2, 3])
    result_name = "测试许可证"
    result_type = Guide.ResultType.LICENSE
    apply_ways = factory.LazyFunction(lambda: ["window", "online"])
    delivery_ways = factory.LazyFunction(lambda: ["window", "mail"])
    location = "周至县政务服务中心一楼综合受理窗口"
    hours = "周一至周五 9:00-12:00, 13:30-17:30(法定节假日除外)"
    consult_phone = "029-87000000"
    complaint_channel = "12345 政务服务便民热线"
    topics = factory.LazyFunction(lambda: ["permits"])

    @factory.post_generation
    def steps(self, create, extracted, **kwargs):
        if not create:
            return
        for order, step in enumerate(DEFAULT_STEPS if extracted is None else extracted, 1):
            ProcessStep.objects.create(guide=self, order=order, **step)

    @factory.post_generation
    def materials(self, create, extracted, **kwargs):
        if not create:
            return
        for order, spec in enumerate(DEFAULT_MATERIALS if extracted is None else extracted, 1):
            MaterialSpec.objects.create(guide=self, order=order, **spec)


class StepFactory(DjangoModelFactory):
    class Meta:
        model = ProcessStep

    guide = factory.SubFactory(GuideFactory, steps=[])
    order = factory.Sequence(lambda n: n + 100)
    name = "审查"
    days = 1


class MaterialFactory(DjangoModelFactory):
    class Meta:
        model = MaterialSpec

    guide = factory.SubFactory(GuideFactory, materials=[])
    order = factory.Sequence(lambda n: n + 100)
    name = factory.Sequence(lambda n: f"测试材料{n}")
    source = MaterialSpec.Source.APPLICANT


class AcceptancePointFactory(DjangoModelFactory):
    class Meta:
        model = AcceptancePoint

    guide = factory.SubFactory(GuideFactory)
    center = factory.SubFactory(TownCenterFactory)
    mode = AcceptancePoint.Mode.ENTRUSTED


_codes = itertools.count(1)


def draft_item(
    *,
    implementation_code: str | None = None,
    base_item: BaseItem | None = None,
    department=None,
    steps: list[dict] | None = None,
    materials: list[dict] | None = None,
    points: list[dict] | None = None,
    by=None,
    **guide_overrides,
) -> ServiceItem:
    """An item with draft v1 (default steps and materials), created through the services.

    ``points`` are ``[{"center": ServiceCenter, "mode": "entrusted"}]``.
    """
    from tongban.catalog import services

    base_item = base_item or BaseItemFactory()
    guide_overrides.setdefault("name", base_item.name)
    item = services.create_item(
        implementation_code=implementation_code or f"11610124ITEM{next(_codes):06d}",
        base_item=base_item,
        department=department or DepartmentFactory(),
        by=by,
        **guide_fields(**guide_overrides),
    )
    guide = item.guides.get()
    services.set_steps(guide, list(DEFAULT_STEPS if steps is None else steps), by=by)
    materials = DEFAULT_MATERIALS if materials is None else materials
    services.set_materials(guide, list(materials), by=by)
    if points:
        services.set_acceptance_points(guide, points, by=by)
    return item


def published_item(
    *, effective_from: datetime.date | None = None, by=None, **kwargs
) -> ServiceItem:
    """An item whose v1 is published and in force (unless ``effective_from`` is ahead)."""
    from tongban.catalog import services

    item = draft_item(by=by, **kwargs)
    guide = services.submit(item.guides.get(), by=by)
    services.publish(guide, by=by, effective_from=effective_from)
    item.refresh_from_db()
    return item
