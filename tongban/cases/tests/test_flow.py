"""Cases through every shipped template end to end (tongban.cases.flow)."""

import pytest

from tongban.cases import flow, outcomes, services, signals
from tongban.cases.models import ResultType, Status
from tongban.cases.tests.factories import (
    applicant_person,
    application_form,
    approver_of,
    clerk_of,
    file_case,
    form_item,
)
from tongban.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role
from tongban.workflow import bindings
from tongban.workflow.models import ProcessInstance

pytestmark = pytest.mark.django_db
Role = StaffMembership.Role
INSTANT = {
    "case_type": "instant",
    "promised_days": 0,
    "review_type": "immediate",
    "steps": [{"name": "受理并当场办结", "days": 0, "description": "窗口当场办结"}],
}


def only_task(case):
    tasks = list(flow.tasks_for(case))
    assert len(tasks) == 1, tasks
    return tasks[0]


def accepted(item):
    case = file_case(item, applicant_person())
    clerk = clerk_of(item)
    case = services.accept(case, by=clerk)
    return case, clerk


def test_acceptance_starts_standard_and_completes_its_accept_task():
    item = form_item()
    case, _clerk = accepted(item)
    assert flow.process_for(case).key == "standard"
    assert case.process_instance_id
    assert only_task(case).name == "Activity_review"


def test_standard_end_to_end_approved_then_concluded_and_delivered():
    item = form_item()
    case, clerk = accepted(item)
    approver = approver_of(item)
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    assert case.status == Status.IN_REVIEW
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    assert case.status == Status.APPROVED
    task = only_task(case)
    assert task.name == "Activity_conclude"
    case = flow.decide(case, task, by=clerk, decision="", reasons="发放许可证")
    assert case.status == Status.CONCLUDED
    # The factory's guide promises a license; nothing chosen: the 出件 window.
    assert (case.result_type, case.delivery_method) == (ResultType.LICENSE, "window")
    instance = ProcessInstance.objects.get(pk=case.process_instance_id)
    assert instance.end_event == "EndEvent_concluded"
    assert services.deliver(case, by=clerk).status == Status.DELIVERED


def test_standard_deny_branch_needs_reasons_and_concludes():
    item = form_item()
    case, _clerk = accepted(item)
    approver = approver_of(item)
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    with pytest.raises(InvalidInput):
        flow.decide(case, only_task(case), by=approver, decision="deny")
    case = flow.decide(case, only_task(case), by=approver, decision="deny", reasons="条件不符")
    assert case.status == Status.CONCLUDED
    assert case.result_type == ResultType.REFUSAL
    assert case.events.filter(verb="deny", note="条件不符").exists()
    assert ProcessInstance.objects.get(pk=case.process_instance_id).end_event == "EndEvent_denied"
    assert list(flow.tasks_for(case)) == []


def test_instant_decided_by_the_clerk_at_the_window():
    item = form_item(**INSTANT)
    case, clerk = accepted(item)
    task = only_task(case)
    assert (flow.process_for(case).key, task.name) == ("instant", "Activity_decide")
    case = flow.decide(case, task, by=clerk, decision="approve")
    assert case.status == Status.CONCLUDED
    assert case.concluded_at is not None


def test_instant_refused_at_the_window_before_acceptance():
    item = form_item(**INSTANT)
    case = file_case(item, applicant_person())
    clerk = clerk_of(item)
    instance = flow.start_process(case, by=clerk)
    case = flow.decide(case, only_task(case), by=clerk, decision="refuse", reasons="不属于受理范围")
    assert case.status == Status.REFUSED
    instance.refresh_from_db()
    assert instance.status == ProcessInstance.Status.CANCELLED


def test_parallel_with_two_departments():
    item = form_item()
    first, second = DepartmentFactory(code="rev-a"), DepartmentFactory(code="rev-b")
    bindings.bind(
        item.implementation_code, "parallel", by="test", review_departments=["rev-a", "rev-b"]
    )
    case, clerk = accepted(item)
    tasks = list(flow.tasks_for(case))
    assert {t.department_id for t in tasks} == {first.pk, second.pk}
    reviewer_a = staff_with_role(Role.APPROVER, department=first)
    reviewer_b = staff_with_role(Role.APPROVER, department=second)
    task_a = next(t for t in tasks if t.department_id == first.pk)
    task_b = next(t for t in tasks if t.department_id == second.pk)
    with pytest.raises(PermissionDenied):  # reviewer A may not do B's task
        flow.decide(case, task_b, by=reviewer_a, decision="approve")
    case = flow.decide(case, task_a, by=reviewer_a, decision="approve")
    assert case.status == Status.IN_REVIEW
    assert only_task(case).department_id == second.pk
    flow.decide(case, task_b, by=reviewer_b, decision="approve", reasons="同意")
    lead = approver_of(item)
    decide = only_task(case)
    assert (decide.name, decide.department_id) == ("Activity_decide", item.department_id)
    case = flow.decide(case, decide, by=lead, decision="approve")
    case = flow.decide(case, only_task(case), by=clerk, decision="")
    assert case.status == Status.CONCLUDED


def test_commitment_with_the_check_task():
    item = form_item()
    bindings.bind(item.implementation_code, "commitment", by="test")
    case, clerk = accepted(item)
    approver = approver_of(item)
    assert flow.process_for(case).key == "commitment"
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    assert case.status == Status.APPROVED
    case = flow.decide(case, only_task(case), by=clerk, decision="", reasons="准予,发证")
    assert case.status == Status.CONCLUDED
    check = only_task(case)
    assert check.name == "Activity_check" and check.due_at is not None
    case = flow.decide(case, check, by=approver, decision="pass", reasons="现场核查合格")
    assert case.events.filter(verb="check").exists()
    assert ProcessInstance.objects.get(pk=case.process_instance_id).end_event == "EndEvent_passed"


def test_supplement_round_trip_on_the_same_case():
    item = form_item()
    applicant = applicant_person()
    case = file_case(item, applicant)
    clerk = clerk_of(item)
    spec = item.current_guide.materials.get(name="申请书")
    case = services.request_supplement(
        case, by=clerk, items=[{"material": spec.pk, "reason": "未签字"}]
    )
    assert case.process_instance_id is None
    case = services.resubmit(case, by=applicant, materials=application_form(item))
    case = services.accept(case, by=clerk)
    assert case.round == 2 and only_task(case).name == "Activity_review"


def test_send_back_redoes_the_review():
    item = form_item()
    case, _clerk = accepted(item)
    approver = approver_of(item)
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    case = flow.send_back(
        case, only_task(case), by=approver, to="Activity_review", reason="补充审查"
    )
    assert only_task(case).name == "Activity_review"
    assert case.events.filter(verb="send_back").exists()


def test_illegal_moves_conflict():
    item = form_item()
    case, clerk = accepted(item)
    approver = approver_of(item)
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    case = flow.decide(case, only_task(case), by=approver, decision="deny", reasons="不符")
    with pytest.raises(Conflict):
        services.conclude(case, by=clerk)


def test_another_departments_clerk_gets_not_found():
    item = form_item()
    case, _clerk = accepted(item)
    stranger = staff_with_role(Role.APPROVER, department=DepartmentFactory())
    with pytest.raises(NotFound):
        flow.decide(case, only_task(case), by=stranger, decision="approve")


def test_inbox_lists_the_users_cases_with_colours(travel, django_assert_max_num_queries):
    travel(2026, 3, 2)
    item = form_item()
    approver = approver_of(item)
    cases = [accepted(item)[0] for _ in range(3)]
    travel(2026, 3, 12)  # 8 of 10 working days used
    with django_assert_max_num_queries(4):
        rows, more = flow.inbox(approver, limit=2)
    assert [c.pk for c in rows] == [cases[2].pk, cases[1].pk] and more == cases[1].pk
    assert rows[0].colour.code == "yellow" and rows[0].task_title == "审查"
    travel(2026, 3, 20)
    rows, _ = flow.inbox(approver, colour="red")
    assert len(rows) == 3
    travel(2026, 3, 4)
    rows, _ = flow.inbox(approver)
    assert {c.colour.code for c in rows} == {"green"}
    assert flow.inbox(staff_with_role(Role.APPROVER, department=DepartmentFactory()))[0] == []


def test_a_colour_filter_finds_matches_beyond_the_first_page(travel):
    travel(2026, 3, 2)
    item = form_item()
    approver = approver_of(item)
    old = [accepted(item)[0] for _ in range(2)]
    travel(2026, 3, 16)
    [accepted(item)[0] for _ in range(3)]  # newer, green
    travel(2026, 3, 20)  # the two old ones are overdue
    rows, more = flow.inbox(approver, colour="red", limit=1)
    assert [c.pk for c in rows] == [old[1].pk] and more == old[1].pk
    rows, more = flow.inbox(approver, colour="red", limit=1, before=more)
    assert [c.pk for c in rows] == [old[0].pk] and more is None
    assert flow.inbox(approver, colour="yellow", limit=1) == ([], None)


def test_demo_items_are_bound_to_parallel_and_commitment():
    from tongban.catalog import demo as catalog_demo
    from tongban.org import demo as org_demo
    from tongban.workflow import demo as workflow_demo
    from tongban.workflow.models import ProcessBinding

    org_demo.load()
    catalog_demo.load()
    workflow_demo.load()
    keys = set(ProcessBinding.objects.values_list("definition_key", flat=True))
    assert keys == {"parallel", "commitment"}
    assert ProcessBinding.objects.count() == len(workflow_demo.DEMO_BINDINGS)
    assert workflow_demo.is_loaded()
    workflow_demo.load()  # idempotent
    assert ProcessBinding.objects.count() == len(workflow_demo.DEMO_BINDINGS)


def test_a_license_item_concludes_with_a_license_delivered_as_chosen_and_says_so_once(
    django_capture_on_commit_callbacks,
):
    item = form_item()
    case = file_case(item, applicant_person(), delivery="electronic")
    clerk, approver = clerk_of(item), approver_of(item)
    case = services.accept(case, by=clerk)
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    heard = []

    def listen(sender, **kwargs):
        heard.append((kwargs["case_pk"], kwargs["result_type"]))

    signals.case_concluded.connect(listen, dispatch_uid="test.listen")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case = flow.decide(case, only_task(case), by=clerk, decision="")
    finally:
        signals.case_concluded.disconnect(dispatch_uid="test.listen")
    assert (case.result_type, case.delivery_method) == (ResultType.LICENSE, "electronic")
    assert heard == [(case.pk, "license")]


@pytest.mark.parametrize(
    ("promised", "status", "result"),
    [
        ("license", Status.APPROVED, ResultType.LICENSE),
        ("document", Status.APPROVED, ResultType.DOCUMENT),
        ("approval", Status.APPROVED, ResultType.APPROVAL),
        ("other", Status.APPROVED, ResultType.APPROVAL),
        ("", Status.APPROVED, ResultType.APPROVAL),
        ("license", Status.DENIED, ResultType.REFUSAL),
    ],
)
def test_the_outcome_follows_the_decision_and_the_guide(promised, status, result):
    case = file_case(form_item(), applicant_person())
    case.guide.result_type = promised
    case.status = status
    assert outcomes.outcome_of(case) == result


FEES = {
    "charges_fee": True,
    "fee_standard": "工本费 40 元",
    "fee_items": [{"code": "103010102", "name": "工本费", "amount": "40.00", "basis": "规定"}],
}


@pytest.mark.parametrize(("extra", "key"), [({}, "standard_fee"), (INSTANT, "instant_fee")])
def test_a_guide_with_fee_items_runs_the_fee_template_and_waits_for_payment(extra, key):
    item = form_item(**FEES, **extra)
    case, clerk = accepted(item)
    assert flow.process_for(case).key == key
    if key == "standard_fee":
        approver = approver_of(item)
        case = flow.decide(case, only_task(case), by=approver, decision="approve")
        case = flow.decide(case, only_task(case), by=approver, decision="approve")
    else:
        case = flow.decide(case, only_task(case), by=clerk, decision="approve")
    assert case.status == Status.APPROVED
    pay = only_task(case)
    assert (pay.name, pay.system) == ("Activity_pay", "payments")
    with pytest.raises(PermissionDenied):
        flow.decide(case, pay, by=clerk, decision="")


def test_a_fee_text_without_fee_items_keeps_the_plain_template():
    item = form_item(charges_fee=True, fee_standard="以缴费通知书为准")
    case, _clerk = accepted(item)
    assert flow.process_for(case).key == "standard"


def test_other_apps_record_events_and_confirm_delivery():
    item = form_item()
    case, clerk = accepted(item)
    event = services.record_event(case, "pay", by="system:payments", note="已缴费 40.00 元")
    assert (event.verb, event.from_status, event.to_status) == ("pay", case.status, case.status)
    with pytest.raises(ValueError):
        services.record_event(case, "teleport", by=clerk)
    approver = approver_of(item)
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    case = flow.decide(case, only_task(case), by=clerk, decision="")
    case = services.deliver_by_system(case, system="logistics", note="快递已签收")
    assert case.status == Status.DELIVERED
    assert case.events.get(verb="deliver").actor is None
    assert case.delivered_at is not None
