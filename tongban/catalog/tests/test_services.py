"""The catalog's write path: drafts, review, publication, versions, reading, comparing."""

import datetime

import pytest
import time_machine

from tongban.audit.models import AuditRecord
from tongban.catalog import services, signals, tasks
from tongban.catalog.models import Guide, ServiceItem
from tongban.catalog.tests.factories import (
    BaseItemFactory,
    GuideFactory,
    draft_item,
    guide_fields,
    published_item,
)
from tongban.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import (
    DepartmentFactory,
    TownCenterFactory,
    WindowFactory,
    staff_with_role,
)

pytestmark = pytest.mark.django_db
Role = StaffMembership.Role
TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def manager():
    return staff_with_role(Role.CATALOG_ADMIN)


@pytest.fixture
def published_events():
    events = []

    def receive(sender, guide, item, previous, **kwargs):
        events.append((guide.version, previous.version if previous else None))

    signals.guide_published.connect(receive)
    yield events
    signals.guide_published.disconnect(receive)


def revise(item, by, **changes) -> Guide:
    draft = services.start_revision(item, by=by)
    if changes:
        services.update_draft(draft, by=by, **changes)
    return services.submit(draft, by=by)


# --- drafting -------------------------------------------------------------------------


def test_creating_an_item_makes_draft_version_one_and_records_it(manager):
    base = BaseItemFactory(name="食品经营许可")
    item = services.create_item(
        implementation_code="11610124A00001",
        base_item=base,
        department=DepartmentFactory(code="market"),
        by=manager,
        **guide_fields(name="食品经营许可"),
    )
    guide = item.guides.get()
    assert (guide.version, guide.status) == (1, Guide.Status.DRAFT)
    assert item.current_guide is None
    record = AuditRecord.objects.get(action="catalog.item.create")
    assert record.actor == manager
    assert record.changes["department"] == "market"
    assert record.changes["guide"]["name"] == "食品经营许可"


def test_a_draft_with_a_bad_choice_is_refused_with_the_field_named(manager):
    with pytest.raises(InvalidInput) as caught:
        draft_item(by=manager, case_type="sometimes", apply_ways=["fax"])
    assert set(caught.value.fields) == {"case_type", "apply_ways"}
    assert not ServiceItem.objects.exists()


def test_updating_a_draft_records_what_changed(manager):
    item = draft_item(by=manager)
    guide = services.update_draft(item.guides.get(), by=manager, promised_days=8)
    assert guide.promised_days == 8
    record = AuditRecord.objects.filter(action="catalog.guide.update").get()
    assert record.changes == {"promised_days": [10, 8]}


def test_steps_are_stored_in_list_order_and_replaced_as_a_whole(manager):
    guide = draft_item(by=manager).guides.get()
    services.set_steps(
        guide, [{"name": "受理", "days": 0}, {"name": "办结", "days": 2}], by=manager
    )
    assert list(guide.steps.values_list("order", "name", "days")) == [
        (1, "受理", 0),
        (2, "办结", 2),
    ]


def test_a_bad_step_is_reported_by_its_position(manager):
    guide = draft_item(by=manager).guides.get()
    with pytest.raises(InvalidInput) as caught:
        services.set_steps(guide, [{"name": "受理"}, {"name": "", "days": 1}], by=manager)
    assert list(caught.value.fields) == ["steps[1].name"]
    assert guide.steps.count() == 3


@pytest.mark.parametrize(
    "edit",
    [
        lambda g, by: services.update_draft(g, by=by, name="改过的名称"),
        lambda g, by: services.set_steps(g, [{"name": "受理", "days": 1}], by=by),
        lambda g, by: services.set_materials(g, [], by=by),
        lambda g, by: services.set_acceptance_points(g, [], by=by),
    ],
    ids=["fields", "steps", "materials", "points"],
)
def test_a_published_version_cannot_be_edited(manager, edit):
    guide = published_item(by=manager).current_guide
    with pytest.raises(Conflict) as caught:
        edit(guide, manager)
    assert "已发布的版本不能修改" in caught.value.message
    guide.refresh_from_db()
    assert guide.name != "改过的名称"
    assert guide.steps.count() == 3
    assert guide.materials.count() == 2


def test_a_submitted_version_cannot_be_edited_until_sent_back(manager):
    item = draft_item(by=manager)
    guide = services.submit(item.guides.get(), by=manager)
    with pytest.raises(Conflict):
        services.update_draft(guide, by=manager, name="改")
    services.reject(guide, by=manager, reason="材料清单不全")
    assert services.update_draft(guide, by=manager, name="改").name == "改"


# --- review and publication --------------------------------------------------------------


def test_a_clerk_can_neither_edit_nor_publish(manager):
    clerk = staff_with_role(Role.CLERK)
    item = draft_item(by=manager)
    guide = services.submit(item.guides.get(), by=manager)
    with pytest.raises(PermissionDenied):
        services.publish(guide, by=clerk)
    with pytest.raises(PermissionDenied):
        services.start_revision(published_item().current_guide.item, by=clerk)
    guide.refresh_from_db()
    assert guide.status == Guide.Status.SUBMITTED


def test_a_catalog_admin_submits_and_publishes(
    manager, published_events, django_capture_on_commit_callbacks
):
    item = draft_item(by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        guide = services.submit(item.guides.get(), by=manager)
        guide = services.publish(guide, by=manager)
    item.refresh_from_db()
    assert item.current_guide == guide
    assert guide.status == Guide.Status.PUBLISHED
    assert (guide.submitted_by, guide.reviewed_by) == (manager, manager)
    assert published_events == [(1, None)]
    actions = list(AuditRecord.objects.values_list("action", flat=True).order_by("id"))
    assert actions[-2:] == ["catalog.guide.submit", "catalog.guide.publish"]


def test_an_account_must_submit_before_publishing(manager):
    guide = draft_item(by=manager).guides.get()
    with pytest.raises(Conflict):
        services.publish(guide, by=manager)
    guide.refresh_from_db()
    assert guide.status == Guide.Status.DRAFT


def test_rejecting_needs_a_reason_and_sends_the_version_back(manager):
    guide = services.submit(draft_item(by=manager).guides.get(), by=manager)
    with pytest.raises(InvalidInput):
        services.reject(guide, by=manager, reason=" ")
    guide = services.reject(guide, by=manager, reason="收费依据未填写")
    assert guide.status == Guide.Status.DRAFT
    assert AuditRecord.objects.get(action="catalog.guide.reject").note == "收费依据未填写"


def test_a_new_version_supersedes_the_old_which_stays_readable(
    manager, published_events, django_capture_on_commit_callbacks
):
    item = published_item(by=manager, promised_days=10)
    old = item.current_guide
    with django_capture_on_commit_callbacks(execute=True):
        new = services.publish(revise(item, manager, promised_days=5), by=manager)
    item.refresh_from_db()
    old.refresh_from_db()
    assert item.current_guide == new
    assert new.version == 2
    assert old.status == Guide.Status.SUPERSEDED
    assert old.superseded_at is not None
    assert old.promised_days == 10
    assert [s.name for s in old.steps.all()] == ["受理", "审查", "决定"]
    assert published_events == [(2, 1)]
    assert [g.version for g in services.guide_history(item)] == [2, 1]


def test_version_numbers_follow_the_highest_one(manager):
    item = published_item(by=manager)
    services.publish(revise(item, manager, name="二"), by=manager)
    assert services.start_revision(item, by=manager).version == 3


def test_only_one_open_draft_per_item(manager):
    item = published_item(by=manager)
    services.start_revision(item, by=manager)
    with pytest.raises(Conflict):
        services.start_revision(item, by=manager)


def test_a_revision_copies_steps_materials_points_and_relations(manager):
    town = TownCenterFactory()
    window = WindowFactory()
    joint = DepartmentFactory()
    item = draft_item(by=manager, points=[{"center": town, "mode": "assisted"}])
    guide = item.guides.get()
    services.update_draft(guide, by=manager, windows=[window], joint_departments=[joint])
    services.publish(services.submit(guide, by=manager), by=manager)

    draft = services.start_revision(item, by=manager)

    assert list(draft.steps.values_list("name", "days")) == [("受理", 1), ("审查", 3), ("决定", 1)]
    assert [m.shared_data_item for m in draft.materials.all()] == ["registry.person", ""]
    assert [(p.center, p.mode) for p in draft.acceptance_points.all()] == [(town, "assisted")]
    assert list(draft.windows.all()) == [window]
    assert list(draft.joint_departments.all()) == [joint]
    assert services.compare(guide, draft) == []


# --- future effective dates ----------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0), tick=False)
def test_a_future_version_comes_into_force_on_its_date(
    manager, published_events, django_capture_on_commit_callbacks
):
    item = published_item(by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        future = services.publish(
            revise(item, manager, promised_days=7),
            by=manager,
            effective_from=datetime.date(2026, 3, 5),
        )
    item.refresh_from_db()
    assert item.current_guide.version == 1
    assert future.status == Guide.Status.PUBLISHED
    assert services.published_guide(item.implementation_code).version == 1
    assert services.activate_due_versions() == 0

    with time_machine.travel(datetime.datetime(2026, 3, 5, 0, 5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.activate_due_versions.enqueue().return_value == 1
        assert services.published_guide(item.implementation_code).version == 2
    old = item.guides.get(version=1)
    assert old.status == Guide.Status.SUPERSEDED
    assert published_events == [(2, 1)]
    assert AuditRecord.objects.filter(action="catalog.guide.activate").count() == 1


@time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0), tick=False)
def test_a_later_version_in_force_today_overtakes_one_still_waiting(manager):
    item = published_item(by=manager)
    waiting = services.publish(
        revise(item, manager, name="二"), by=manager, effective_from=datetime.date(2026, 4, 1)
    )
    services.publish(revise(item, manager, name="三"), by=manager)
    waiting.refresh_from_db()
    assert waiting.status == Guide.Status.SUPERSEDED
    assert services.activate_due_versions(datetime.date(2026, 4, 2)) == 0
    assert services.published_guide(item.implementation_code).name == "三"


# --- reading -------------------------------------------------------------------------------


def test_the_published_guide_is_the_version_in_force_loaded_at_once(
    manager, django_assert_num_queries
):
    item = published_item(by=manager, points=[{"center": TownCenterFactory(), "mode": "entrusted"}])
    services.start_revision(item, by=manager)
    with django_assert_num_queries(6):
        guide = services.published_guide(item.implementation_code)
        assert guide.version == 1
        assert guide.item.department.name
        assert [s.name for s in guide.steps.all()] == ["受理", "审查", "决定"]
        assert len(guide.materials.all()) == 2
        assert guide.acceptance_points.all()[0].center.name
        list(guide.windows.all())
        list(guide.joint_departments.all())


def test_there_is_no_published_guide_for_a_draft_or_an_inactive_item(manager):
    item = draft_item(by=manager)
    with pytest.raises(NotFound):
        services.published_guide(item.implementation_code)
    item = published_item(by=manager)
    ServiceItem.objects.filter(pk=item.pk).update(is_active=False)
    with pytest.raises(NotFound):
        services.published_guide(item.implementation_code)
    with pytest.raises(NotFound):
        services.published_guide("no-such-code")


def test_compare_lists_field_step_material_and_relation_changes_in_chinese(manager):
    item = published_item(by=manager)
    draft = services.start_revision(item, by=manager)
    joint = DepartmentFactory(name="周至县税务局")
    services.update_draft(
        draft, by=manager, promised_days=5, case_type="promised", joint_departments=[joint]
    )
    services.set_steps(
        draft, [{"name": "受理", "days": 1}, {"name": "审查", "days": 2}], by=manager
    )
    services.set_materials(
        draft,
        [
            {"name": "申请人身份证明", "source": "government", "copies": 2},
            {"name": "营业执照", "source": "government"},
        ],
        by=manager,
    )

    changes = {c.field: c for c in services.compare(item.current_guide, draft)}

    assert changes["promised_days"].label == "承诺办结时限(工作日)"
    assert (changes["promised_days"].old, changes["promised_days"].new) == (10, 5)
    assert changes["joint_departments"].new_display == "周至县税务局"
    assert changes["steps[审查].days"].label == "办理流程「审查」· 时限(工作日)"
    assert changes["steps[决定]"].new_display == "(删除)"
    assert changes["materials[申请书]"].new is None
    assert changes["materials[营业执照]"].old is None
    assert (
        changes["materials[申请人身份证明].copies"].old,
        changes["materials[申请人身份证明].copies"].new,
    ) == (1, 2)
    assert "case_type" not in changes


def test_compare_shows_choices_by_their_chinese_labels(manager):
    item = published_item(by=manager)
    draft = services.start_revision(item, by=manager)
    services.update_draft(draft, by=manager, online_depth=4, max_visits=0, visit_reason="")
    change = next(
        c for c in services.compare(item.current_guide, draft) if c.field == "online_depth"
    )
    assert (change.old_display, change.new_display) == ("Ⅲ级 网上预审", "Ⅳ级 全程网办")


def test_the_factory_guide_for_other_tests_is_consistent():
    guide = GuideFactory()
    assert services.check(guide) == []
    assert guide.steps.count() == 3
