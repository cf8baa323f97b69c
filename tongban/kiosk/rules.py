"""Who may enrol a browser as a self-service terminal: a system administrator (any
terminal), or a department administrator posted at the terminal's service center."""

from tongban.identity import access
from tongban.org.models import StaffMembership

Role = StaffMembership.Role


@access.rule("kiosk.enroll")
def enroll(user, terminal) -> bool:
    """``terminal`` ``None``: whether the user may open the enrolment page at all."""
    if not getattr(user, "is_authenticated", False) or user.kind != user.Kind.STAFF:
        return False
    if Role.SYSTEM_ADMIN in access.roles(user):
        return True
    centers = access.centers(user, Role.DEPT_ADMIN)
    return bool(centers) if terminal is None else terminal.center_id in centers


@access.scope_rule("kiosk.enroll")
def enrollable(user, queryset):
    if not getattr(user, "is_authenticated", False) or user.kind != user.Kind.STAFF:
        return queryset.none()
    if Role.SYSTEM_ADMIN in access.roles(user):
        return queryset
    return queryset.filter(center_id__in=access.centers(user, Role.DEPT_ADMIN))
