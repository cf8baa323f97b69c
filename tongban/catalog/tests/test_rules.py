"""The consistency rules: each one stops a publication, names itself in Chinese, changes nothing."""

import pytest

from tongban.audit.models import AuditRecord
from tongban.catalog import rules, services
from tongban.catalog.models import Guide
from tongban.catalog.rules import ConsistencyError, GuideData
from tongban.catalog.tests.factories import (
    BaseItemFactory,
    GuideFactory,
    guide_fields,
    published_item,
)
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role

pytestmark = pytest.mark.django_db

NO_DAYS = [{"name": "受理", "days": 0, "description": ""}]

# (rule code, its Chinese name, field, draft changes, steps or None to keep them)
BROKEN = [
    (
        "instant_consistency",
        "即办一致性",
        "case_type",
        {"promised_days": 0, "case_type": "promised", "review_type": "immediate"},
        NO_DAYS,
    ),
    (
        "full_online_zero_visits",
        "全程网办零跑动",
        "max_visits",
        {"online_depth": 4, "max_visits": 1},
        None,
    ),
    (
        "zero_visits_mail",
        "零跑动须提供邮寄申请",
        "apply_ways",
        {"max_visits": 0, "visit_reason": "", "apply_ways": ["window"]},
        None,
    ),
    (
        "no_fee_no_payment",
        "不收费不设网上支付",
        "online_payment",
        {"charges_fee": False, "online_payment": True},
        None,
    ),
    (
        "fee_items",
        "收费项目规范",
        "fee_items",
        {"charges_fee": False, "fee_items": [{"name": "工本费", "amount": "10.00"}]},
        None,
    ),
    (
        "licensing_time_limits",
        "许可时限递进",
        "promised_days",
        {"promised_days": 25, "statutory_days": 20},
        None,
    ),
    (
        "required_elements",
        "指南要素齐全",
        "consult_phone",
        {"consult_phone": ""},
        None,
    ),
]


@pytest.mark.parametrize(
    ("code", "name_zh", "field", "changes", "steps"), BROKEN, ids=[b[0] for b in BROKEN]
)
def test_publishing_a_version_that_breaks_a_rule_fails_naming_it_and_changes_nothing(
    code, name_zh, field, changes, steps
):
    reviewer = staff_with_role(StaffMembership.Role.CATALOG_ADMIN)
    item = published_item()
    draft = services.start_revision(item, by=reviewer)
    services.update_draft(draft, by=reviewer, **changes)
    if steps is not None:
        services.set_steps(draft, steps, by=reviewer)
    # Submitted before the rule was checked (an import, say): publishing is the last gate.
    Guide.objects.filter(pk=draft.pk).update(status=Guide.Status.SUBMITTED)
    records = AuditRecord.objects.count()

    with pytest.raises(ConsistencyError) as caught:
        services.publish(draft, by=reviewer)

    error = caught.value
    assert f"「{name_zh}」" in error.message
    assert code in error.rules
    assert any(name_zh in message for message in error.fields[field])
    draft.refresh_from_db()
    item.refresh_from_db()
    assert draft.status == Guide.Status.SUBMITTED
    assert draft.published_at is None
    assert item.current_guide.version == 1
    assert item.current_guide.status == Guide.Status.PUBLISHED
    assert AuditRecord.objects.count() == records


@pytest.mark.parametrize(
    ("code", "name_zh", "field", "changes", "steps"), BROKEN, ids=[b[0] for b in BROKEN]
)
def test_a_draft_that_breaks_a_rule_cannot_be_submitted(code, name_zh, field, changes, steps):
    guide = GuideFactory(**changes, **({"steps": steps} if steps is not None else {}))
    with pytest.raises(ConsistencyError) as caught:
        services.submit(guide, by=None)
    assert code in caught.value.rules
    guide.refresh_from_db()
    assert guide.status == Guide.Status.DRAFT


def test_the_default_factory_guide_passes_every_rule():
    assert rules.check(GuideFactory()) == []


def test_the_error_is_an_invalid_input_with_chinese_and_english_per_field():
    guide = GuideFactory(online_depth=4, max_visits=1)
    error = ConsistencyError(rules.check(guide))
    assert error.status == 422
    assert error.as_dict()["fields"]["max_visits"] == [
        "「全程网办零跑动」(full_online_zero_visits)网办深度为Ⅳ级(全程网办),到办事现场次数应为 0"
        " / online depth IV (fully online) requires 0 visits on site"
    ]
    assert error.message.startswith("办事指南不符合一致性规则:")


def data(item_type="01", steps=({"name": "受理", "days": 1},), **changes):
    return GuideData(fields=guide_fields(**changes), steps=list(steps), item_type=item_type)


def codes(found) -> set[str]:
    return {v.rule for v in found}


def test_instant_needs_both_instant_case_type_and_immediate_review():
    found = rules.instant_consistency(data(promised_days=0))
    assert {v.field for v in found} == {"case_type", "review_type"}
    assert not rules.instant_consistency(
        data(promised_days=0, case_type="instant", review_type="immediate")
    )


def test_zero_visits_is_fine_when_the_item_can_be_applied_for_online_or_by_mail():
    assert not rules.zero_visits_mail(data(max_visits=0, apply_ways=["online"]))
    assert not rules.zero_visits_mail(data(max_visits=0, apply_ways=["window", "mail"]))
    assert rules.zero_visits_mail(data(max_visits=0, apply_ways=["window"]))


def test_online_payment_is_allowed_when_a_fee_is_charged():
    assert not rules.no_fee_no_payment(
        data(charges_fee=True, fee_standard="每件 10 元", online_payment=True)
    )


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{"name": "", "amount": "10"}], "第 1 项缺少收费项目名称"),
        ([{"name": "工本费", "amount": "0"}], "第 1 项金额应为大于 0 的元金额"),
        ([{"name": "工本费", "amount": "9.999"}], "至多两位小数"),
        ([{"name": "工本费", "amount": "abc"}], "第 1 项金额"),
        ([{"name": "工本费", "amount": "NaN"}], "第 1 项金额"),
        ([{"name": "a", "amount": "1"}, "工本费"], "第 2 项缺少收费项目名称"),
    ],
)
def test_fee_items_need_a_name_and_an_amount_in_yuan(items, message):
    found = rules.fee_items(data(charges_fee=True, fee_standard="见收费项目", fee_items=items))
    assert [v.field for v in found] == ["fee_items"]
    assert message in found[0].message_zh


def test_well_formed_fee_items_pass_and_amounts_read_as_yuan():
    items = [{"code": "103010102", "name": "工本费", "amount": "40.00", "basis": "发改价格"}]
    assert not rules.fee_items(data(charges_fee=True, fee_standard="40元", fee_items=items))
    assert str(rules.fee_amount(" 40 ")) == "40.00"
    assert rules.fee_amount("1000001") is None


def test_step_days_above_the_promised_limit_break_the_licensing_rule():
    steps = [{"name": "受理", "days": 6}, {"name": "审查", "days": 6}]
    found = rules.licensing_time_limits(data(steps=steps, promised_days=10))
    assert [(v.field, v.rule) for v in found] == [("steps", "licensing_time_limits")]
    assert "12 个工作日" in found[0].message_zh


def test_time_limits_are_not_ranked_for_items_other_than_licensing():
    steps = [{"name": "审查", "days": 30}]
    found = rules.check_data(data(item_type="20", steps=steps, statutory_days=None))
    assert found == []


def test_licensing_items_need_a_statutory_limit_and_a_result_name():
    found = rules.required_elements(data(statutory_days=None, result_name=""))
    assert {v.field for v in found} == {"statutory_days", "result_name"}


def test_a_visit_needs_a_reason_and_a_fee_its_standard():
    found = rules.required_elements(data(max_visits=1, visit_reason="", charges_fee=True))
    assert {v.field for v in found} == {"visit_reason", "fee_standard"}


def test_a_guide_without_steps_or_apply_ways_misses_required_elements():
    found = rules.check_data(data(steps=(), apply_ways=[]))
    assert {(v.rule, v.field) for v in found} >= {
        ("required_elements", "steps"),
        ("required_elements", "apply_ways"),
    }


def test_rules_read_a_saved_guides_steps_and_item_type():
    item = published_item(base_item=BaseItemFactory(item_type="20"), statutory_days=None)
    assert rules.check(item.current_guide) == []
    assert codes(rules.check(GuideFactory(steps=[]))) == {"required_elements"}
