"""Checking an uploaded BPMN file (and its DMN tables) before it can run.

``validate`` reports every problem at once, each naming the element by id (and name), in
Chinese and English: not XML, not BPMN, not valid against the BPMN 2.0 schema, not exactly
one executable process, no start or end event, element types the engine does not run here
(service, send and receive tasks, call activities, sub-processes, timers, messages…), user
tasks outside a lane, lanes that name no role, unknown candidate groups, business rule tasks
without their DMN table, and expressions outside the allowed subset (``expressions``).

Script tasks run Python on the server: uploads may not contain them; only the templates
shipped with the platform (``trusted=True``) may. Then SpiffWorkflow's own parser has the
last word.
"""

import re
from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser

from tongban.errors import InvalidInput
from tongban.org.models import StaffMembership
from tongban.workflow import engine, expressions, systems
from tongban.workflow.lanes import role_of_lane

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
DMN_NAMESPACES = (
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
)
NS = {"bpmn": BPMN, "camunda": CAMUNDA}
MAX_BYTES = 1_000_000
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
JUEL_WRAPPER = re.compile(r"^\s*\$\{(.*)\}\s*$", re.DOTALL)
HIT_POLICIES = ("UNIQUE", "COLLECT")

# BPMN elements the engine runs here (with their parts); anything else is refused.
ALLOWED = frozenset(
    {
        "startEvent",
        "endEvent",
        "intermediateThrowEvent",
        "terminateEventDefinition",
        "userTask",
        "manualTask",
        "task",
        "businessRuleTask",
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "sequenceFlow",
        "conditionExpression",
        "multiInstanceLoopCharacteristics",
        "loopCardinality",
        "completionCondition",
        "laneSet",
        "lane",
        "childLaneSet",
        "flowNodeRef",
        "incoming",
        "outgoing",
        "documentation",
        "extensionElements",
        "textAnnotation",
        "text",
        "association",
        "dataObject",
        "dataObjectReference",
    }
)
TRUSTED_ONLY = frozenset({"scriptTask", "script"})
HUMAN_TASKS = ("userTask", "manualTask", "task")  # a plain task waits for a person
LABELS = {
    "scriptTask": "脚本任务",
    "serviceTask": "服务任务",
    "sendTask": "发送任务",
    "receiveTask": "接收任务",
    "callActivity": "调用活动",
    "subProcess": "子流程",
    "adHocSubProcess": "自由子流程",
    "transaction": "事务子流程",
    "eventBasedGateway": "事件网关",
    "complexGateway": "复杂网关",
    "boundaryEvent": "边界事件",
    "intermediateCatchEvent": "中间捕获事件",
    "timerEventDefinition": "定时事件",
    "messageEventDefinition": "消息事件",
    "signalEventDefinition": "信号事件",
    "errorEventDefinition": "错误事件",
    "escalationEventDefinition": "升级事件",
    "conditionalEventDefinition": "条件事件",
    "compensateEventDefinition": "补偿事件",
    "linkEventDefinition": "链接事件",
    "standardLoopCharacteristics": "循环任务",
}


@dataclass
class Checked:
    """What a valid upload yields: the parser, the process and its human tasks."""

    parser: CamundaParser
    process_id: str
    name: str
    tasks: dict


class Problems:
    """Collects problems as "中文 / English" lines, each naming the element."""

    def __init__(self):
        self.bpmn: list[str] = []
        self.dmn: list[str] = []

    def add(self, node, zh: str, en: str, *, field: str = "bpmn") -> None:
        getattr(self, field).append(f"{_where(node)}{zh} / {en}")

    def raise_if_any(self) -> None:
        fields = {name: lines for name in ("bpmn", "dmn") if (lines := getattr(self, name))}
        if fields:
            raise InvalidInput(
                "流程文件未通过校验,请按提示修改后重新上传",
                "The process file is not valid",
                fields=fields,
            )


def validate(bpmn_text: str, dmn_texts=(), *, trusted: bool = False) -> Checked:
    """Check an upload; raise ``InvalidInput`` listing every problem, or return it parsed."""
    problems = Problems()
    root = _document(bpmn_text, problems)
    dmn_roots = [_dmn_document(text, problems) for text in dmn_texts]
    problems.raise_if_any()
    process = _one_executable_process(root, problems)
    problems.raise_if_any()
    decisions = {node.get("id") for dmn in dmn_roots for node in _dmn_decisions(dmn)}
    _check_elements(process, problems, trusted=trusted)
    _check_events(process, problems)
    lane_roles = _check_lanes(process, problems)
    _check_tasks(process, lane_roles, decisions, problems)
    _check_expressions(process, problems)
    for dmn in dmn_roots:
        _check_dmn(dmn, problems)
    problems.raise_if_any()
    return _parse(root, dmn_roots, process, problems, lane_roles)


def _document(text: str, problems: Problems):
    if len(text.encode()) > MAX_BYTES:
        problems.add(None, "文件超过 1 MB", "the file is larger than 1 MB")
        return None
    try:
        root = engine.parse_xml(text)
    except etree.XMLSyntaxError as error:
        problems.add(None, f"不是有效的 XML 文件:{error}", "not well-formed XML")
        return None
    if root.tag != f"{{{BPMN}}}definitions":
        problems.add(
            None,
            "不是 BPMN 2.0 文件(根元素应为 bpmn:definitions)",
            "not a BPMN 2.0 file (the root must be bpmn:definitions)",
        )
        return None
    try:
        engine.validator().validate(root)
    except ValidationException as error:
        problems.add(
            None,
            f"不符合 BPMN 2.0 规范(第 {error.line_number} 行):{error}",
            "not valid against the BPMN 2.0 schema",
        )
    return root


def _dmn_document(text: str, problems: Problems):
    try:
        root = engine.parse_xml(text)
    except etree.XMLSyntaxError as error:
        problems.add(None, f"DMN 不是有效的 XML:{error}", "DMN: not XML", field="dmn")
        return None
    namespace = etree.QName(root).namespace
    if etree.QName(root).localname != "definitions" or namespace not in DMN_NAMESPACES:
        problems.add(None, "不是 DMN 决策表文件", "not a DMN file", field="dmn")
        return None
    return root


def _one_executable_process(root, problems: Problems):
    """The process marked executable; bpmn.io's demo marks none, so a lone process counts."""
    processes = root.findall("bpmn:process", NS)
    executable = [p for p in processes if p.get("isExecutable") == "true"]
    if not executable and len(processes) == 1:
        processes[0].set("isExecutable", "true")  # in the parsed copy; the file is kept as is
        return processes[0]
    if len(executable) != 1:
        problems.add(
            None,
            f'应有且只有一个可执行流程(isExecutable="true"),实有 {len(executable)} 个;'
            "请在建模器中只为一个流程勾选「可执行 Executable」",
            f"exactly one executable process is needed, found {len(executable)}",
        )
        return None
    return executable[0]


def _check_elements(process, problems: Problems, *, trusted: bool) -> None:
    for node in process.iterdescendants(f"{{{BPMN}}}*"):
        tag = etree.QName(node).localname
        if tag in ALLOWED or (trusted and tag in TRUSTED_ONLY):
            continue
        label = LABELS.get(tag, tag)
        if tag in TRUSTED_ONLY:
            problems.add(
                node,
                "上传的流程不能包含脚本任务(脚本在服务器上执行 Python 代码)",
                "uploaded processes may not contain script tasks",
            )
        else:
            problems.add(
                node,
                f"流程引擎不支持「{label}」({tag})",
                f"the engine does not run {tag} elements",
            )


def _check_events(process, problems: Problems) -> None:
    starts = process.findall("bpmn:startEvent", NS)
    if len(starts) != 1:
        problems.add(
            process,
            f"流程应有且只有一个开始事件,实有 {len(starts)} 个",
            f"exactly one start event is needed, found {len(starts)}",
        )
    if not process.findall("bpmn:endEvent", NS):
        problems.add(process, "流程没有结束事件", "the process has no end event")


def _check_lanes(process, problems: Problems) -> dict[str, str]:
    """Each flow node id → the role of its lane (lanes without a role are problems)."""
    roles: dict[str, str] = {}
    for lane in process.iter(f"{{{BPMN}}}lane"):
        if lane.find("bpmn:childLaneSet", NS) is not None:
            continue  # a lane holding lanes groups them; its inner lanes name the roles
        role = role_of_lane(lane.get("name"))
        if role is None:
            problems.add(
                lane,
                "泳道名称未对应唯一的角色(应包含一个角色名,如「窗口人员」「审批人员」)",
                "the lane's name must name exactly one role (e.g. 审批人员 or approver)",
            )
            continue
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            roles[(ref.text or "").strip()] = role
    return roles


def _check_tasks(process, lane_roles: dict, decisions: set, problems: Problems) -> None:
    for tag in HUMAN_TASKS:
        for node in process.iter(f"{{{BPMN}}}{tag}"):
            if not _in_a_lane(process, node):
                problems.add(node, "人工任务不在任何泳道中", "the user task is in no lane")
            elif node.get("id") not in lane_roles:
                problems.add(node, "人工任务所在泳道未对应角色", "the task's lane names no role")
            groups = node.get(f"{{{CAMUNDA}}}candidateGroups")
            if groups is not None and groups.strip() not in StaffMembership.Role.values:
                problems.add(
                    node,
                    f"候选组 candidateGroups「{groups}」不是平台角色(应为一个角色代码,如 approver)",
                    "candidateGroups must be one role code",
                )
            _check_multi_instance(node, problems)
            _check_system(node, problems)
    for node in process.iter(f"{{{BPMN}}}businessRuleTask"):
        ref = node.get(f"{{{CAMUNDA}}}decisionRef")
        if not ref or ref not in decisions:
            problems.add(
                node,
                f"业务规则任务引用的决策表「{ref or ''}」不存在,请一并上传 DMN 文件",
                "the business rule task's decisionRef names no uploaded DMN decision",
            )


def _check_system(node, problems: Problems) -> None:
    """A system task names an app that registered itself (``workflow.systems``)."""
    for prop in node.iterfind(".//camunda:property", NS):
        name = prop.get("value") or ""
        if prop.get("name") == "system" and name.strip() not in systems.known():
            problems.add(
                node,
                f"系统任务「{name}」不存在(可用:{'、'.join(systems.known()) or '无'})",
                "the system task names no registered platform app",
            )


def _in_a_lane(process, node) -> bool:
    for lane in process.iter(f"{{{BPMN}}}lane"):
        refs = {(ref.text or "").strip() for ref in lane.findall("bpmn:flowNodeRef", NS)}
        if node.get("id") in refs:
            return True
    return False


def _check_multi_instance(node, problems: Problems) -> None:
    loop = node.find("bpmn:multiInstanceLoopCharacteristics", NS)
    if loop is None:
        return
    for attr in ("collection", "elementVariable"):
        value = loop.get(f"{{{CAMUNDA}}}{attr}")
        if value is not None and not IDENTIFIER.match(value):
            problems.add(
                node,
                f"多实例的 {attr}「{value}」应为变量名",
                f"the multi-instance {attr} must be a variable name",
            )


def _check_expressions(process, problems: Problems) -> None:
    for tag in ("conditionExpression", "loopCardinality", "completionCondition"):
        for node in process.iter(f"{{{BPMN}}}{tag}"):
            node.text = _unwrapped(node.text)
            reason = expressions.problem(node.text or "")
            if reason:
                owner = node.getparent()
                problems.add(
                    owner, f"表达式「{node.text}」不可用:{reason}", "expression not allowed"
                )


def _unwrapped(text: str | None) -> str:
    """``${amount > 100}`` as Camunda writes it → ``amount > 100`` (the engine's Python)."""
    found = JUEL_WRAPPER.match(text or "")
    return found.group(1).strip() if found else (text or "")


def _dmn_decisions(dmn) -> list:
    if dmn is None:
        return []
    return dmn.findall(f"{{{etree.QName(dmn).namespace}}}decision")


def _check_dmn(dmn, problems: Problems) -> None:
    if dmn is None:
        return
    namespace = etree.QName(dmn).namespace
    for table in dmn.iter(f"{{{namespace}}}decisionTable"):
        policy = table.get("hitPolicy", "UNIQUE").upper()
        if policy not in HIT_POLICIES:
            problems.add(
                table.getparent(),
                f"命中策略 {policy} 不受支持(可用 UNIQUE、COLLECT)",
                "hit policy not supported",
                field="dmn",
            )
    for tag in ("inputExpression", "outputEntry"):
        for node in dmn.iter(f"{{{namespace}}}{tag}"):
            text = (node.findtext(f"{{{namespace}}}text") or "").strip()
            reason = text and expressions.problem(text)
            if reason:
                problems.add(node, f"表达式「{text}」不可用:{reason}", "expression", field="dmn")
    for node in dmn.iter(f"{{{namespace}}}inputEntry"):
        text = (node.findtext(f"{{{namespace}}}text") or "").strip().replace("?", "value")
        if text in ("", "-"):
            continue
        if expressions.problem(text) and expressions.problem(f"value {text}"):
            reason = expressions.problem(f"value {text}")
            problems.add(node, f"条件「{text}」不可用:{reason}", "entry not allowed", field="dmn")


def _parse(root, dmn_roots, process, problems: Problems, lane_roles: dict) -> Checked:
    process_id = process.get("id")
    try:
        parser = engine.parser_for(root, dmn_roots)
        spec = parser.get_spec(process_id)
    except ValidationException as error:
        problems.bpmn.append(
            f"{error.id or process_id}:流程引擎无法解析:{error} / the engine cannot parse it"
        )
        problems.raise_if_any()
    return Checked(
        parser=parser,
        process_id=process_id,
        name=process.get("name") or process_id,
        tasks=_human_tasks(spec, process, lane_roles),
    )


def _human_tasks(spec, process, lane_roles: dict) -> dict:
    """Per human task spec: its title, lane, role, allowed decisions and due days."""
    found = {}
    for name, task_spec in spec.task_specs.items():
        if not task_spec.manual:
            continue
        node = process.find(f".//*[@id='{task_spec.bpmn_id}']")
        groups = node.get(f"{{{CAMUNDA}}}candidateGroups") if node is not None else None
        extensions = getattr(task_spec, "extensions", {}) or {}
        found[task_spec.bpmn_id] = {
            "title": task_spec.bpmn_name or task_spec.bpmn_id,
            "lane": task_spec.lane or "",
            "role": (groups or "").strip() or lane_roles[task_spec.bpmn_id],
            "decisions": _split(extensions.get("decisions")),
            "due_days": _int(extensions.get("due_days")) or _days(node),
            "multi": name != task_spec.bpmn_id,
            "collection": _collection(node),
            "system": (extensions.get("system") or "").strip(),
        }
    return found


def _collection(node) -> str | None:
    """The data a multi-instance task iterates over (Camunda's ``collection``)."""
    loop = node.find("bpmn:multiInstanceLoopCharacteristics", NS) if node is not None else None
    return loop.get(f"{{{CAMUNDA}}}collection") if loop is not None else None


def _days(node) -> int | None:
    """Camunda's ``dueDate`` when it is a plain ISO 8601 duration in days (``P10D``)."""
    value = node.get(f"{{{CAMUNDA}}}dueDate") if node is not None else None
    found = re.fullmatch(r"P(\d{1,4})D", (value or "").strip())
    return int(found.group(1)) if found else None


def _split(value) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _where(node) -> str:
    """「Activity_1(审查)」: the nearest element with an id, for the message."""
    while node is not None and node.get("id") is None:
        node = node.getparent()
    if node is None:
        return ""
    name = node.get("name")
    return f"元素 {node.get('id')}" + (f"「{name}」" if name else "") + ":"
