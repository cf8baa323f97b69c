"""Who may find and open archived cases, and export them.

- Staff of the case's department (clerk, approver, department administrator) read the
  archives of their department's cases.
- Supervisors and system administrators read every archive.
- Export for the archives bureau: system administrators.

There is no archives role in ``org.roles`` (档案管理员); the rules go by roles held, as the
supervision page does, since no role carries an archives permission yet.
"""

from tongban.identity import access
from tongban.org.models import StaffMembership

Role = StaffMembership.Role
DEPARTMENT_ROLES = (Role.CLERK, Role.APPROVER, Role.DEPT_ADMIN)
EVERYWHERE = frozenset({Role.SUPERVISOR, Role.SYSTEM_ADMIN})


def _staff(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.kind == user.Kind.STAFF


def reads_everything(user) -> bool:
    return _staff(user) and bool(EVERYWHERE & access.roles(user))


@access.rule("archives.view")
def view(user, package) -> bool:
    """``package`` ``None``: whether the user may use the archives at all."""
    if not _staff(user):
        return False
    if reads_everything(user):
        return True
    departments = access.departments(user, *DEPARTMENT_ROLES)
    if package is None:
        return bool(departments)
    return package.case.department_id in departments


@access.scope_rule("archives.view")
def viewable(user, queryset):
    if not _staff(user):
        return queryset.none()
    if reads_everything(user):
        return queryset
    return queryset.filter(case__department__in=access.departments(user, *DEPARTMENT_ROLES))


access.rule("archives.export")(
    lambda user, obj: _staff(user) and Role.SYSTEM_ADMIN in access.roles(user)
)
