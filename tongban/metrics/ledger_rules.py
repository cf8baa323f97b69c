"""Access rules of the ledger (工作任务台账).

- ``metrics.ledger.view``: supervisors read every task; department administrators the tasks
  naming their department as a lead or responsible unit (``metrics.view_ledgertask``, held
  by both roles, reaches everything through a role outside the department-bound ones).
- ``metrics.ledger.report``: a department administrator of one of the task's units.
- ``metrics.ledger.keep``: adding and changing tasks (supervisors: add/change_ledgertask).
"""

from django.db.models import Q

from tongban.identity import access
from tongban.org.models import StaffMembership

Role = StaffMembership.Role
SCOPED = frozenset({Role.DEPT_ADMIN})


def _staff(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.kind == user.Kind.STAFF


def _units(task) -> set[int]:
    return {d.pk for d in (*task.lead_units.all(), *task.responsible_units.all())}


def _reach(user, perm: str):
    return access.reach(user, perm, scoped=SCOPED) if _staff(user) else frozenset()


@access.rule("metrics.ledger.view")
def view(user, task) -> bool:
    found = _reach(user, "metrics.view_ledgertask")
    if found is access.ALL:
        return True
    if task is None:
        return bool(found)
    return bool(found & _units(task))


@access.scope_rule("metrics.ledger.view")
def viewable(user, queryset):
    found = _reach(user, "metrics.view_ledgertask")
    if found is access.ALL:
        return queryset
    if not found:
        return queryset.none()
    named = Q(lead_units__in=found) | Q(responsible_units__in=found)
    return queryset.filter(pk__in=queryset.model.objects.filter(named).values("pk"))


@access.rule("metrics.ledger.report")
def report(user, task) -> bool:
    if not _staff(user) or not access.holds(user, "metrics.report_progress"):
        return False
    mine = access.departments(user, Role.DEPT_ADMIN)
    if task is None:
        return bool(mine)
    return bool(mine & _units(task))


@access.rule("metrics.ledger.keep")
def keep(user, task) -> bool:
    return _staff(user) and access.holds(
        user, "metrics.add_ledgertask", "metrics.change_ledgertask"
    )
