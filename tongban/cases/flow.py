"""Cases through their workflow: which process a case runs, starting it, doing its tasks.

- ``process_for(case)``: the item's bound process (``workflow.bindings``), else the guide's
  case type: 即办件 → ``instant``, 承诺件 → ``standard``; ``instant_fee`` / ``standard_fee``
  when the guide bills fixed charges (a 缴费 system task that ``payments`` completes).
- ``start_process(case, by=)``: run when the case is accepted (``services.accept``). The
  process's own 受理 task is completed for the clerk who accepted; the instant template's
  first task is the clerk's decision at the window.
- ``decide(case, task, by=, decision=)``: completes the task through the workflow and moves
  the case in the same transaction. The task is the permission for the moves it drives
  (whoever may do the task may record its decision); the workflow checks it.
- ``inbox(user)``: the user's cases with ready tasks, keyset-paginated, with the time-limit
  colour (green; yellow from 80% of the promised working days used; red overdue).
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery

from tongban.cases import clocks, history, outcomes, services, transitions, workdays
from tongban.cases.models import Case, Status
from tongban.catalog.models import Guide
from tongban.core import clock
from tongban.errors import InvalidInput, NotFound
from tongban.identity import access
from tongban.org.models import StaffMembership
from tongban.workflow import bindings
from tongban.workflow import services as workflow
from tongban.workflow.models import ProcessDefinition, ProcessInstance, Task

__all__ = ["colour_of", "decide", "inbox", "process_for", "start_process", "tasks_for"]

READY = Task.Status.READY
YELLOW_SHARE = 0.8
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# How many cases a colour filter looks at for one page of the inbox.
COLOUR_SCAN = 1000
COLOURS = {
    "green": ("正常", "green"),
    "yellow": ("临近到期", "yellow"),
    "red": ("已超期", "red"),
}
# End events that leave the case approved or denied, then concluded.
END_RESULTS = {
    "EndEvent_approved": "准予(办结)",
    "EndEvent_denied": "不予许可",
    "EndEvent_concluded": "已办结",
    "EndEvent_passed": "核查合格",
    "EndEvent_revoked": "核查不合格,撤销决定",
}


def subject(case: Case) -> str:
    return f"cases.Case:{case.pk}"


# --- which process, starting it -----------------------------------------------------------


def process_for(case: Case) -> ProcessDefinition:
    binding = bindings.binding_for(case.item.implementation_code)
    if binding is not None:
        found = bindings.latest(binding.definition_key)
        if found is not None:
            return found
        return workflow.template(binding.definition_key)
    instant = case.guide.case_type == Guide.CaseType.INSTANT or case.guide.is_instant
    key = "instant" if instant else "standard"
    return workflow.template(f"{key}_fee" if fee_due(case.guide) else key)


def fee_due(guide: Guide) -> bool:
    """The guide bills fixed charges through the platform (a 缴费 step before 办结)."""
    return bool(guide.charges_fee and guide.fee_items)


def start_process(case: Case, *, by) -> ProcessInstance:
    """Start the case's process once (a second call returns the running instance)."""
    if case.process_instance_id:
        return ProcessInstance.objects.get(pk=case.process_instance_id)
    definition = process_for(case)
    binding = bindings.binding_for(case.item.implementation_code)
    data = {}
    if binding is not None and binding.review_departments:
        data["review_departments"] = list(binding.review_departments)
    with transaction.atomic():
        instance = workflow.start(
            definition,
            subject=subject(case),
            departments=_departments(case, by),
            data=data,
            by=by,
        )
        Case.objects.filter(pk=case.pk).update(process_instance_id=instance.pk)
        case.process_instance_id = instance.pk
        if case.status != Status.SUBMITTED:
            _complete_acceptance(instance, by)
    return instance


def _departments(case: Case, by) -> dict:
    """Every lane in the case's department; the clerk's lane where the accepting clerk sits
    when they work at the case's center for another department (一窗受理)."""
    mapping = {"*": case.department}
    membership = (
        StaffMembership.objects.active()
        .filter(user=getattr(by, "pk", None), role=StaffMembership.Role.CLERK)
        .select_related("department")
        .order_by("pk")
    )
    own = [m for m in membership if m.department_id == case.department_id]
    at_center = [m for m in membership if case.center_id and m.center_id == case.center_id]
    chosen = (own or at_center or [None])[0]
    if chosen is not None:
        mapping["clerk"] = chosen.department
    return mapping


def _complete_acceptance(instance: ProcessInstance, by) -> None:
    """The case was accepted already: do the process's 受理 task for the clerk, if they may."""
    for task in workflow.ready_tasks(instance):
        decisions = instance.definition.tasks[task.name].get("decisions") or []
        if (
            by is not None
            and "accept" in decisions
            and access.can(by, "workflow.complete_task", task)
        ):
            workflow.complete(task, by=by, data={"decision": "accept"})


# --- tasks -----------------------------------------------------------------------------


def tasks_for(case: Case):
    """The case's ready workflow tasks (empty before acceptance)."""
    if not case.process_instance_id:
        return Task.objects.none()
    tasks = Task.objects.filter(instance_id=case.process_instance_id, status=READY)
    return tasks.select_related("department", "instance__definition").order_by("id")


def decisions_of(task: Task) -> list[str]:
    return list(task.instance.definition.tasks[task.name].get("decisions") or [])


def decide(case: Case, task: Task, *, by, decision: str, reasons: str = "", data=None) -> Case:
    """Do ``task`` with ``decision`` and move the case; one transaction, audited."""
    case = case_for(by, case.pk)
    task = _task_of(case, task)
    access.require(by, "workflow.complete_task", task)
    payload = {**(data or {}), "decision": decision} if decision else dict(data or {})
    reasons = str(reasons or "").strip()
    if reasons:
        payload["reasons"] = reasons[:2000]
    with transaction.atomic():
        if decision == "refuse" and "refuse" not in decisions_of(task):
            return _refuse_instant(case, task, by=by, reasons=reasons)
        case = _before(case, task, by=by, decision=decision, reasons=reasons)
        instance = workflow.complete(task, by=by, data=payload)
        case = _after(case, task, instance, by=by, decision=decision, reasons=reasons)
    return case


def send_back(case: Case, task: Task, *, by, to: str, reason: str) -> Case:
    """退回: redo an earlier step of the case's process; the case keeps its status."""
    case = case_for(by, case.pk)
    task = _task_of(case, task)
    with transaction.atomic():
        workflow.send_back(task, by=by, to=to, reason=reason)
        history.record(case, "send_back", case.status, by=by, note=f"退回:{reason}")
    return case


def case_for(user, pk: int) -> Case:
    """The case if ``user`` may see it, or do one of its ready tasks (a parallel reviewer of
    another department); ``NotFound`` otherwise."""
    try:
        return services.case_for(user, pk)
    except NotFound:
        case = Case.objects.filter(pk=pk).first()
        if case is None or not _has_task(user, case):
            raise
        return case


def _has_task(user, case: Case) -> bool:
    tasks = Task.objects.filter(instance_id=case.process_instance_id, status=READY)
    return (
        bool(case.process_instance_id)
        and access.scope(user, "workflow.complete_task", tasks).exists()
    )


def _task_of(case: Case, task) -> Task:
    pk = getattr(task, "pk", task)
    found = tasks_for(case).filter(pk=pk).first()
    if found is None:
        raise NotFound("该办件没有这项待办任务", "No such ready task for this case")
    return found


def _refuse_instant(case: Case, task: Task, *, by, reasons: str) -> Case:
    """不予受理 at a task that has no refuse branch (the instant template): the case is
    refused and its process cancelled."""
    moved = services.refuse(case, by=by, reason=reasons)
    workflow.cancel(task.instance, by=by, reason=f"不予受理:{reasons}")
    return moved


def _before(case: Case, task: Task, *, by, decision: str, reasons: str) -> Case:
    """The case's move for the task's decision, before the process advances."""
    decisions = decisions_of(task)
    if decision == "accept":
        return services.accept(case, by=by) if case.status == Status.SUBMITTED else case
    if decision == "refuse":
        return services.refuse(case, by=by, reason=reasons)
    if task.name == "Activity_review" or task.instance.definition.tasks[task.name]["multi"]:
        return _in_review(case, by)
    if decision == "approve":
        return _move(case, "approve", by=by, note=reasons)
    if decision == "deny":
        if not reasons:
            raise InvalidInput(fields={"reasons": ["请填写不予许可的理由 / reasons required"]})
        return _move(case, "deny", by=by, note=reasons)
    if decision in ("pass", "fail"):
        label = "核查合格" if decision == "pass" else "核查不合格,撤销决定"
        history.record(case, "check", case.status, by=by, note=f"{label} {reasons}".strip())
        return case
    if not decisions and case.status in (Status.APPROVED, Status.DENIED):
        return _move(case, "conclude", by=by, note=reasons or task.title)
    return case


def _after(case: Case, task: Task, instance, *, by, decision: str, reasons: str) -> Case:
    """At the end of the process an approved or denied case is concluded, result noted."""
    if instance.status != ProcessInstance.Status.COMPLETED:
        return case
    if case.status in (Status.APPROVED, Status.DENIED):
        result = END_RESULTS.get(instance.end_event, instance.end_event)
        note = f"{result}:{reasons}" if reasons else result
        return _move(case, "conclude", by=by, note=note)
    return case


def _in_review(case: Case, by) -> Case:
    if case.status == Status.ACCEPTED:
        return _move(case, "start_review", by=by)
    return case


def _move(case: Case, verb: str, *, by, note: str = "") -> Case:
    """A move the workflow task authorises (checked by ``workflow.complete``)."""
    apply = outcomes.apply_outcome if verb == "conclude" else None
    return services._move(case, verb, by=by, note=note, apply=apply, checked=True)


# --- the inbox ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Colour:
    code: str
    label: str
    used: int
    limit: int | None


def colour_of(case: Case, *, calendar=None, today=None) -> Colour:
    """Green, yellow (≥ 80% of the promised working days used) or red (overdue)."""
    limit, _statutory = clocks.limits(case)
    today = today or clock.today()
    used = 0
    if case.accepted_on is not None and today > case.accepted_on:
        calendar = calendar or workdays.Calendar()
        used = calendar.count(case.accepted_on, today, clocks.stops_of(case))
    code = "green"
    if limit is not None and case.accepted_on is not None:
        if used > limit:
            code = "red"
        elif limit and used >= YELLOW_SHARE * limit:
            code = "yellow"
    return Colour(code, COLOURS[code][0], used, limit)


def inbox(user, *, before=None, limit=DEFAULT_LIMIT, status=None, item=None, colour=None):
    """The user's cases with a ready task they may do: ``(rows, next_before)``, newest first.

    One query per page (the ready tasks in the user's roles and departments, semi-joined to
    the cases, their suspensions prefetched); each row carries ``task_title`` and ``colour``.
    The colour is computed, not stored, so a colour filter reads on, page after page, until
    it has ``limit`` matching rows or has looked at ``COLOUR_SCAN`` cases; ``next_before``
    then continues from where it stopped.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    tasks = access.scope(user, "workflow.complete_task", Task.objects.filter(status=READY))
    cases = Case.objects.filter(process_instance_id__in=tasks.values("instance_id"))
    if status:
        cases = cases.filter(status=status)
    if item:
        cases = cases.filter(item_id=item)
    first_task = tasks.filter(instance_id=OuterRef("process_instance_id")).order_by("id")
    cases = (
        cases.select_related("guide", "department")
        .prefetch_related("suspensions")
        .annotate(task_title=Subquery(first_task.values("title")[:1]))
        .order_by("-pk")
    )
    calendar, today = workdays.Calendar(), clock.today()
    found, scanned = [], 0
    while True:
        page = list((cases.filter(pk__lt=before) if before is not None else cases)[: limit + 1])
        more = len(page) > limit
        page = page[:limit]
        for case in page:
            case.colour = colour_of(case, calendar=calendar, today=today)
            if len(found) < limit and (not colour or case.colour.code == colour):
                found.append(case)
                before = case.pk
            elif len(found) >= limit:
                return found, before
            else:
                before = case.pk
        scanned += len(page)
        if not more:
            return found, None
        if not colour or len(found) >= limit or scanned >= COLOUR_SCAN:
            return found, before


def verbs_for(case: Case) -> list[str]:
    """The case verbs its status allows (the workbench's buttons)."""
    return transitions.allowed_verbs(case.status)
