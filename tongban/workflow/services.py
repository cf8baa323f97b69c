"""The workflow app's public functions: deploy a process, start it, do its tasks, cancel it.

Other apps (``cases``) call these and listen to ``signals``; ``deploy``, ``template`` and
``load_processes`` live in ``definitions`` and are re-exported here. Every state change is
one transaction with its audit record; the engine state of an instance is loaded, advanced
and stored inside that transaction, the instance row locked, so two people completing tasks
of one instance at once take turns. Who may start or cancel an instance is the caller's rule
(a case decides); completing a task is checked here (``workflow.complete_task``).
"""

import datetime
import json
import re

from django.db import transaction
from django.db.models import QuerySet
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from tongban.audit import services as audit
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput
from tongban.identity import access
from tongban.org.models import Department
from tongban.workflow import engine, signals
from tongban.workflow.definitions import PROCESSES, TEMPLATES, deploy, load_processes, template
from tongban.workflow.lanes import ANY_LANE, department_key
from tongban.workflow.models import ProcessDefinition, ProcessInstance, Task

__all__ = [
    "PROCESSES",
    "TEMPLATES",
    "cancel",
    "claim",
    "complete",
    "complete_system",
    "deploy",
    "inbox",
    "instance_of",
    "load_processes",
    "ready_tasks",
    "send_back",
    "start",
    "template",
]
DECISION_LABELS = {
    "accept": "受理",
    "refuse": "不予受理",
    "approve": "准予",
    "deny": "不予",
    "pass": "核查合格",
    "fail": "核查不合格",
}
SUBJECT = re.compile(r"^[a-z_]+\.[A-Za-z]+:\S{1,60}$")
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
MAX_DATA_BYTES = 64_000
READY = Task.Status.READY
RUNNING = ProcessInstance.Status.RUNNING

# --- instances ----------------------------------------------------------------------------


def start(
    definition: ProcessDefinition,
    *,
    subject: str,
    departments: dict[str, Department] | Department,
    data: dict | None = None,
    by=None,
) -> ProcessInstance:
    """Start an instance and run it until human tasks are ready (or it ends).

    ``departments`` maps lane names or role codes to departments (``"*"``: every lane), or is
    one department for every lane. Multi-instance tasks over department codes (the parallel
    template's ``review_departments``) go to those departments.
    """
    if not SUBJECT.match(subject or ""):
        raise InvalidInput(fields={"subject": ["应为 app_label.Model:pk / app_label.Model:pk"]})
    mapping = _mapping(departments)
    data = _clean(data or {})
    _check_departments(definition, mapping, data)
    workflow = engine.new_workflow(definition, data)
    with transaction.atomic():
        instance = ProcessInstance.objects.create(
            definition=definition,
            subject=subject,
            departments={key: department.pk for key, department in mapping.items()},
            state="{}",
            started_by=by if getattr(by, "pk", None) else None,
        )
        _advance(workflow)
        audit.record(
            by,
            "workflow.instance.start",
            instance,
            changes={"definition": [None, str(definition)], "subject": [None, subject]},
        )
        _sync(instance, workflow, by)
        _save_state(instance, workflow)
    return instance


def instance_of(subject: str) -> ProcessInstance | None:
    """The latest instance started for ``subject`` (e.g. ``cases.Case:42``), if any."""
    instances = ProcessInstance.objects.filter(subject=subject).select_related("definition")
    return instances.order_by("-id").first()


def cancel(instance: ProcessInstance, *, by, reason: str) -> ProcessInstance:
    """Stop a running instance (the case was withdrawn or refused); its open tasks go away."""
    if not (reason or "").strip():
        raise InvalidInput(fields={"reason": ["请填写取消原因 / a reason is required"]})
    with transaction.atomic():
        instance = _locked(instance.pk)
        workflow = engine.load(instance.definition, instance.state)
        workflow.cancel()
        instance.status = ProcessInstance.Status.CANCELLED
        instance.cancel_reason = reason.strip()[:500]
        instance.completed_at = clock.now()
        instance.tasks.filter(status=READY).update(status=Task.Status.CANCELLED)
        audit.record(
            by,
            "workflow.instance.cancel",
            instance,
            changes={"status": [RUNNING, instance.status]},
            note=instance.cancel_reason,
        )
        _save_state(instance, workflow)
    return instance


def _locked(pk: int) -> ProcessInstance:
    # OF self: lock the instance row, never the shared definition row (PostgreSQL).
    instances = ProcessInstance.objects.select_for_update(of=("self",))
    instance = instances.select_related("definition").get(pk=pk)
    if instance.status != RUNNING:
        raise Conflict("流程已结束,不能再办理", "The process is no longer running")
    return instance


# --- tasks --------------------------------------------------------------------------------


def ready_tasks(instance: ProcessInstance) -> QuerySet[Task]:
    return instance.tasks.filter(status=READY).select_related("department").order_by("id")


def inbox(user) -> QuerySet[Task]:
    """The ready tasks of the user's roles in the user's departments (one query)."""
    tasks = Task.objects.filter(status=READY).select_related("instance__definition", "department")
    return access.scope(user, "workflow.complete_task", tasks).order_by("created_at", "id")


def complete(task: Task, *, by, data: dict | None = None) -> ProcessInstance:
    """Do a task: its data flows into the process (gateways branch on ``decision``)."""
    access.require(by, "workflow.complete_task", task)
    data = _clean(data or {})
    with transaction.atomic():
        instance = _locked(task.instance_id)
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("department")
            .get(pk=task.pk)
        )
        if task.status != READY:
            raise Conflict("该任务已办理或已取消", "The task is not waiting to be done")
        meta = instance.definition.tasks[task.name]
        _check_decision(meta, data)
        workflow = engine.load(instance.definition, instance.state)
        spiff_task = workflow.get_task_from_id(task.spiff_id)
        if spiff_task.state != TaskState.READY:
            raise Conflict("该任务已办理或已取消", "The task is not waiting to be done")
        spiff_task.data.update(data)
        if meta["multi"]:
            spiff_task.parent.data.setdefault("reviews", {})[task.department.code] = data
        _advance(workflow, spiff_task)
        _mark_done(task, by, data)
        _sync(instance, workflow, by)
        _save_state(instance, workflow)
    return instance


def complete_system(task: Task, *, system: str, data: dict | None = None) -> ProcessInstance:
    """Do a system task for the app named ``system`` (``payments``: the fee is paid).

    Idempotent: a task already done returns its instance unchanged, so an app that hears the
    same event twice moves the process once. The actor recorded is ``system:<name>``.
    """
    if task.system != system:
        raise Conflict("该任务不是此系统的任务", f"The task is not a {system} task")
    data = _clean(data or {})
    actor = f"system:{system}"
    with transaction.atomic():
        if Task.objects.filter(pk=task.pk, status=Task.Status.COMPLETED).exists():
            return ProcessInstance.objects.get(pk=task.instance_id)
        instance = _locked(task.instance_id)  # instance first, then task: as complete() does
        locked = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
        if locked.status == Task.Status.COMPLETED:
            return instance
        if locked.status != READY:
            raise Conflict("该任务已取消", "The task was cancelled")
        workflow = engine.load(instance.definition, instance.state)
        spiff_task = workflow.get_task_from_id(locked.spiff_id)
        spiff_task.data.update(data)
        _advance(workflow, spiff_task)
        _mark_done(locked, actor, data)
        _sync(instance, workflow, actor)
        _save_state(instance, workflow)
    return instance


def send_back(task: Task, *, by, to: str, reason: str) -> ProcessInstance:
    """Return the case from this task to an earlier step (``to``: its BPMN id) to be redone."""
    access.require(by, "workflow.complete_task", task)
    if not (reason or "").strip():
        raise InvalidInput(fields={"reason": ["请填写退回原因 / a reason is required"]})
    with transaction.atomic():
        instance = _locked(task.instance_id)
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status != READY:
            raise Conflict("该任务已办理或已取消", "The task is not waiting to be done")
        workflow = engine.load(instance.definition, instance.state)
        earlier = _earlier(workflow.get_task_from_id(task.spiff_id), to)
        workflow.reset_from_task_id(earlier.id)
        _advance(workflow)
        task.status = Task.Status.CANCELLED
        task.completed_by, task.completed_at = by, clock.now()
        task.data = {"sent_back_to": to, "reason": reason.strip()[:500]}
        task.save(update_fields=["status", "completed_by", "completed_at", "data"])
        audit.record(
            by,
            "workflow.task.send_back",
            task,
            changes={"status": [READY, task.status], "sent_back_to": [None, to]},
            note=task.data["reason"],
        )
        _sync(instance, workflow, by)
        _save_state(instance, workflow)
    return instance


def _earlier(current, to: str):
    """The latest completed human task ``to`` on the path that led to ``current``."""
    node = current.parent
    while node is not None:
        spec = node.task_spec
        if spec.bpmn_id == to and spec.manual and node.state == TaskState.COMPLETED:
            return node
        node = node.parent
    raise InvalidInput(
        fields={"to": [f"只能退回到本件已办理的环节,「{to}」不是 / not an earlier step"]}
    )


def claim(task: Task, *, by) -> Task:
    """Take a ready task so colleagues see someone is on it."""
    access.require(by, "workflow.complete_task", task)
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status != READY or (task.claimed_by_id and task.claimed_by_id != by.pk):
            raise Conflict("该任务已被他人认领或已办理", "The task is taken or done")
        task.claimed_by = by
        task.save(update_fields=["claimed_by"])
        audit.record(by, "workflow.task.claim", task, changes={"claimed_by": [None, str(by)]})
    return task


def _mark_done(task: Task, by, data: dict) -> None:
    task.status = Task.Status.COMPLETED
    task.completed_by = by if getattr(by, "pk", None) else None
    task.completed_at = clock.now()
    task.data = data
    task.decision = str(data.get("decision", ""))[:32]
    task.save(update_fields=["status", "completed_by", "completed_at", "data", "decision"])
    audit.record(
        by,
        "workflow.task.complete",
        task,
        changes={"status": [READY, task.status], "decision": [None, task.decision or None]},
    )


def _check_decision(meta: dict, data: dict) -> None:
    allowed = meta.get("decisions") or []
    if allowed and data.get("decision") not in allowed:
        choices = "、".join(f"{DECISION_LABELS.get(d, d)}({d})" for d in allowed)
        raise InvalidInput(
            fields={"decision": [f"请选择办理决定:{choices} / choose one of {allowed}"]}
        )


# --- the engine step and the task rows ----------------------------------------------------


def _advance(workflow, spiff_task=None) -> None:
    """Run the task (if any) and every engine step after it; engine errors are bad input."""
    try:
        if spiff_task is not None:
            spiff_task.run()
        workflow.do_engine_steps()
    except SpiffWorkflowException as error:
        raise InvalidInput(
            f"流程无法继续:{error}", "The process cannot continue with this data"
        ) from error


def _sync(instance: ProcessInstance, workflow, by) -> None:
    """Mirror the engine's ready human tasks as Task rows; finish the instance at its end."""
    ready = {t.id: t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    open_ids = set(instance.tasks.filter(status=READY).values_list("spiff_id", flat=True))
    gone = open_ids - ready.keys()
    if gone:
        instance.tasks.filter(spiff_id__in=gone).update(status=Task.Status.CANCELLED)
    new = [spiff_task for spiff_id, spiff_task in ready.items() if spiff_id not in open_ids]
    rows = Task.objects.bulk_create(_rows(instance, new))
    for task in rows:
        signals.task_ready.send(sender=Task, task=task)
    if workflow.is_completed():
        _finish(instance, workflow, by)


def _rows(instance: ProcessInstance, spiff_tasks) -> list[Task]:
    tasks_meta = instance.definition.tasks
    codes = {}
    wanted = [_department_code(t) for t in spiff_tasks if tasks_meta[t.task_spec.bpmn_id]["multi"]]
    if any(wanted):
        codes = dict(Department.objects.filter(code__in=wanted).values_list("code", "pk"))
    now = clock.now()
    rows = []
    for spiff_task in spiff_tasks:
        meta = tasks_meta[spiff_task.task_spec.bpmn_id]
        department_id = codes.get(_department_code(spiff_task)) if meta["multi"] else None
        department_id = department_id or department_key(
            instance.departments, meta["lane"], meta["role"]
        )
        if department_id is None:
            raise InvalidInput(fields={"departments": [_no_department(meta)]})
        rows.append(
            Task(
                instance=instance,
                spiff_id=spiff_task.id,
                name=spiff_task.task_spec.bpmn_id,
                title=meta["title"][:200],
                lane=(meta["lane"] or "")[:200],
                role=meta["role"],
                department_id=department_id,
                due_at=now + datetime.timedelta(days=meta["due_days"])
                if meta.get("due_days")
                else None,
                system=meta.get("system", ""),
            )
        )
    return rows


def _department_code(spiff_task) -> str | None:
    """The item a multi-instance task runs for, when it is a department code."""
    item = spiff_task.parent.task_spec.input_item
    value = item.get(spiff_task) if item is not None and item.exists(spiff_task) else None
    return value if isinstance(value, str) else None


def _finish(instance: ProcessInstance, workflow, by) -> None:
    instance.status = ProcessInstance.Status.COMPLETED
    instance.completed_at = clock.now()
    ends = [
        t
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
        if isinstance(t.task_spec, EndEvent)
    ]
    if ends:
        last = max(ends, key=lambda t: t.last_state_change)
        instance.end_event = last.task_spec.bpmn_id[:200]
    audit.record(
        by,
        "workflow.instance.complete",
        instance,
        changes={"status": [RUNNING, instance.status], "end_event": [None, instance.end_event]},
    )
    signals.instance_completed.send(
        sender=ProcessInstance, instance=instance, end=instance.end_event
    )


def _save_state(instance: ProcessInstance, workflow) -> None:
    instance.state = engine.dump(workflow)
    instance.save()


# --- input --------------------------------------------------------------------------------


def _mapping(departments) -> dict[str, Department]:
    if isinstance(departments, Department):
        return {ANY_LANE: departments}
    if not isinstance(departments, dict) or not all(
        isinstance(d, Department) for d in departments.values()
    ):
        raise InvalidInput(fields={"departments": ["应为部门或 {泳道/角色: 部门} / departments"]})
    return dict(departments)


def _check_departments(definition: ProcessDefinition, mapping: dict, data: dict) -> None:
    """Every lane has a department, every multi-instance department code exists."""
    problems = []
    for meta in definition.tasks.values():
        if meta.get("collection"):
            problems += _unknown_codes(meta["collection"], data.get(meta["collection"]))
        elif department_key(mapping, meta["lane"], meta["role"]) is None:
            problems.append(_no_department(meta))
    if problems:
        raise InvalidInput(fields={"departments": list(dict.fromkeys(problems))})


def _unknown_codes(name: str, codes) -> list[str]:
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        return [f"请在 {name} 中列出并联审批的部门代码 / list the department codes in {name}"]
    active = Department.objects.filter(code__in=codes, is_active=True)
    known = set(active.values_list("code", flat=True))
    missing = [code for code in codes if code not in known]
    return [f"部门代码「{code}」不存在或已停用 / unknown: {code}" for code in missing]


def _no_department(meta: dict) -> str:
    return f"泳道「{meta['lane']}」({meta['role']})未指定部门 / no department for the lane"


def _clean(data) -> dict:
    """Process data as JSON: identifiers for keys (gateways read them as names), ≤ 64 KB."""
    if not isinstance(data, dict):
        raise InvalidInput(fields={"data": ["应为 JSON 对象 / must be an object"]})
    bad = [key for key in data if not isinstance(key, str) or not IDENTIFIER.match(key)]
    if bad:
        raise InvalidInput(fields={"data": [f"字段名不合法:{bad} / invalid names"]})
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise InvalidInput(fields={"data": ["只能包含 JSON 数据 / JSON only"]}) from error
    if len(text.encode()) > MAX_DATA_BYTES:
        raise InvalidInput(fields={"data": ["数据过大 / too large"]})
    return json.loads(text)
