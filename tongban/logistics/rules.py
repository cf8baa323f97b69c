"""Who may see and act on which waybill.

- An applicant sees the waybills of their own cases (and of an enterprise they act for
  with the ``view`` scope) and books a collection for their own case (``apply`` scope).
- Staff holding ``logistics.view_waybill`` (clerks, approvers: their department's cases;
  supervisors and finance staff: every department) see waybills; clerks
  (``logistics.manage_waybill``) book, cancel and re-send those of their department and
  book collections for its cases.
"""

from tongban.identity import access
from tongban.org.models import StaffMembership

Role = StaffMembership.Role
SCOPED = frozenset({Role.CLERK, Role.APPROVER, Role.DEPT_ADMIN})
VIEW = "logistics.view_waybill"
MANAGE = "logistics.manage_waybill"


def _staff_reaches(user, perm: str, obj) -> bool:
    if not access.holds(user, perm):
        return False
    return obj is None or access.within(user, perm, obj.department_id, scoped=SCOPED)


@access.rule("logistics.view")
def view(user, waybill) -> bool:
    """``waybill`` ``None``: whether the user may use the mail desk at all."""
    if waybill is not None and access.owns(
        user, waybill.case, enterprise="enterprise", scope="view"
    ):
        return True
    return _staff_reaches(user, VIEW, waybill)


@access.scope_rule("logistics.view")
def viewable(user, queryset):
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.kind != user.Kind.STAFF:
        return _own(user, queryset)
    if not access.holds(user, VIEW):
        return queryset.none()
    return access.in_reach(user, VIEW, queryset, scoped=SCOPED)


def _own(user, queryset):
    return access.own_rows(
        user, queryset, person="case__applicant", enterprise="case__enterprise", scope="view"
    )


@access.rule("logistics.manage")
def manage(user, waybill) -> bool:
    return _staff_reaches(user, MANAGE, waybill)


@access.rule("logistics.book_collection")
def book_collection(user, case) -> bool:
    """The applicant for their own case, or a clerk of the case's department."""
    if case is not None and access.owns(user, case, enterprise="enterprise", scope="apply"):
        return True
    return _staff_reaches(user, MANAGE, case)
