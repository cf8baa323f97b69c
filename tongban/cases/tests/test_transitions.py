"""Pre-review and the clock: accept, refuse, the one-time supplement round trip, suspension
and extension arithmetic, illegal transitions, and who may see and act on a case."""

import datetime

import pytest

from tongban.audit.models import AuditRecord
from tongban.cases import services, transitions
from tongban.cases.models import Case, CaseEvent, Material, Status
from tongban.cases.tests.factories import (
    applicant_person,
    approver_of,
    clerk_of,
    file_case,
    form_item,
    pdf,
    window_clerk,
)
from tongban.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tongban.identity.models import Agent, EnterpriseAccount
from tongban.notify.models import Message
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role
from tongban.registry.tests.factories import LegalEntityFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    return form_item()


@pytest.fixture
def applicant():
    return applicant_person()


@pytest.fixture
def case(item, applicant):
    return file_case(item, applicant)


# --- accept and refuse ---------------------------------------------------------------------------


def test_accepting_starts_both_clocks_the_day_after(travel, item, applicant):
    travel(2026, 9, 30)
    case = file_case(item, applicant)

    case = services.accept(case, by=clerk_of(item))

    assert case.status == Status.ACCEPTED and case.accepted_on == D(2026, 9, 30)
    # 10 promised / 20 statutory working days over National Day.
    assert (case.promised_due, case.statutory_due) == (D(2026, 10, 20), D(2026, 11, 3))
    assert not case.due_provisional
    travel(2026, 10, 12)
    clock = services.clock_of(case)
    assert (clock.used, clock.left, clock.running) == (4, 6, True)
    assert AuditRecord.objects.filter(action="cases.case.accept", object_id=str(case.pk)).exists()


def test_a_due_date_into_an_unknown_year_is_stored_flagged_and_fixed_by_a_schedule(
    travel, item, applicant
):
    from tongban.cases import schedules

    travel(2026, 12, 21)
    case = services.accept(file_case(item, applicant), by=clerk_of(item))
    assert case.due_provisional
    assert services.clock_of(case).unknown_years == (2027,)

    # 2027-01-01..01-05 declared holidays: the 10 days end later than on weekends alone.
    before = case.promised_due
    schedules.enter_schedule(
        year=2027, holidays=schedules.parse_dates("2027-01-01~2027-01-05"), workdays=[], by=None
    )
    case.refresh_from_db()
    assert not case.due_provisional
    assert case.promised_due > before


def test_refusing_needs_a_reason_and_writes_the_notice(item, case):
    clerk = clerk_of(item)
    with pytest.raises(InvalidInput) as raised:
        services.refuse(case, by=clerk, reason="  ")
    assert "reason" in raised.value.fields

    case = services.refuse(case, by=clerk, reason="申请事项不属于本部门职权范围")

    assert case.status == Status.REFUSED
    assert "决定不予受理" in case.refusal_notice
    assert (
        case.number in case.refusal_notice and "申请事项不属于本部门职权范围" in case.refusal_notice
    )
    assert "行政复议" in case.refusal_notice


# --- the supplement round trip (一次性告知) ---------------------------------------------------


def test_supplement_round_trip_on_the_same_case(item, applicant, case):
    clerk = clerk_of(item)
    application = item.current_guide.materials.get(name="申请书")

    case = services.request_supplement(
        case,
        by=clerk,
        items=[
            {"material": application.pk, "reason": "未签字"},
            {"material": "房屋租赁合同", "reason": "缺少经营场所证明"},
        ],
    )
    assert case.status == Status.SUPPLEMENT_REQUESTED
    notice = case.supplement.notice
    assert "1. 申请书:未签字" in notice and "2. 房屋租赁合同:缺少经营场所证明" in notice

    # A resubmission without the named material is refused and changes nothing.
    with pytest.raises(InvalidInput) as raised:
        services.resubmit(case, by=applicant, materials=[])
    assert f"materials.{application.pk}" in raised.value.fields
    case.refresh_from_db()
    assert case.status == Status.SUPPLEMENT_REQUESTED and case.round == 1

    case = services.resubmit(
        case,
        by=applicant,
        form_data={"purpose": "补正后重新申请"},
        materials=[{"spec": application.pk, "file": pdf(body=b"%PDF-1.4 signed")}],
    )

    assert case.status == Status.SUBMITTED and case.round == 2
    assert case.form_data["purpose"] == "补正后重新申请"
    assert Case.objects.count() == 1
    current = Material.objects.filter(case=case, spec=application, superseded=False)
    assert current.get().round == 2
    assert Material.objects.filter(case=case, spec=application, superseded=True).count() == 1
    case.supplement.refresh_from_db()
    assert case.supplement.answered_at is not None

    # Once: a second request for the same case is refused; acceptance goes on.
    with pytest.raises(Conflict):
        services.request_supplement(case, by=clerk, items=[{"material": "其他", "reason": "x"}])
    case = services.accept(case, by=clerk)
    verbs = list(CaseEvent.objects.filter(case=case).values_list("verb", flat=True))
    assert verbs == ["submit", "request_supplement", "resubmit", "accept"]


def test_a_supplement_request_lists_every_item_with_a_reason(item, case):
    with pytest.raises(InvalidInput) as raised:
        services.request_supplement(
            case, by=clerk_of(item), items=[{"material": "申请书", "reason": ""}]
        )
    assert "items[0].reason" in raised.value.fields
    with pytest.raises(InvalidInput):
        services.request_supplement(case, by=clerk_of(item), items=[])
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_a_second_request_while_waiting_is_an_illegal_transition(item, case):
    clerk = clerk_of(item)
    services.request_supplement(case, by=clerk, items=[{"material": "申请书", "reason": "模糊"}])
    with pytest.raises(Conflict):
        services.request_supplement(case, by=clerk, items=[{"material": "申请书", "reason": "x"}])


# --- suspension and extension --------------------------------------------------------------------


def test_suspension_stops_the_clock_and_extension_adds_days(travel, item, applicant):
    travel(2026, 11, 2)  # Monday
    clerk, approver = clerk_of(item), approver_of(item)
    case = services.accept(file_case(item, applicant), by=clerk)
    assert case.promised_due == D(2026, 11, 16)

    travel(2026, 11, 4)
    case = services.suspend(case, by=approver, kind="expert_review", reason="组织专家评审")
    assert case.status == Status.SUSPENDED
    travel(2026, 11, 6)
    clock = services.clock_of(case)
    assert (clock.used, clock.running) == (1, False)  # 11-03 only; 11-04 on stand still

    travel(2026, 11, 9)
    case = services.resume(case, by=approver)
    assert case.status == Status.ACCEPTED
    # 11-04, 11-05, 11-06 did not count: three working days later.
    assert case.promised_due == D(2026, 11, 19)
    travel(2026, 11, 10)
    clock = services.clock_of(case)
    assert (clock.used, clock.left) == (3, 7)  # 11-03, 11-09, 11-10

    case = services.extend(case, by=approver, days=5, reason="需补充现场核查")
    assert case.extension_days == 5 and case.promised_due == D(2026, 11, 26)
    assert services.clock_of(case).left == 12
    assert case.events.last().verb == "extend"


def test_only_an_approver_extends(item, case):
    clerk = clerk_of(item)
    case = services.accept(case, by=clerk)
    with pytest.raises(PermissionDenied):
        services.extend(case, by=clerk, days=5, reason="x")
    with pytest.raises(InvalidInput):
        services.extend(case, by=approver_of(item), days=0, reason="x")


def test_suspend_needs_a_known_kind(item, case):
    case = services.accept(case, by=clerk_of(item))
    with pytest.raises(InvalidInput):
        services.suspend(case, by=approver_of(item), kind="holiday", reason="x")


# --- illegal transitions -------------------------------------------------------------------------


def test_illegal_transitions_are_refused_with_a_chinese_message(item, case):
    clerk, approver = clerk_of(item), approver_of(item)
    services.refuse(case, by=clerk, reason="不符合受理条件")

    with pytest.raises(transitions.IllegalTransition) as raised:
        services.accept(case, by=clerk)
    assert raised.value.status == 409
    assert raised.value.message == "办件当前状态为“不予受理”,不能受理"
    with pytest.raises(Conflict):
        services.approve(case, by=approver)
    with pytest.raises(Conflict):
        services.resume(case, by=approver)


def test_concluding_twice_is_refused(item, case):
    clerk, approver = clerk_of(item), approver_of(item)
    services.accept(case, by=clerk)
    services.approve(case, by=approver)
    services.conclude(case, by=approver)
    with pytest.raises(transitions.IllegalTransition):
        services.conclude(case, by=approver)
    case = services.deliver(case, by=clerk)
    assert case.status == Status.DELIVERED


def test_every_status_change_notifies_the_applicant(item, applicant, case):
    services.accept(case, by=clerk_of(item))
    bodies = list(
        Message.objects.filter(recipient=applicant, template_code="cases.status_changed")
        .order_by("pk")
        .values_list("body", flat=True)
    )
    assert len(bodies) == 2 and "已受理" in bodies[1]


def test_the_history_is_append_only(case):
    event = case.events.get()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(case=case).update(note="x")
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(case=case).delete()


def test_the_transition_table_answers_the_workbench():
    assert transitions.allowed_verbs(Status.SUBMITTED) == [
        "accept",
        "refuse",
        "request_supplement",
        "withdraw",
    ]
    assert transitions.allowed_verbs(Status.DELIVERED) == []


# --- who sees and acts ---------------------------------------------------------------------------


def test_a_clerk_of_another_department_gets_not_found(case):
    stranger = staff_with_role(StaffMembership.Role.CLERK, department=DepartmentFactory())

    with pytest.raises(NotFound):
        services.accept(case, by=stranger)
    with pytest.raises(NotFound):
        services.case_for(stranger, case.pk)
    assert services.list_cases(stranger) == ([], None)
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_an_applicant_sees_only_their_own_cases(item, applicant, case):
    other = applicant_person()
    other_case = file_case(item, other)

    assert services.list_cases(applicant)[0] == [case]
    assert services.case_for(applicant, case.pk) == case
    with pytest.raises(NotFound):
        services.case_for(applicant, other_case.pk)
    with pytest.raises(NotFound):
        services.withdraw(other_case, by=applicant)
    with pytest.raises(PermissionDenied):
        services.accept(case, by=applicant)


def test_the_clerk_of_the_center_where_it_was_filed_acts_on_it(item):
    clerk, window = window_clerk()
    case = file_case(item, applicant_person(), channel="county_window", window=window, by=clerk)

    assert services.case_for(clerk, case.pk) == case
    assert services.accept(case, by=clerk).status == Status.ACCEPTED


def test_a_supervisor_sees_every_case_but_acts_on_none(case):
    supervisor = staff_with_role(StaffMembership.Role.SUPERVISOR)
    assert services.case_for(supervisor, case.pk) == case
    with pytest.raises(PermissionDenied):
        services.accept(case, by=supervisor)


def test_an_enterprise_case_is_seen_by_agents_with_the_view_scope(item):
    rep = applicant_person()
    enterprise = EnterpriseAccount.objects.create(legal_entity=LegalEntityFactory(), legal_rep=rep)
    case = file_case(item, rep, enterprise=enterprise)
    viewer, outsider = applicant_person(), applicant_person()
    for user, scopes in ((viewer, ["view"]), (outsider, ["pay"])):
        Agent.objects.create(
            enterprise=enterprise,
            user=user,
            scopes=scopes,
            expires_on=D(2099, 1, 1),
            granted_by=rep,
        )

    assert services.list_cases(viewer)[0] == [case]
    assert services.list_cases(outsider)[0] == []


def test_lists_page_by_keyset_newest_first(item, applicant):
    cases = [file_case(item, applicant) for _ in range(5)]

    page, cursor = services.list_cases(applicant, limit=2)
    assert page == [cases[4], cases[3]]
    page, cursor = services.list_cases(applicant, limit=2, before=cursor)
    assert page == [cases[2], cases[1]]
    page, cursor = services.list_cases(applicant, limit=2, before=cursor)
    assert page == [cases[0]] and cursor is None


def test_the_case_admin_lists_only_the_cases_a_clerk_may_see(client, item, case):
    from tongban.identity.tests.helpers import verified_login

    other = file_case(form_item(), applicant_person())
    verified_login(client, clerk_of(item))

    page = client.get("/admin/cases/case/").content.decode()

    assert case.number in page and other.number not in page
    assert "王*明" in page and "王小明" not in page
