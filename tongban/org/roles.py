"""Which Django permissions ("app_label.codename") each role carries.

Roles are the only source of permissions (``backends.RoleBackend``): no per-user or group
permissions, no superuser flag. Audit records are out of every role's reach except viewing:
nobody changes or deletes them, the system administrator included (等保2.0: system, security
and audit administration are separated). Apps that arrive later add their permissions here.
"""

from functools import cache

from django.apps import apps

from tongban.org.models import StaffMembership

Role = StaffMembership.Role

ORG_MODELS = ("department", "servicecenter", "window", "staffmembership")
CRUD = ("add", "change", "delete", "view")
VIEW_ORG = frozenset(f"org.view_{model}" for model in ORG_MODELS)
VIEW_AUDIT = "audit.view_auditrecord"


def model_permissions(app_label: str) -> frozenset[str]:
    """Every permission of every model of an app, custom ``Meta.permissions`` included."""
    found = set()
    for model in apps.get_app_config(app_label).get_models():
        opts = model._meta
        found.update(
            f"{app_label}.{action}_{opts.model_name}" for action in opts.default_permissions
        )
        found.update(f"{app_label}.{codename}" for codename, _name in opts.permissions)
    return frozenset(found)


def _crud(model: str) -> frozenset[str]:
    return frozenset(f"org.{action}_{model}" for action in CRUD)


@cache
def _table() -> dict[str, frozenset[str]]:
    # Built on first use, when the app registry is ready.
    return {
        Role.SYSTEM_ADMIN: model_permissions("org") | model_permissions("identity") | {VIEW_AUDIT},
        # identity.view_user: choosing the account when adding a membership needs it.
        Role.DEPT_ADMIN: _crud("window")
        | _crud("staffmembership")
        | {"org.view_department", "org.view_servicecenter", "identity.view_user"},
        Role.SUPERVISOR: VIEW_ORG | {VIEW_AUDIT},
        Role.CATALOG_ADMIN: VIEW_ORG,
        Role.DATA_OFFICER: VIEW_ORG,
        Role.APPROVER: VIEW_ORG,
        Role.CLERK: VIEW_ORG,
    }


def permissions_for(role: str) -> frozenset[str]:
    """The permissions of one role; an unknown role has none."""
    return _table().get(role, frozenset())


def permissions_for_roles(roles: set[str]) -> frozenset[str]:
    return frozenset().union(*(permissions_for(role) for role in roles))


def can_grant(grantor_permissions: set[str] | frozenset[str], role: str) -> bool:
    """A role may be granted only by someone who holds every permission it carries.

    Without this a department admin, who may add memberships, could make anyone (themselves
    included) a system administrator.
    """
    return permissions_for(role) <= set(grantor_permissions)
