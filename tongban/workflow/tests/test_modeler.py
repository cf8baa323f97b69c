"""Files as bpmn.io and Camunda Modeler export them deploy and run unchanged; DMN decides."""

import datetime
from pathlib import Path

import pytest

from tongban.core import clock
from tongban.org.tests.factories import staff_with_role
from tongban.workflow import services
from tongban.workflow.tests.factories import Role, do, office

pytestmark = pytest.mark.django_db
FILES = Path(__file__).resolve().parent / "files"
DMN = (services.PROCESSES / "approval_suggestion.dmn").read_text(encoding="utf-8")


def deploy_camunda_export():
    admin = staff_with_role(Role.CATALOG_ADMIN)
    xml = (FILES / "camunda_modeler_export.bpmn").read_text(encoding="utf-8")
    return services.deploy(xml, key="sole-trader", name="个体工商户设立登记", by=admin, dmn=DMN)


@pytest.mark.parametrize(
    ("amount", "dishonest", "next_task", "suggestion"),
    [
        (50, False, "Activity_1n0s4wd", "approve"),
        (500, False, "Activity_0e6p9lk", "review"),
        (50, True, "Activity_0e6p9lk", "review"),
    ],
)
def test_camunda_modeler_export_runs_and_its_dmn_table_decides(
    amount, dishonest, next_task, suggestion
):
    definition = deploy_camunda_export()
    assert definition.process_id == "Process_0k8d4zw"
    window, bureau = office(), office()
    instance = services.start(
        definition,
        subject="cases.Case:11",
        departments={"窗口人员": window.department, "审批人员": bureau.department},
    )
    (accept,) = services.ready_tasks(instance)
    assert (accept.title, accept.role) == ("窗口受理", Role.CLERK)
    instance = do(instance, "Activity_1b7x2qp", [window], amount=amount, dishonest=dishonest)
    (task,) = services.ready_tasks(instance)
    assert (task.name, task.role, task.department) == (next_task, Role.APPROVER, bureau.department)
    from tongban.workflow import engine

    workflow = engine.load(definition, instance.state)
    assert workflow.get_task_from_id(task.spiff_id).data["suggestion"] == suggestion
    instance = do(instance, next_task, [bureau], opinion="同意")
    assert (instance.status, instance.end_event) == ("completed", "Event_0t1q5by")


def test_camunda_due_date_duration_sets_the_task_due_moment():
    definition = deploy_camunda_export()
    window = office()
    instance = services.start(definition, subject="cases.Case:12", departments=window.department)
    instance = do(instance, "Activity_1b7x2qp", [window], amount=900, dishonest=False)
    (task,) = services.ready_tasks(instance)
    expected = clock.now() + datetime.timedelta(days=10)
    assert abs(task.due_at - expected) < datetime.timedelta(minutes=1)


def test_bpmn_io_demo_export_runs_unchanged():
    admin = staff_with_role(Role.CATALOG_ADMIN)
    xml = (FILES / "bpmn_io_export.bpmn").read_text(encoding="utf-8")
    definition = services.deploy(xml, key="road-use", name="临时占道审批", by=admin)
    window = office()
    instance = services.start(definition, subject="cases.Case:13", departments=window.department)
    (task,) = services.ready_tasks(instance)
    assert (task.title, task.role, task.lane) == ("登记", Role.CLERK, "窗口人员 clerk")
    instance = do(instance, "Activity_0y2v7xb", [window])
    (task,) = services.ready_tasks(instance)
    assert (task.title, task.role, task.lane) == ("审批", Role.APPROVER, "审批人员 approver")
    instance = do(instance, "Activity_1i4k0dn", [window])
    assert instance.status == "completed"
    assert definition.bpmn_xml == xml, "stored exactly as uploaded"
