"""Who may see and work on which review and rectification (``tongban.identity.access``).

- Clerks, approvers and department administrators of the responsible department see its
  reviews and rectifications and work them (``reviews.handle_rectification``: visit back,
  rectify, explain, feed back, claim a rating mistaken or malicious).
- Supervisors see every department's and re-review appeals (``reviews.rereview_rectification``).
- The reviewer's own actions (accept, appeal) are checked in ``services``, not here.
"""

from tongban.identity import access
from tongban.org.models import StaffMembership

Role = StaffMembership.Role
SCOPED = frozenset({Role.CLERK, Role.APPROVER, Role.DEPT_ADMIN})


def _reaches(user, perm: str, obj) -> bool:
    if not access.holds(user, perm):
        return False
    if obj is None:
        return True
    return access.within(user, perm, getattr(obj, "department_id", None), scoped=SCOPED)


def _rows(perm: str):
    def rows(user, queryset):
        if not access.holds(user, perm):
            return queryset.none()
        return access.in_reach(user, perm, queryset, scoped=SCOPED)

    return rows


for _perm in (
    "reviews.view_review",
    "reviews.view_rectification",
    "reviews.handle_rectification",
    "reviews.rereview_rectification",
):
    access.rule(_perm)(lambda user, obj, _p=_perm: _reaches(user, _p, obj))
    access.scope_rule(_perm)(_rows(_perm))
