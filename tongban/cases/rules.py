"""Who may see and act on which case.

- Staff act within the departments of their memberships (clerk, approver, department
  administrator) on the permission their role carries (``org.roles``); a clerk also reaches
  the cases filed at the service center of their membership (window intake for every
  department at a comprehensive window). Supervisors see every case, act on none.
- An applicant sees their own cases, and the cases of an enterprise they act for with the
  ``view`` scope; they resubmit and withdraw their own (or the enterprise's, with ``apply``).
- The holiday schedule: read (``cases.view_schedule``) and entered a year at a time
  (``cases.enter_schedule``) by the system administrator.
- Anyone else: nothing. The services answer 404 to a user who may not see a case.
"""

from django.db.models import Q

from tongban.identity import access
from tongban.org.models import StaffMembership

Role = StaffMembership.Role
SCOPED = frozenset({Role.CLERK, Role.APPROVER, Role.DEPT_ADMIN})
VIEW = "cases.view_case"
# action → the permission a staff role must carry for it.
STAFF_ACTIONS = {
    "cases.accept": "cases.accept_case",
    "cases.refuse": "cases.accept_case",
    "cases.request_supplement": "cases.accept_case",
    "cases.suspend": "cases.suspend_case",
    "cases.resume": "cases.suspend_case",
    "cases.extend": "cases.extend_case",
    "cases.decide": "cases.decide_case",
    "cases.conclude": "cases.conclude_case",
    "cases.deliver": "cases.deliver_case",
}
APPLICANT_ACTIONS = {"cases.resubmit": "apply", "cases.withdraw": "apply"}


def clerk_centers(user) -> frozenset[int]:
    """The service centers where ``user`` is a clerk today (at the center or a window)."""
    return access.centers(user, Role.CLERK)


def staff_reaches(user, perm: str, case) -> bool:
    if not access.holds(user, perm):
        return False
    if case is None:
        return True
    if access.within(user, perm, case.department_id, scoped=SCOPED):
        return True
    return case.center_id is not None and case.center_id in clerk_centers(user)


@access.rule("cases.view")
def view(user, case) -> bool:
    if case is not None and access.owns(user, case, enterprise="enterprise", scope="view"):
        return True
    return staff_reaches(user, VIEW, case)


@access.scope_rule("cases.view")
def viewable(user, queryset):
    conditions = view_conditions(user)
    if conditions is access.ALL:
        return queryset
    if not conditions:
        return queryset.none()
    combined = Q()
    for condition in conditions:
        combined |= condition
    return queryset.filter(combined)


def view_conditions(user) -> list[Q] | None:
    """The cases ``user`` may see, as conditions to OR together (``access.ALL``: every case).

    Each condition is served by an index on its own, so a keyset list can run one query per
    condition and merge them (``services.list_cases``) rather than one OR that scans.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    conditions = [Q(applicant=user)]
    enterprises = access.enterprises_with(user, "view")
    if enterprises:
        conditions.append(Q(enterprise__in=enterprises))
    if access.holds(user, VIEW):
        found = access.reach(user, VIEW, scoped=SCOPED)
        if found is access.ALL:
            return access.ALL
        if found:
            conditions.append(Q(department__in=found))
        centers = clerk_centers(user)
        if centers:
            conditions.append(Q(center__in=centers))
    return conditions


@access.rule("cases.intake")
def intake(user, window) -> bool:
    """A clerk files for a person at a window of their own center."""
    if not access.holds(user, "cases.intake_case"):
        return False
    return window is None or window.center_id in clerk_centers(user)


def _staff_rule(action: str, perm: str) -> None:
    access.rule(action)(lambda user, case: staff_reaches(user, perm, case))


def _applicant_rule(action: str, scope: str) -> None:
    access.rule(action)(
        lambda user, case: (
            case is not None and access.owns(user, case, enterprise="enterprise", scope=scope)
        )
    )


# The State Council's holiday schedule: read by anyone who may see it in the admin, entered
# by the roles carrying the add permission (the system administrator).
access.rule("cases.view_schedule")(
    lambda user, obj: access.holds(user, "cases.view_holidayschedule")
)
access.rule("cases.enter_schedule")(
    lambda user, obj: access.holds(user, "cases.add_holidayschedule")
)
# 效能监察: the supervisor's page of yellow and red cases across every department.
access.rule("cases.supervise")(lambda user, obj: Role.SUPERVISOR in access.roles(user))

for _action, _perm in STAFF_ACTIONS.items():
    _staff_rule(_action, _perm)
for _action, _scope in APPLICANT_ACTIONS.items():
    _applicant_rule(_action, _scope)
