"""Who may act on workflow tasks and definitions (see tongban.identity.access).

A task is done by staff holding the task's role in the task's department today (an active
membership), and only by its assignee when it has one; a system task by no one (the app it
names does it). Process definitions are deployed by accounts holding
``workflow.add_processdefinition`` (the catalog administrator's role).
"""

from django.db.models import Exists, OuterRef, Q

from tongban.identity import access
from tongban.org.models import StaffMembership


def _memberships(user):
    return StaffMembership.objects.active().filter(user=user)


@access.rule("workflow.complete_task")
def complete_task(user, task) -> bool:
    if task is None:
        return _memberships(user).exists()
    if task.system:
        return False  # a platform app does it (services.complete_system)
    if task.assignee_id is not None and task.assignee_id != user.pk:
        return False
    return _memberships(user).filter(role=task.role, department_id=task.department_id).exists()


@access.scope_rule("workflow.complete_task")
def tasks_to_do(user, queryset):
    held = _memberships(user).filter(role=OuterRef("role"), department_id=OuterRef("department_id"))
    mine = Q(assignee__isnull=True) | Q(assignee=user)
    return queryset.filter(Exists(held), mine, system="")


@access.rule("workflow.deploy")
def deploy(user, obj=None) -> bool:
    return access.holds(user, "workflow.add_processdefinition")
