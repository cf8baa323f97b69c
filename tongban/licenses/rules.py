"""Who may see and act on which license (``tongban.identity.access`` rules).

- The issuing department's approvers and department administrators issue by hand
  (``licenses.issue``, on a case of their department), change, renew and revoke its
  licenses (``licenses.change`` / ``renew`` / ``revoke``) and see its register
  (``licenses.view_register``); supervisors see every department's register, act on none.
- The license catalog (types) is kept by the catalog and system administrators
  (``licenses.manage_types``).
- Verification needs no rule: it is public and shows only what a verifier may see.

The wallet's rules (holders, verifiers) live in ``wallet_rules``, imported here.
"""

from tongban.identity import access
from tongban.licenses import wallet_rules  # noqa: F401
from tongban.org.models import StaffMembership

Role = StaffMembership.Role
ISSUERS = (Role.APPROVER, Role.DEPT_ADMIN)
TYPE_KEEPERS = frozenset({Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN})
READERS_EVERYWHERE = frozenset({Role.SUPERVISOR})


def issuing_staff(user, department_id) -> bool:
    """``user`` is an approver or department administrator of ``department_id`` (of any
    department when ``None``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    departments = access.departments(user, *ISSUERS)
    return bool(departments) if department_id is None else department_id in departments


@access.rule("licenses.issue")
def issue(user, case) -> bool:
    return issuing_staff(user, getattr(case, "department_id", None))


def _act(user, lic) -> bool:
    return issuing_staff(user, getattr(lic, "issuer_id", None))


for _action in ("licenses.change", "licenses.renew", "licenses.revoke"):
    access.rule(_action)(_act)


@access.rule("licenses.view_register")
def view_register(user, lic) -> bool:
    if access.roles(user) & READERS_EVERYWHERE:
        return True
    return _act(user, lic)


@access.scope_rule("licenses.view_register")
def register_rows(user, queryset):
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if access.roles(user) & READERS_EVERYWHERE:
        return queryset
    return queryset.filter(issuer__in=access.departments(user, *ISSUERS))


@access.rule("licenses.manage_types")
def manage_types(user, license_type) -> bool:
    return bool(access.roles(user) & TYPE_KEEPERS)
