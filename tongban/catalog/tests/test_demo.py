"""The demo catalog: enough items, every guide complete, idempotent, figures short of target.

The catalog is loaded once for the module inside a transaction that is rolled back at the
end (loading takes seconds); each test runs in a savepoint of its own.
"""

import re
import time

import pytest
from django.db import transaction
from django.db.models import F

from tongban.catalog import demo, documents, rules
from tongban.catalog.data.demo_common import LICENSE_TYPES
from tongban.catalog.formdefs import validate_form_definition
from tongban.catalog.models import AcceptancePoint, Guide, MaterialSpec, ProcessStep, ServiceItem
from tongban.org import demo as org_demo
from tongban.org.models import ServiceCenter

pytestmark = pytest.mark.django_db

MUST_INCLUDE = (
    "企业设立登记",
    "食品经营许可",
    "居民身份证换领",
    "社会保障卡申领",
    "出生医学证明",
    "城乡居民养老保险参保登记",
    "建设工程规划许可",
    "建筑工程施工许可",
    "道路挖掘占道许可",
    "高龄津贴",
    "残疾人两项补贴",
    "个体工商户设立登记",
    "户口迁移",
    "出生户口登记",
)
PHONE = re.compile(r"^029-8\d{7}$")


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        org_demo.load()
        assert not demo.is_loaded()
        started = time.perf_counter()
        summary = demo.load()
        print(f"\ncatalog demo load: {time.perf_counter() - started:.1f} s — {summary}")
        yield summary
        transaction.set_rollback(True)


def in_force():
    return (
        Guide.objects.filter(item__is_active=True, item__current_guide=F("pk"))
        .select_related("item__base_item", "item__department")
        .prefetch_related("steps", "materials")
    )


def figures() -> dict:
    """DESIGN.md §4 over the guides in force, computed here from the rows themselves."""
    guides = list(in_force())
    suitable = [g for g in guides if not g.is_secret]
    licensing = [g for g in guides if g.item.base_item.item_type == "01"]
    promised = sum(g.promised_days for g in licensing)
    statutory = sum(g.statutory_days for g in licensing)
    return {
        "全程网办率": sum(g.online_depth == 4 for g in suitable) / len(suitable),
        "承诺时限压缩率": 1 - promised / statutory,
        "最多跑一次": sum(g.max_visits <= 1 for g in guides) / len(guides),
        "马上办": sum(g.promised_days == 0 for g in guides) / len(guides),
    }


def test_at_least_150_published_items_in_20_departments(loaded):
    guides = in_force()
    assert guides.count() >= 150
    assert all(g.status == Guide.Status.PUBLISHED for g in guides)
    assert guides.values("item__department").distinct().count() >= 20
    assert loaded.items == ServiceItem.objects.count() and loaded.created == loaded.items
    assert demo.is_loaded()


def test_the_figures_fall_short_of_the_plans_targets(loaded):
    found = figures()
    print("\n" + ";".join(f"{name} {value:.1%}" for name, value in found.items()))
    assert 0.75 <= found["全程网办率"] <= 0.82  # target 85%
    assert 0.60 <= found["承诺时限压缩率"] <= 0.68  # target 70%
    assert 0.90 <= found["最多跑一次"] <= 0.94  # target 95%
    assert 0.55 <= found["马上办"] <= 0.65  # target 70%
    assert found == pytest.approx(
        dict(zip(found, demo.figures(demo.documents()).values(), strict=True))
    )


def test_loading_again_changes_nothing_and_makes_no_version(loaded):
    def state():
        return {
            "items": ServiceItem.objects.count(),
            "guides": list(Guide.objects.order_by("pk").values_list("pk", "version", "status")),
            "steps": ProcessStep.objects.count(),
            "materials": MaterialSpec.objects.count(),
            "points": AcceptancePoint.objects.count(),
            "current": list(ServiceItem.objects.order_by("pk").values_list("current_guide")),
        }

    before = state()
    again = demo.load()
    assert (again.created, again.changed) == (0, 0)
    assert state() == before
    assert Guide.objects.exclude(version=1).count() == 0


def test_the_named_items_are_there(loaded):
    names = list(in_force().values_list("name", flat=True))
    for wanted in MUST_INCLUDE:
        assert any(wanted in name for name in names), wanted
    assert sum("不动产" in name and "登记" in name for name in names) >= 5
    assert sum("营业执照" in name for name in names) >= 3
    assert sum("户" in name for name in names) >= 8


def test_every_guide_has_steps_materials_and_a_consultation_phone(loaded):
    for guide in in_force():
        steps, materials = list(guide.steps.all()), list(guide.materials.all())
        assert [s.name for s in steps] == ["受理", "审查", "决定", "办结", "送达"], guide
        assert 2 <= len(materials) <= 8, guide
        assert PHONE.match(guide.consult_phone), guide
        assert guide.acceptance_conditions and guide.legal_basis and guide.result_name, guide
        assert (
            guide.review_channel
            and guide.litigation_channel
            and "12345" in (guide.complaint_channel)
        )
        assert guide.faq, guide


def test_every_guide_passes_the_consistency_rules(loaded):
    for guide in in_force():
        assert rules.check(guide) == [], guide
        if guide.item.base_item.item_type == "01":
            assert sum(s.days for s in guide.steps.all()) <= guide.promised_days
            assert guide.promised_days <= guide.statutory_days


def test_every_document_is_valid_and_codes_are_unique(loaded):
    docs = demo.documents()
    for doc in docs:
        assert documents.validate_document(doc) == {}, doc["guide"]["name"]
    codes = [doc["implementation_code"] for doc in docs]
    assert len(set(codes)) == len(codes)
    for doc in docs:
        assert re.fullmatch(r"1[1-3]610124[0-9A-Z]{10}0001\d{8}", doc["implementation_code"])
        assert doc["implementation_code"].endswith(doc["base"]["base_code"])


def test_the_service_network_and_flags(loaded):
    guides = in_force()
    assert guides.filter(city_wide=True).count() >= 50
    assert guides.filter(cross_province=True).count() >= 10
    assert 1 <= guides.filter(is_secret=True).count() <= 5
    assert guides.filter(charges_fee=True, online_payment=True).exists()
    assert any("construction" in g.topics for g in guides.exclude(intermediary_services=""))
    assert guides.filter(joint_departments__isnull=False).distinct().count() >= 10
    modes = set(AcceptancePoint.objects.values_list("mode", flat=True))
    assert modes == set(AcceptancePoint.Mode.values)
    villages = ServiceCenter.objects.filter(level=ServiceCenter.Level.VILLAGE)
    covered = villages.filter(acceptance_points__isnull=False).distinct().count()
    print(f"\n村(社区)帮办代办覆盖率 {covered / villages.count():.0%}")
    assert 0.8 <= covered / villages.count() < 0.9  # the plan's 90% is not reached yet


def test_common_items_carry_a_valid_application_form(loaded):
    with_form = [g for g in in_force() if g.form_schema]
    assert len(with_form) >= 20
    for guide in with_form:
        assert validate_form_definition(guide.form_schema) == {}, guide


def test_exemptible_materials_name_a_license_type_or_shared_data(loaded):
    exemptible = MaterialSpec.objects.exclude(license_type_code="", shared_data_item="")
    assert exemptible.filter(license_type_code="11100000000013338W001").exists()
    assert exemptible.filter(shared_data_item="registry.entity").exists()
    codes = set(exemptible.exclude(license_type_code="").values_list("license_type_code"))
    assert {code for (code,) in codes} <= set(LICENSE_TYPES)
