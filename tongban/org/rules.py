"""Who may see and change the county's organization and its staff accounts.

Reading the structure (departments, centers, windows, who holds which role) is open to any
role carrying the view permission. Changing windows and memberships: the system
administrator everywhere, a department administrator (部门管理员) in their own departments
only; departments and centers: the system administrator. A gateway client reads the staff of
the departments in its ``department_codes`` (``*``: all).
"""

from tongban.identity import access
from tongban.org.models import StaffMembership

# Roles that act only within the departments of their memberships.
SCOPED = frozenset({StaffMembership.Role.DEPT_ADMIN})
DEPARTMENT_SCOPED = ("window", "staffmembership")
COUNTY_WIDE = ("department", "servicecenter")


def _register(model: str) -> None:
    view, change = f"org.view_{model}", f"org.change_{model}"

    @access.rule(view)
    def may_view(user, obj) -> bool:
        return _allowed(user, view, obj)

    @access.scope_rule(view)
    def viewable(user, queryset):
        return access.in_reach(user, view, queryset, scoped=SCOPED)

    @access.rule(change)
    def may_change(user, obj) -> bool:
        return _allowed(user, change, obj)

    @access.scope_rule(change)
    def changeable(user, queryset):
        return access.in_reach(user, change, queryset, scoped=SCOPED)


def _allowed(user, perm: str, obj) -> bool:
    if not access.holds(user, perm):
        return False
    if obj is None:
        return True
    return access.within(user, perm, obj.department_id, scoped=SCOPED)


for _model in DEPARTMENT_SCOPED:
    _register(_model)


def _county_wide(model: str) -> None:
    for verb in ("view", "change"):
        perm = f"org.{verb}_{model}"
        access.rule(perm)(lambda user, obj, perm=perm: access.holds(user, perm))
        access.scope_rule(perm)(
            lambda user, queryset, perm=perm: _all_or_none(user, perm, queryset)
        )


def _all_or_none(user, perm: str, queryset):
    return queryset if access.holds(user, perm) else queryset.none()


for _model in COUNTY_WIDE:
    _county_wide(_model)


@access.rule("org.read_staff")
def read_staff(client, department) -> bool:
    """A gateway client reads the staff of the departments it was given."""
    codes = getattr(client, "department_codes", None) or []
    return "*" in codes or (department is not None and department.code in codes)


@access.scope_rule("org.read_staff")
def staff_rows(client, queryset):
    codes = getattr(client, "department_codes", None) or []
    if "*" in codes:
        return queryset
    return queryset.filter(department__code__in=codes)


@access.rule("org.view_account")
def view_account(user, account) -> bool:
    """Accounts in the admin: the system administrator every one; a role that only views
    accounts (a department administrator choosing whom to give a role) staff accounts only."""
    if not access.holds(user, "identity.view_user"):
        return False
    return account is None or access.holds(user, "identity.change_user") or _is_staff(account)


@access.scope_rule("org.view_account")
def accounts(user, queryset):
    if access.holds(user, "identity.change_user"):
        return queryset
    if access.holds(user, "identity.view_user"):
        return queryset.filter(kind=queryset.model.Kind.STAFF)
    return queryset.none()


def _is_staff(account) -> bool:
    return account.kind == account.Kind.STAFF
