"""Building 一件事: the publication checks one by one, publishing retires the previous
version, a new version copies items, conditions and prerequisites; only the catalog
administrator does it, and a refused change changes nothing."""

import pytest

from tongban.audit.models import AuditRecord
from tongban.bundles import publishing
from tongban.bundles.models import Bundle, BundleItem
from tongban.cases.tests.factories import form_item
from tongban.catalog.tests.factories import draft_item
from tongban.errors import Conflict, InvalidInput, PermissionDenied
from tongban.org.tests.factories import staff_with_role

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {
        "key": "employs",
        "text": "是否招用员工?",
        "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}],
    }
]


def catalog_admin():
    return staff_with_role("catalog_admin")


def draft(*, items: int = 3, promised_days: int = 5, code: str = "qiye-kaiban") -> Bundle:
    """A draft over ``items`` published items (10 promised days each); the last applies to
    employers only and waits for the first."""
    bundle = Bundle.objects.create(
        code=code, name="企业开办", promised_days=promised_days, questions=QUESTIONS
    )
    entries = [
        BundleItem.objects.create(bundle=bundle, item=form_item(), order=n)
        for n in range(1, items + 1)
    ]
    if items >= 2:
        entries[-1].condition = {"question": "employs", "in": ["yes"]}
        entries[-1].save()
        entries[-1].depends_on.add(entries[0])
    return bundle


def test_a_complete_draft_passes():
    assert publishing.validate(draft()) == {}


def test_an_unpublished_item_is_named():
    bundle = draft()
    entry = BundleItem.objects.create(bundle=bundle, item=draft_item(), order=9)
    errors = publishing.validate(bundle)
    assert list(errors) == ["items.9"]
    assert "尚未发布" in errors["items.9"][0]
    assert entry.item.implementation_code in errors["items.9"][0]


def test_an_item_out_of_use_is_named():
    bundle = draft()
    entry = bundle.items.get(order=2)
    entry.item.is_active = False
    entry.item.save()
    errors = publishing.validate(bundle)
    assert list(errors) == ["items.2"] and "已停用" in errors["items.2"][0]


@pytest.mark.parametrize(
    ("condition", "says"),
    [
        ({"question": "capital", "in": ["yes"]}, "不存在的问题“capital”"),
        ({"question": "employs", "in": ["maybe"]}, "不存在的选项:maybe"),
        ({"question": "employs", "in": []}, "未列出答案"),
        ({"when": "employs"}, "格式"),
    ],
)
def test_a_condition_must_name_an_existing_question_and_option(condition, says):
    bundle = draft()
    BundleItem.objects.filter(bundle=bundle, order=2).update(condition=condition)
    errors = publishing.validate(bundle)
    assert list(errors) == ["items.2"] and says in errors["items.2"][0]


def test_a_prerequisite_outside_the_bundle_is_refused():
    bundle, other = draft(), draft(code="chusheng")
    bundle.items.get(order=2).depends_on.add(other.items.get(order=1))
    errors = publishing.validate(bundle)
    assert list(errors) == ["items.2"] and "不属于本一件事" in errors["items.2"][0]


def test_prerequisites_in_a_cycle_are_refused():
    bundle = draft()
    first, second, third = bundle.items.order_by("order")
    second.depends_on.add(third)  # third waits for first already
    first.depends_on.add(second)
    errors = publishing.validate(bundle)
    assert list(errors) == ["items"] and "前置事项存在循环" in errors["items"][0]
    codes = [entry.item.implementation_code for entry in (first, second, third)]
    assert all(code in errors["items"][0] for code in codes)


def test_a_bundle_combines_two_items_at_least():
    errors = publishing.validate(draft(items=1))
    assert list(errors) == ["items"] and "至少包含两个事项" in errors["items"][0]


def test_the_promised_limit_is_at_most_the_items_together():
    assert publishing.validate(draft(promised_days=30)) == {}
    errors = publishing.validate(draft(promised_days=31, code="zhongla"))
    assert list(errors) == ["promised_days"] and "之和 30" in errors["promised_days"][0]


def test_questions_need_keys_and_two_options():
    bundle = draft()
    bundle.questions = [*QUESTIONS, {"key": "employs", "text": "重复", "options": []}]
    errors = publishing.validate(bundle)
    assert list(errors) == ["questions"]
    assert any("重复" in problem for problem in errors["questions"])
    assert any("两个选项" in problem for problem in errors["questions"])


def test_publish_retires_the_previous_version_in_one_audited_step():
    admin = catalog_admin()
    first = publishing.publish(draft(), by=admin)
    assert first.status == Bundle.Status.PUBLISHED and first.published_at
    second = publishing.publish(publishing.new_version(first, by=admin), by=admin)
    first.refresh_from_db()
    assert first.status == Bundle.Status.RETIRED
    assert second.status == Bundle.Status.PUBLISHED and second.version == 2
    record = AuditRecord.objects.filter(action="bundles.bundle.publish").latest("pk")
    assert record.object_id == str(second.pk) and record.changes["retired"][1] == ["v1"]


def test_a_draft_with_errors_is_not_published_and_nothing_changes():
    admin = catalog_admin()
    old = publishing.publish(draft(), by=admin)
    bad = publishing.new_version(old, by=admin)
    bad.items.update(condition={"question": "nothing", "in": ["x"]})
    with pytest.raises(InvalidInput) as refused:
        publishing.publish(bad, by=admin)
    assert set(refused.value.fields) == {"items.1", "items.2", "items.3"}
    old.refresh_from_db()
    bad.refresh_from_db()
    assert old.status == Bundle.Status.PUBLISHED
    assert bad.status == Bundle.Status.DRAFT and bad.published_at is None


def test_only_a_draft_is_published():
    admin = catalog_admin()
    published = publishing.publish(draft(), by=admin)
    with pytest.raises(Conflict):
        publishing.publish(published, by=admin)


def test_a_new_version_copies_items_conditions_and_prerequisites():
    admin = catalog_admin()
    source = publishing.publish(draft(), by=admin)
    copy = publishing.new_version(source, by=admin)
    assert (copy.code, copy.version, copy.status) == (source.code, 2, Bundle.Status.DRAFT)
    assert copy.questions == source.questions and copy.promised_days == source.promised_days

    def shape(bundle):
        return [
            (e.item_id, e.order, e.condition, sorted(d.order for d in e.depends_on.all()))
            for e in bundle.items.order_by("order")
        ]

    assert shape(copy) == shape(source)
    assert not copy.items.filter(pk__in=source.items.values("pk")).exists()
    waiting = copy.items.get(order=3)
    assert waiting.depends_on.get().bundle_id == copy.pk  # points into the copy
    with pytest.raises(Conflict):
        publishing.new_version(source, by=admin)  # one draft at a time


@pytest.mark.parametrize("role", ["clerk", "approver", "supervisor", "system_admin"])
def test_only_the_catalog_administrator_builds_and_publishes(role):
    bundle, other = draft(), staff_with_role(role)
    with pytest.raises(PermissionDenied):
        publishing.publish(bundle, by=other)
    with pytest.raises(PermissionDenied):
        publishing.new_version(bundle, by=other)
    bundle.refresh_from_db()
    assert bundle.status == Bundle.Status.DRAFT and Bundle.objects.count() == 1
