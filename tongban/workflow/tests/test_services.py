"""Permissions, conflicts, cancelling, the inbox and the stored state of an instance."""

import json

import pytest

from tongban.audit.models import AuditRecord
from tongban.errors import Conflict, InvalidInput, PermissionDenied
from tongban.org.tests.factories import MembershipFactory, staff_with_role
from tongban.workflow import services
from tongban.workflow.models import ProcessInstance, Task
from tongban.workflow.tests.factories import Role, do, office

pytestmark = pytest.mark.django_db


def standard(window, bureau, subject="cases.Case:1"):
    return services.start(
        services.template("standard"),
        subject=subject,
        departments={"clerk": window.department, "approver": bureau.department},
    )


def test_staff_of_another_department_cannot_complete_the_task():
    window, bureau, elsewhere = office(), office(), office()
    instance = do(standard(window, bureau), "Activity_accept", [window], decision="accept")
    (review,) = services.ready_tasks(instance)
    with pytest.raises(PermissionDenied):
        services.complete(review, by=elsewhere.approver, data={"decision": "approve"})
    with pytest.raises(PermissionDenied):
        services.complete(review, by=bureau.clerk, data={"decision": "approve"})
    review.refresh_from_db()
    assert review.status == Task.Status.READY


def test_an_assigned_task_is_only_for_its_assignee():
    window, bureau = office(), office()
    colleague = staff_with_role(Role.APPROVER, department=bureau.department)
    instance = do(standard(window, bureau), "Activity_accept", [window], decision="accept")
    (review,) = services.ready_tasks(instance)
    review.assignee = bureau.approver
    review.save()
    with pytest.raises(PermissionDenied):
        services.complete(review, by=colleague, data={"decision": "approve"})
    assert list(services.inbox(colleague)) == []
    assert list(services.inbox(bureau.approver)) == [review]


def test_completing_a_done_task_again_is_a_conflict():
    window, bureau = office(), office()
    instance = standard(window, bureau)
    (accept,) = services.ready_tasks(instance)
    services.complete(accept, by=window.clerk, data={"decision": "accept"})
    with pytest.raises(Conflict):
        services.complete(accept, by=window.clerk, data={"decision": "accept"})
    assert instance.tasks.filter(name="Activity_review").count() == 1


def test_a_missing_decision_is_refused_and_changes_nothing():
    window, bureau = office(), office()
    instance = standard(window, bureau)
    state = ProcessInstance.objects.get(pk=instance.pk).state
    (accept,) = services.ready_tasks(instance)
    with pytest.raises(InvalidInput) as caught:
        services.complete(accept, by=window.clerk, data={"decision": "maybe"})
    assert "受理(accept)" in caught.value.fields["decision"][0]
    with pytest.raises(InvalidInput):
        services.complete(accept, by=window.clerk, data={"__class__": 1})
    accept.refresh_from_db()
    assert accept.status == Task.Status.READY
    assert ProcessInstance.objects.get(pk=instance.pk).state == state


def test_cancel_closes_open_tasks_and_refuses_further_work():
    window, bureau = office(), office()
    instance = standard(window, bureau)
    (accept,) = services.ready_tasks(instance)
    with pytest.raises(InvalidInput):
        services.cancel(instance, by=window.clerk, reason=" ")
    instance = services.cancel(instance, by=window.clerk, reason="申请人撤回")
    assert instance.status == ProcessInstance.Status.CANCELLED
    accept.refresh_from_db()
    assert accept.status == Task.Status.CANCELLED
    with pytest.raises(Conflict):
        services.complete(accept, by=window.clerk, data={"decision": "accept"})
    assert AuditRecord.objects.filter(action="workflow.instance.cancel").count() == 1


def test_start_needs_a_department_for_every_lane_and_known_review_departments():
    window = office()
    with pytest.raises(InvalidInput) as caught:
        services.start(
            services.template("standard"),
            subject="cases.Case:2",
            departments={"clerk": window.department},
        )
    assert "审批人员" in caught.value.fields["departments"][0]
    with pytest.raises(InvalidInput) as caught:
        services.start(
            services.template("parallel"),
            subject="cases.Case:3",
            departments=window.department,
            data={"review_departments": [window.department.code, "nowhere"]},
        )
    assert "「nowhere」" in caught.value.fields["departments"][0]
    with pytest.raises(InvalidInput):
        services.start(services.template("instant"), subject="42", departments=window.department)
    assert not ProcessInstance.objects.exists()


def test_each_state_change_leaves_an_audit_record():
    window, bureau = office(), office()
    instance = do(standard(window, bureau), "Activity_accept", [window], decision="refuse")
    actions = set(
        AuditRecord.objects.filter(action__startswith="workflow.").values_list("action", flat=True)
    )
    assert {
        "workflow.instance.start",
        "workflow.task.complete",
        "workflow.instance.complete",
    } <= actions
    assert instance.end_event == "EndEvent_refused"


def test_inbox_is_one_query_whatever_its_size(django_assert_num_queries):
    window, bureau = office(), office()
    second_center = staff_with_role(Role.CLERK, department=office().department)
    MembershipFactory(user=second_center, department=window.department, role=Role.CLERK)
    for n in range(3):
        standard(window, bureau, subject=f"cases.Case:{n}")
    with django_assert_num_queries(1):
        rows = [
            (t.title, t.instance.definition.name, t.department.name)
            for t in services.inbox(second_center)
        ]
    assert len(rows) == 3
    for n in range(3, 12):
        standard(window, bureau, subject=f"cases.Case:{n}")
    with django_assert_num_queries(1):
        rows = [
            (t.title, t.instance.subject, t.department.name) for t in services.inbox(second_center)
        ]
    assert len(rows) == 12
    assert list(services.inbox(bureau.approver)) == []
    assert list(services.inbox(office().clerk)) == []


def test_state_is_stored_without_the_spec_and_is_small():
    window, lead, hr, market = office(), office(), office(), office()
    instance = services.start(
        services.template("parallel"),
        subject="cases.Case:9",
        departments={"clerk": window.department, "approver": lead.department},
        data={"review_departments": [hr.department.code, market.department.code]},
    )
    instance = do(instance, "Activity_accept", [window], decision="accept")
    instance = do(instance, "Activity_review", [hr], decision="approve")
    state = ProcessInstance.objects.get(pk=instance.pk).state
    stored = json.loads(state)
    assert "spec" not in stored and "subprocess_specs" not in stored
    size = len(state.encode())
    print(
        f"parallel instance state mid-review: {size} bytes; spec: {len(instance.definition.spec)}"
    )
    assert size < 20_000, f"state is {size} bytes"
    assert len(instance.definition.spec) > size


def test_send_back_to_review_then_finish():
    window, bureau = office(), office()
    instance = do(standard(window, bureau), "Activity_accept", [window], decision="accept")
    instance = do(instance, "Activity_review", [bureau], decision="approve")
    (decide,) = services.ready_tasks(instance)
    with pytest.raises(InvalidInput):
        services.send_back(decide, by=bureau.approver, to="Activity_conclude", reason="补充")
    instance = services.send_back(decide, by=bureau.approver, to="Activity_review", reason="重审")
    (review,) = services.ready_tasks(instance)
    assert review.name == "Activity_review" and review.pk != decide.pk
    decide.refresh_from_db()
    assert (decide.status, decide.data["sent_back_to"]) == (
        Task.Status.CANCELLED,
        "Activity_review",
    )
    instance = do(instance, "Activity_review", [bureau], decision="approve")
    instance = do(instance, "Activity_decide", [bureau], decision="approve")
    instance = do(instance, "Activity_conclude", [window])
    assert instance.end_event == "EndEvent_concluded"
    assert instance.tasks.filter(name="Activity_review").count() == 2


def test_claim_marks_who_is_on_it():
    window, bureau = office(), office()
    colleague = staff_with_role(Role.CLERK, department=window.department)
    (accept,) = services.ready_tasks(standard(window, bureau))
    services.claim(accept, by=window.clerk)
    with pytest.raises(Conflict):
        services.claim(accept, by=colleague)
    accept.refresh_from_db()
    assert accept.claimed_by == window.clerk


def test_external_entities_are_not_resolved():
    admin = staff_with_role(Role.CATALOG_ADMIN)
    xml = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        '<bpmn:process id="p" name="&x;" isExecutable="true"/></bpmn:definitions>'
    )
    with pytest.raises(InvalidInput) as caught:
        services.deploy(xml, key="xxe", name="x", by=admin)
    assert "root:" not in str(caught.value.fields)
