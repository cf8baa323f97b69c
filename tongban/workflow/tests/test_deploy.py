"""Uploads are validated before they can run: each problem named by element, in Chinese."""

import re
from pathlib import Path

import pytest

from tongban.audit.models import AuditRecord
from tongban.errors import Conflict, InvalidInput, PermissionDenied
from tongban.org.tests.factories import staff_with_role
from tongban.workflow import services
from tongban.workflow.tests.factories import Role

pytestmark = pytest.mark.django_db
GOOD = (Path(__file__).resolve().parent / "files" / "bpmn_io_export.bpmn").read_text("utf-8")


@pytest.fixture
def admin():
    return staff_with_role(Role.CATALOG_ADMIN)


def problems(xml, admin, **kwargs) -> str:
    with pytest.raises(InvalidInput) as caught:
        services.deploy(xml, key="upload", name="上传", by=admin, **kwargs)
    return "\n".join(line for lines in caught.value.fields.values() for line in lines)


def test_a_valid_upload_gets_versions_and_an_audit_record(admin):
    first = services.deploy(GOOD, key="road-use", name="临时占道", by=admin)
    second = services.deploy(GOOD, key="road-use", name="临时占道", by=admin)
    assert (first.version, second.version) == (1, 2)
    assert second.uploaded_by == admin and not second.is_template
    assert AuditRecord.objects.filter(
        action="workflow.definition.deploy", object_id=str(second.pk)
    ).exists()


def test_only_process_administrators_deploy():
    clerk = staff_with_role(Role.CLERK)
    with pytest.raises(PermissionDenied):
        services.deploy(GOOD, key="road-use", name="临时占道", by=clerk)


def test_not_xml_and_not_bpmn(admin):
    assert "不是有效的 XML" in problems("<html><body>", admin)
    dmn = (services.PROCESSES / "approval_suggestion.dmn").read_text("utf-8")
    assert "不是 BPMN 2.0 文件" in problems(dmn, admin)


def test_a_user_task_outside_any_lane(admin):
    xml = GOOD.replace("<bpmn:flowNodeRef>Activity_1i4k0dn</bpmn:flowNodeRef>", "")
    found = problems(xml, admin)
    assert "元素 Activity_1i4k0dn「审批」:人工任务不在任何泳道中" in found


def test_a_lane_naming_no_role(admin):
    xml = GOOD.replace('name="审批人员 approver"', 'name="科室"')
    assert "元素 Lane_0vzg1kq「科室」:泳道名称未对应唯一的角色" in problems(xml, admin)


def test_an_unknown_candidate_group(admin):
    xml = GOOD.replace(
        '<bpmn:userTask id="Activity_1i4k0dn" name="审批">',
        '<bpmn:userTask id="Activity_1i4k0dn" name="审批" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'camunda:candidateGroups="managers">',
    )
    assert "候选组 candidateGroups「managers」不是平台角色" in problems(xml, admin)


def test_no_end_event(admin):
    xml = re.sub(r'<bpmn:endEvent id="Event_1q7hxa3">.*?</bpmn:endEvent>', "", GOOD, flags=re.S)
    xml = xml.replace("<bpmn:flowNodeRef>Event_1q7hxa3</bpmn:flowNodeRef>", "")
    xml = re.sub(r'<bpmn:sequenceFlow id="Flow_05v2ofq"[^>]*/>', "", xml)
    xml = xml.replace("<bpmn:outgoing>Flow_05v2ofq</bpmn:outgoing>", "")
    assert "流程没有结束事件" in problems(xml, admin)


def test_script_tasks_are_refused_in_uploads(admin):
    xml = GOOD.replace(
        '<bpmn:task id="Activity_0y2v7xb" name="登记">',
        '<bpmn:scriptTask id="Activity_0y2v7xb" name="登记" scriptFormat="python">',
    ).replace("</bpmn:task>", "<bpmn:script>import os</bpmn:script></bpmn:scriptTask>")
    assert "元素 Activity_0y2v7xb「登记」:上传的流程不能包含脚本任务" in problems(xml, admin)


def test_task_types_the_engine_does_not_run(admin):
    xml = GOOD.replace(
        '<bpmn:task id="Activity_0y2v7xb" name="登记">',
        '<bpmn:serviceTask id="Activity_0y2v7xb" name="登记">',
    )
    xml = xml.replace("</bpmn:task>", "</bpmn:serviceTask>")
    assert "元素 Activity_0y2v7xb「登记」:流程引擎不支持「服务任务」" in problems(xml, admin)


def test_unsafe_conditions_are_refused(admin):
    flow = 'sourceRef="Activity_1i4k0dn" targetRef="Event_1q7hxa3"'
    condition = '<bpmn:conditionExpression>__import__("os").system("id")</bpmn:conditionExpression>'
    xml = GOOD.replace(
        f'<bpmn:sequenceFlow id="Flow_05v2ofq" {flow} />',
        f'<bpmn:sequenceFlow id="Flow_05v2ofq" {flow}>{condition}</bpmn:sequenceFlow>',
    )
    assert "元素 Flow_05v2ofq:表达式" in problems(xml, admin)


def test_two_executable_processes(admin):
    extra = '<bpmn:process id="Other" isExecutable="true"/>'
    xml = GOOD.replace('isExecutable="false"', 'isExecutable="true"').replace(
        "<bpmndi:BPMNDiagram", extra + "<bpmndi:BPMNDiagram"
    )
    assert "应有且只有一个可执行流程" in problems(xml, admin)


def test_a_business_rule_task_needs_its_dmn_table(admin):
    xml = GOOD.replace(
        '<bpmn:task id="Activity_0y2v7xb" name="登记">',
        '<bpmn:businessRuleTask id="Activity_0y2v7xb" name="登记" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'camunda:decisionRef="missing">',
    )
    xml = xml.replace("</bpmn:task>", "</bpmn:businessRuleTask>")
    assert "决策表「missing」不存在" in problems(xml, admin)


def test_a_version_in_use_cannot_change(admin):
    definition = services.template("instant")
    from tongban.workflow.tests.factories import office

    services.start(definition, subject="cases.Case:1", departments=office().department)
    definition.bpmn_xml = GOOD
    with pytest.raises(Conflict):
        definition.save()


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("窗口人员", "clerk"),
        ("牵头部门 审批人员", "approver"),
        ("Approver", "approver"),
        ("clerk / approver", None),
        ("科室", None),
        (None, None),
    ],
)
def test_lane_names_map_to_one_role(name, role):
    from tongban.workflow.lanes import role_of_lane

    assert role_of_lane(name) == role
