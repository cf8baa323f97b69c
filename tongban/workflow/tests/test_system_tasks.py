"""System tasks: the 缴费 step of the fee templates, done by an app and by no person."""

import pytest

from tongban.audit.models import AuditRecord
from tongban.errors import Conflict
from tongban.identity import access
from tongban.workflow import services
from tongban.workflow.models import ProcessInstance, Task
from tongban.workflow.tests.factories import do, office
from tongban.workflow.tests.test_deploy import GOOD, admin, problems  # noqa: F401

pytestmark = pytest.mark.django_db


def approved(template: str):
    """An instance of a fee template waiting at 缴费, with its offices."""
    window, bureau = office(), office()
    departments = {"clerk": window.department, "approver": bureau.department}
    instance = services.start(
        services.template(template), subject="cases.Case:7", departments=departments
    )
    if template == "standard_fee":
        instance = do(instance, "Activity_accept", [window], decision="accept")
        instance = do(instance, "Activity_review", [bureau], decision="approve")
        instance = do(instance, "Activity_decide", [bureau], decision="approve")
    else:
        instance = do(instance, "Activity_decide", [window], decision="approve")
    return instance, window


@pytest.mark.parametrize("template", ["standard_fee", "instant_fee"])
def test_the_fee_templates_wait_at_a_system_task_after_approval(template):
    instance, window = approved(template)
    (pay,) = services.ready_tasks(instance)
    assert (pay.name, pay.title, pay.system) == ("Activity_pay", "缴费", "payments")
    assert pay.department == window.department
    # Nobody does it by hand, and it is in nobody's inbox.
    assert not access.can(window.clerk, "workflow.complete_task", pay)
    assert not services.inbox(window.clerk).filter(pk=pay.pk).exists()


def test_the_app_completes_it_once_and_the_clerk_concludes():
    instance, window = approved("standard_fee")
    (pay,) = services.ready_tasks(instance)
    services.complete_system(pay, system="payments", data={"paid": True, "order": "ZF1"})
    again = services.complete_system(pay, system="payments", data={"paid": True})
    assert again.pk == instance.pk
    pay.refresh_from_db()
    assert (pay.status, pay.completed_by, pay.data) == (
        Task.Status.COMPLETED,
        None,
        {"paid": True, "order": "ZF1"},
    )
    record = AuditRecord.objects.get(action="workflow.task.complete", object_id=str(pay.pk))
    assert record.actor_repr == "system:payments"
    assert [t.name for t in services.ready_tasks(instance)] == ["Activity_conclude"]
    finished = do(instance, "Activity_conclude", [window])
    assert finished.status == ProcessInstance.Status.COMPLETED


def test_another_app_cannot_complete_it_nor_a_person_task():
    instance, _ = approved("instant_fee")
    (pay,) = services.ready_tasks(instance)
    with pytest.raises(Conflict):
        services.complete_system(pay, system="logistics")
    other, _ = approved("instant_fee")
    do_task = services.ready_tasks(other).get()
    services.complete_system(do_task, system="payments")
    (conclude,) = services.ready_tasks(other)
    with pytest.raises(Conflict):
        services.complete_system(conclude, system="payments")


def test_an_upload_naming_an_unknown_system_is_refused(admin):  # noqa: F811
    xml = GOOD.replace(
        '<bpmn:userTask id="Activity_1i4k0dn" name="审批">',
        '<bpmn:userTask id="Activity_1i4k0dn" name="审批">'
        "<bpmn:extensionElements><camunda:properties xmlns:camunda="
        '"http://camunda.org/schema/1.0/bpmn">'
        '<camunda:property name="system" value="lottery" />'
        "</camunda:properties></bpmn:extensionElements>",
    )
    assert "系统任务「lottery」不存在" in problems(xml, admin)
