"""效能监察: yellow and red cards for running cases, and the supervisor's figures.

A running case turns yellow once 80% of its promised working days are used and red once it is
overdue (``clocks``: suspensions do not count). ``sweep`` (run by the task worker,
``tasks.supervise``, or ``manage.py cases_supervise``) stores the colour on the case and, each
time the colour rises, tells the department's approvers, its department administrators (the
department head) and the case's assignee, in-app and by SMS. The notice's idempotency key names
the colour and the promised due date, so a colour is announced once, and again only after an
extension moved the due date and the case reached that colour anew.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from tongban.audit import services as audit
from tongban.cases import clocks
from tongban.cases.models import Case, Status, WarningLevel
from tongban.core import clock
from tongban.notify import services as notify
from tongban.org.models import StaffMembership

ACTOR = "cases.supervision"
TEMPLATE = "cases.supervision_warning"
YELLOW_SHARE = 0.8
# The statuses in which the clock may run (a suspended case keeps its colour, frozen).
RUNNING = (Status.ACCEPTED, Status.IN_REVIEW, Status.APPROVED, Status.DENIED)
RANK = {WarningLevel.NONE: 0, WarningLevel.YELLOW: 1, WarningLevel.RED: 2}
# A case due more than this far ahead has 80+ working days left: under 20% of its limit only
# for limits above 400 working days, which no guide has. Skipping it keeps the hourly sweep
# to the cases that can change colour (plus the coloured ones, which an extension lowers).
HORIZON = datetime.timedelta(days=120)
RECIPIENT_ROLES = (StaffMembership.Role.APPROVER, StaffMembership.Role.DEPT_ADMIN)


def level_of(case_clock: clocks.CaseClock) -> str:
    """The colour a clock earns: red when overdue, yellow from 80% of the promised days."""
    limit = case_clock.limit_days
    if limit is None:
        return WarningLevel.NONE
    if case_clock.overdue:
        return WarningLevel.RED
    if limit > 0 and case_clock.used >= YELLOW_SHARE * limit:
        return WarningLevel.YELLOW
    return WarningLevel.NONE


def sweep(today=None) -> dict[str, int]:
    """Recolour every running case; returns how many turned yellow and red this time."""
    today = today or clock.today()
    raised = {WarningLevel.YELLOW: 0, WarningLevel.RED: 0}
    near = Q(promised_due__isnull=True) | Q(promised_due__lte=today + HORIZON)
    running = (
        Case.objects.filter(status__in=RUNNING, accepted_on__isnull=False)
        .filter(near | ~Q(warning=WarningLevel.NONE))
        .select_related("guide")
        .prefetch_related("suspensions")
        .order_by("pk")
    )
    for case in running.iterator(chunk_size=500):
        level = level_of(clocks.clock_of(case, today))
        if level != case.warning and recolour(case, level, today):
            raised[level] += 1
    return {"yellow": raised[WarningLevel.YELLOW], "red": raised[WarningLevel.RED]}


def recolour(case: Case, level: str, today) -> bool:
    """Store the new colour (one transaction with its audit record and notices); whether it
    rose. A colour that falls (after an extension) is stored without a notice."""
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",)).select_related("guide").get(pk=case.pk)
        )
        before = locked.warning
        if before == level or locked.status not in RUNNING:
            return False
        locked.warning = level
        locked.warned_at = clock.now()
        locked.save(update_fields=["warning", "warned_at", "updated_at"])
        audit.record(ACTOR, "cases.case.warn", locked, changes={"warning": [before, level]})
        rose = RANK[level] > RANK[before]
        if rose:
            _notify(locked, clocks.clock_of(locked, today))
    return rose


def recipients(case: Case) -> list:
    """The department's approvers and administrators today, and the case's assignee."""
    memberships = (
        StaffMembership.objects.active()
        .filter(department_id=case.department_id, role__in=RECIPIENT_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    found = {m.user_id: m.user for m in memberships}
    if case.assignee_id and case.assignee_id not in found:
        found[case.assignee_id] = case.assignee
    return list(found.values())


def _notify(case: Case, case_clock: clocks.CaseClock) -> None:
    context = {
        "办件编号": case.number,
        "事项名称": case.guide.name,
        "部门": case.department.name,
        "预警": case.get_warning_display(),
        "已用工作日": str(case_clock.used),
        "承诺工作日": str(case_clock.limit_days),
        "承诺办结日期": str(case.promised_due or ""),
    }
    for user in recipients(case):
        phone = str(user.phone) if user.phone else ""
        notify.send(
            user,
            TEMPLATE,
            context,
            channels=["in_app", "sms"] if phone else ["in_app"],
            address=phone or None,
            idempotency_key=f"cases:{case.pk}:warn:{case.warning}:{case.promised_due}:{user.pk}",
            by=ACTOR,
        )


# --- the supervisor's figures -------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentFigures:
    department_id: int
    name: str
    running: int
    yellow: int
    red: int


def figures() -> list[DepartmentFigures]:
    """Per department: running cases, and how many of them are yellow and red."""
    rows = (
        Case.objects.filter(status__in=(*RUNNING, Status.SUSPENDED))
        .values("department_id", "department__name")
        .annotate(
            running=Count("pk"),
            yellow=Count("pk", filter=Q(warning=WarningLevel.YELLOW)),
            red=Count("pk", filter=Q(warning=WarningLevel.RED)),
        )
        .order_by("-red", "-yellow", "department__name")
    )
    return [
        DepartmentFigures(
            r["department_id"], r["department__name"], r["running"], r["yellow"], r["red"]
        )
        for r in rows
    ]


def warned_cases(department_id: int | None = None):
    """The red and yellow cases still running, red first, the longest overdue first."""
    found = Case.objects.filter(
        status__in=(*RUNNING, Status.SUSPENDED),
        warning__in=(WarningLevel.RED, WarningLevel.YELLOW),
    )
    if department_id:
        found = found.filter(department_id=department_id)
    return (
        found.select_related("guide", "department")
        .prefetch_related("suspensions")
        .order_by("warning", "promised_due", "pk")
    )  # "red" < "yellow"


def days_over(case: Case, today=None) -> int:
    """Working days past the promised limit (0 when not overdue)."""
    case_clock = clocks.clock_of(case, today)
    return max(0, -(case_clock.left or 0))
