"""The reform task ledger (工作任务台账): tasks, progress reports, status, overdue alerts.

- ``load_plan`` writes a plan's parsed tasks (``plan.parse``) into the ledger: a re-run
  updates the tasks in place, matched by plan and number, and never duplicates them.
- ``report_progress``: a department administrator of a lead or responsible unit reports the
  unit's progress with evidence files (stored with their SHA-256).
- A task is 推进中 from its first report and 已完成 when every lead unit's latest report says
  completed, or when the keeper (a supervisor) marks it so (``update_task``).
- Overdue (已逾期) and due soon (临期, within ``METRICS_LEDGER_WARN_DAYS``) are read from the
  deadline against the clock, never stored; ``alert_overdue`` notifies each overdue task's
  units' administrators and the supervisors once (``overdue_sweep`` runs it periodically).
"""

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django_tasks import task as background_task

from tongban.audit import services as audit
from tongban.core import clock, uploads
from tongban.core.periodic import Periodic
from tongban.errors import Conflict, InvalidInput, NotFound
from tongban.identity import access
from tongban.metrics import plan as plans
from tongban.metrics.models import Evidence, LedgerTask, ProgressReport
from tongban.org.models import Department, StaffMembership
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT, page

Status = LedgerTask.Status
Role = StaffMembership.Role
VIEW, REPORT, KEEP = "metrics.ledger.view", "metrics.ledger.report", "metrics.ledger.keep"
OVERDUE_TEMPLATE = "metrics.ledger_overdue"
SYSTEM = "system:metrics"
EVIDENCE_KINDS = ("pdf", "jpeg", "png", "doc", "docx", "xls", "xlsx", "ofd")
EDITABLE = ("title", "content", "section", "lead_text", "responsible_text", "deadline")


def warn_days() -> int:
    return settings.METRICS_LEDGER_WARN_DAYS


def evidence_max_bytes() -> int:
    return getattr(settings, "METRICS_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)


def evidence_max_files() -> int:
    return getattr(settings, "METRICS_EVIDENCE_MAX_FILES", 10)


# Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """Where a task stands against its deadline today."""

    overdue: bool
    due_soon: bool
    days_left: int

    @property
    def css(self) -> str:
        return "overdue" if self.overdue else "due-soon" if self.due_soon else ""


def due(task: LedgerTask, today: datetime.date | None = None) -> Due:
    today = today or clock.today()
    days_left = (task.deadline - today).days
    open_ = task.status != Status.COMPLETED
    return Due(
        overdue=open_ and days_left < 0,
        due_soon=open_ and 0 <= days_left <= warn_days(),
        days_left=days_left,
    )


def current_plan() -> str:
    """The plan the ledger shows by default: the one whose task was added last."""
    latest = LedgerTask.objects.order_by("-created_at", "-pk").values_list("plan", flat=True)
    return latest.first() or plans.SEED_PLAN


def plan_names() -> list[str]:
    return list(LedgerTask.objects.order_by("plan").values_list("plan", flat=True).distinct())


def visible(user) -> QuerySet[LedgerTask]:
    return access.scope(user, VIEW, LedgerTask.objects.all())


def _with_units(queryset: QuerySet[LedgerTask]) -> QuerySet[LedgerTask]:
    return queryset.prefetch_related("lead_units", "responsible_units")


def filtered(
    user,
    *,
    plan: str | None = None,
    status: str | None = None,
    unit: str | None = None,
    overdue: bool | None = None,
) -> QuerySet[LedgerTask]:
    """The tasks ``user`` may see, narrowed by plan, status, unit (department code) and
    whether overdue (``True``: overdue only; ``False``: not overdue)."""
    if status and status not in Status.values:
        raise InvalidInput(fields={"status": ["状态无效 / unknown status"]})
    found = visible(user).filter(plan=plan or current_plan())
    if status:
        found = found.filter(status=status)
    if unit:
        units = Q(lead_units__code=unit) | Q(responsible_units__code=unit)
        found = found.filter(pk__in=LedgerTask.objects.filter(units).values("pk"))
    if overdue is not None:
        late = Q(deadline__lt=clock.today()) & ~Q(status=Status.COMPLETED)
        found = found.filter(late) if overdue else found.exclude(late)
    return _with_units(found)


def tasks(
    user,
    *,
    plan: str | None = None,
    status: str | None = None,
    unit: str | None = None,
    overdue: bool | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> tuple[list[LedgerTask], str | None]:
    """One page of the ledger for ``user`` in task order, and the next page's cursor."""
    found = filtered(user, plan=plan, status=status, unit=unit, overdue=overdue)
    limit = max(1, min(limit, MAX_LIMIT))
    return page(found, keys=("number", "id"), cursor=cursor, limit=limit)


def get(user, number, *, plan: str | None = None) -> LedgerTask:
    """One task of ``plan`` (the current one by default) with its reports and evidence;
    ``NotFound`` for a task the user may not see."""
    try:
        number = int(str(number))
    except ValueError:
        raise NotFound("未找到该工作任务", "No such task") from None
    reports = ProgressReport.objects.select_related("department", "reported_by").prefetch_related(
        "evidence"
    )
    found = (
        _with_units(visible(user))
        .prefetch_related(Prefetch("reports", queryset=reports))
        .filter(plan=plan or current_plan(), number=number)
        .first()
    )
    if found is None:
        raise NotFound("未找到该工作任务", "No such task")
    return found


def evidence(user, task: LedgerTask, evidence_id) -> Evidence:
    try:
        return Evidence.objects.get(pk=int(evidence_id), report__task=task)
    except (ValueError, TypeError, Evidence.DoesNotExist):
        raise NotFound("未找到该佐证材料", "No such evidence") from None


def reporting_units(user, task: LedgerTask) -> list[Department]:
    """The task's units ``user`` reports for (as department administrator)."""
    mine = access.departments(user, Role.DEPT_ADMIN)
    units = {*task.lead_units.all(), *task.responsible_units.all()}
    return sorted((d for d in units if d.pk in mine), key=lambda d: d.sort_order)


# Reporting -------------------------------------------------------------------------------


def report_progress(
    task: LedgerTask,
    *,
    by,
    content: str,
    progress: int,
    completed: bool = False,
    files=(),
    department: Department | None = None,
) -> ProgressReport:
    """File a unit's progress report with its evidence; the task's status follows."""
    access.require(by, REPORT, task)
    units = reporting_units(by, task)
    if department is None:
        if len(units) != 1:
            raise InvalidInput(fields={"department": ["请选择报送单位 / choose the unit"]})
        department = units[0]
    elif department not in units:
        raise InvalidInput(fields={"department": ["不能代该单位报送 / not your unit"]})
    errors = {}
    content = (content or "").strip()
    if not content:
        errors["content"] = ["请填写进展情况 / describe the progress"]
    try:
        progress = int(progress)
    except (TypeError, ValueError):
        progress = -1
    if not 0 <= progress <= 100:
        errors["progress"] = ["完成进度应为 0–100 / progress is 0 to 100"]
    files = list(files or ())
    errors.update(_check_files(files))
    if errors:
        raise InvalidInput(fields=errors)
    if completed:
        progress = 100
    with transaction.atomic():
        task = LedgerTask.objects.select_for_update().get(pk=task.pk)
        if task.status == Status.COMPLETED:
            raise Conflict("该任务已完成,无需再报送", "The task is completed")
        report = ProgressReport.objects.create(
            task=task,
            department=department,
            reported_by=by,
            content=content,
            progress=progress,
            completed=completed,
        )
        stored = [_store(report, upload) for upload in files]
        before = {"status": task.status, "progress": task.progress}
        _derive(task)
        audit.record(
            by,
            "metrics.ledgertask.report",
            task,
            changes={
                "department": department.short_name,
                "progress": progress,
                "completed": completed,
                "evidence": [{"name": e.name, "sha256": e.sha256} for e in stored],
                "status": [before["status"], task.status],
                "task_progress": [before["progress"], task.progress],
            },
        )
    return report


def _check_files(files) -> dict:
    problems = []
    if len(files) > evidence_max_files():
        problems.append(f"最多上传 {evidence_max_files()} 个文件 / too many files")
    for upload in files:
        # Type allow-list, size limit and content sniffing (tongban.core.uploads).
        problem = uploads.problem(
            upload, kinds=EVIDENCE_KINDS, max_bytes=evidence_max_bytes(), label=upload.name
        )
        if problem:
            problems.append(problem)
    return {"files": problems} if problems else {}


def _store(report: ProgressReport, upload) -> Evidence:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = PurePath(upload.name).name[:200]
    item = Evidence(report=report, name=name, size=upload.size, sha256=digest.hexdigest())
    suffix = PurePath(name).suffix.lower()
    item.file.save(f"{digest.hexdigest()[:16]}{suffix}", ContentFile(upload.read()), save=False)
    item.save()
    return item


def _derive(task: LedgerTask) -> None:
    """Status and progress from the units' latest reports (a keeper's completion stays)."""
    latest = {}
    for report in task.reports.order_by("-id"):
        latest.setdefault(report.department_id, report)
    leads = list(task.lead_units.values_list("pk", flat=True))
    counted = [latest.get(pk) for pk in leads] if leads else list(latest.values())
    done = bool(counted) and all(r is not None and r.completed for r in counted)
    if task.status == Status.COMPLETED or (leads and done):
        task.status, task.progress = Status.COMPLETED, 100
        task.completed_at = task.completed_at or clock.now()
    elif latest:
        task.status = Status.IN_PROGRESS
        task.progress = round(sum(r.progress if r else 0 for r in counted) / len(counted))
    else:
        task.status, task.progress = Status.NOT_STARTED, 0
    task.save(update_fields=["status", "progress", "completed_at", "updated_at"])


# Keeping the ledger ----------------------------------------------------------------------


def add_task(
    *,
    by,
    plan: str,
    number: int,
    title: str,
    content: str,
    deadline: datetime.date,
    lead_units=(),
    responsible_units=(),
    section: str = "",
    lead_text: str = "",
    responsible_text: str = "",
) -> LedgerTask:
    """Add a task to a plan (the next plan's tasks are added this way)."""
    access.require(by, KEEP)
    lead_units, responsible_units = list(lead_units), list(responsible_units)
    errors = {}
    if not (plan or "").strip():
        errors["plan"] = ["请填写所属方案 / name the plan"]
    if not (title or "").strip():
        errors["title"] = ["请填写任务名称 / give the title"]
    if not lead_units and not (lead_text or "").strip():
        errors["lead_units"] = ["请指定牵头单位 / name the lead unit"]
    if errors:
        raise InvalidInput(fields=errors)
    if LedgerTask.objects.filter(plan=plan.strip(), number=number).exists():
        raise Conflict(f"该方案已有第{number}项任务", f"Task {number} exists in this plan")
    with transaction.atomic():
        task = LedgerTask.objects.create(
            plan=plan.strip(),
            number=number,
            section=section,
            title=title.strip(),
            content=content or title,
            lead_text=lead_text or "、".join(d.short_name for d in lead_units),
            responsible_text=responsible_text or "、".join(d.short_name for d in responsible_units),
            deadline=deadline,
        )
        task.lead_units.set(lead_units)
        task.responsible_units.set(responsible_units)
        audit.record(by, "metrics.ledgertask.add", task, changes=audit.snapshot(task))
    return task


def update_task(
    task: LedgerTask,
    *,
    by,
    lead_units=None,
    responsible_units=None,
    completed: bool | None = None,
    note: str = "",
    **fields,
) -> LedgerTask:
    """Change a task's text, units or deadline, or mark it completed (or reopen it)."""
    access.require(by, KEEP, task)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidInput(fields={name: ["不能修改 / not editable"] for name in unknown})
    with transaction.atomic():
        task = LedgerTask.objects.select_for_update().get(pk=task.pk)
        before = audit.snapshot(task)
        units_before = _unit_names(task)
        for name, value in fields.items():
            setattr(task, name, value)
        if completed is True:
            task.status, task.progress, task.completed_at = Status.COMPLETED, 100, clock.now()
        elif completed is False and task.status == Status.COMPLETED:
            task.status, task.completed_at = Status.IN_PROGRESS, None
        task.save()
        if lead_units is not None:
            task.lead_units.set(lead_units)
        if responsible_units is not None:
            task.responsible_units.set(responsible_units)
        if completed is False or lead_units is not None:
            _derive(task)
        changes = audit.diff(before, audit.snapshot(task))
        if _unit_names(task) != units_before:
            changes["units"] = [units_before, _unit_names(task)]
        audit.record(by, "metrics.ledgertask.change", task, changes=changes, note=note)
    return task


def _unit_names(task: LedgerTask) -> dict:
    return {
        "lead": sorted(task.lead_units.values_list("short_name", flat=True)),
        "responsible": sorted(task.responsible_units.values_list("short_name", flat=True)),
    }


# Loading a plan --------------------------------------------------------------------------


def match_units(names: list[str]) -> list[Department]:
    """The departments named ("县住建局" → 住建局); collective or unknown names match none."""
    departments = list(Department.objects.filter(is_active=True))
    found = []
    for name in names:
        if plans.is_collective(name):
            continue
        key = plans.unit_key(name)
        match = next((d for d in departments if d.short_name == key), None) or next(
            (d for d in departments if len(key) >= 4 and d.name.endswith(key)), None
        )
        if match and match not in found:
            found.append(match)
    return found


def load_plan(text: str | None = None, *, plan: str = plans.SEED_PLAN, by=SYSTEM) -> dict:
    """Write the plan's tasks into the ledger; counts of created and updated tasks.

    Idempotent: tasks are matched by plan and number; their text, deadline and units are
    refreshed, their reports and status left as they are."""
    parsed = plans.parse(plans.read_seed() if text is None else text)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for item in parsed:
            values = {
                "section": item.section[:100],
                "title": item.title[:200],
                "content": item.content,
                "lead_text": item.lead_text[:300],
                "responsible_text": item.responsible_text[:600],
                "deadline": item.deadline,
            }
            task, created = LedgerTask.objects.get_or_create(
                plan=plan, number=item.number, defaults=values
            )
            before = audit.snapshot(task, values)
            units_before = None if created else _unit_names(task)
            if not created:
                for name, value in values.items():
                    setattr(task, name, value)
                task.save()
            task.lead_units.set(match_units(item.lead_names))
            task.responsible_units.set(match_units(item.responsible_names))
            changes = audit.diff(before, audit.snapshot(task, values))
            if created:
                counts["created"] += 1
                audit.record(by, "metrics.ledgertask.load", task, changes=values)
            elif changes or _unit_names(task) != units_before:
                counts["updated"] += 1
                audit.record(by, "metrics.ledgertask.load", task, changes=changes)
            else:
                counts["unchanged"] += 1
    return counts


# Overdue alerts --------------------------------------------------------------------------


def overdue_tasks() -> QuerySet[LedgerTask]:
    return _with_units(
        LedgerTask.objects.filter(deadline__lt=clock.today()).exclude(status=Status.COMPLETED)
    )


def _alert_key(task: LedgerTask) -> str:
    return f"{OVERDUE_TEMPLATE}:{task.pk}:{task.deadline.isoformat()}"


def recipients(task: LedgerTask) -> list:
    """The department administrators of the task's units and every supervisor."""
    units = [d.pk for d in (*task.lead_units.all(), *task.responsible_units.all())]
    memberships = StaffMembership.objects.active().filter(
        Q(role=Role.DEPT_ADMIN, department__in=units) | Q(role=Role.SUPERVISOR)
    )
    users = {m.user for m in memberships.select_related("user") if m.user.is_active}
    return sorted(users, key=lambda user: user.pk)


def alert_overdue() -> int:
    """Notify each overdue task's people once (per deadline); the number of tasks alerted."""
    from tongban.notify import services as notify
    from tongban.notify.models import Message

    alerted = 0
    for task in overdue_tasks():
        key = _alert_key(task)
        if Message.objects.filter(idempotency_key__startswith=f"{key}:").exists():
            continue
        context = {
            "任务序号": str(task.number),
            "任务名称": task.title,
            "完成时限": task.deadline.isoformat(),
            "牵头单位": task.lead_text,
        }
        people = recipients(task)
        with transaction.atomic():
            for user in people:
                notify.send(
                    user,
                    OVERDUE_TEMPLATE,
                    context,
                    channels=["in_app"],
                    idempotency_key=f"{key}:{user.pk}",
                    by=SYSTEM,
                )
            audit.record(
                SYSTEM,
                "metrics.ledgertask.overdue_alert",
                task,
                changes={"deadline": task.deadline, "recipients": len(people)},
            )
        alerted += 1
    return alerted


@background_task()
def overdue_sweep() -> int:
    found = alert_overdue()
    OVERDUE.schedule_next()
    return found


OVERDUE = Periodic(overdue_sweep, lambda: datetime.timedelta(hours=6))
