"""The org app's public functions: who holds which role, and granting or revoking one.

Other apps ask here (``org.roles_of(user)``) instead of reading memberships themselves.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from tongban.audit import services as audit
from tongban.errors import InvalidInput, NotFound, PermissionDenied
from tongban.org import roles
from tongban.org.models import Department, ServiceCenter, StaffMembership, Window

# Per-user-object caches, as Django caches permissions: one query per request at most.
ROLE_CACHE = "_org_roles"
PERMISSION_CACHE = "_org_role_permissions"
DEPARTMENT_CACHE = "_org_departments"
MEMBERSHIP_FIELDS = ("center", "window", "is_active", "valid_from", "valid_to")


def roles_of(user) -> set[str]:
    """The roles the account holds today through active memberships."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return set()
    cached = getattr(user, ROLE_CACHE, None)
    if cached is None:
        cached = frozenset(
            StaffMembership.objects.active().filter(user=user).values_list("role", flat=True)
        )
        setattr(user, ROLE_CACHE, cached)
    return set(cached)


def holders_of(role: str):
    """The active accounts holding ``role`` today through an active membership."""
    from django.contrib.auth import get_user_model

    user_ids = StaffMembership.objects.active().filter(role=role).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk")


def has_any_role(user) -> bool:
    """Whether the account holds at least one active role (the admin site's gate)."""
    return bool(roles_of(user))


def forget_cached_roles(user) -> None:
    """Drop the caches on this user object so the next check reads the database."""
    for attr in (ROLE_CACHE, PERMISSION_CACHE, DEPARTMENT_CACHE):
        if hasattr(user, attr):
            delattr(user, attr)


def grant_role(
    user,
    *,
    department: Department,
    role: str,
    center: ServiceCenter | None = None,
    window: Window | None = None,
    valid_from=None,
    valid_to=None,
    by=None,
) -> StaffMembership:
    """Give ``user`` a role in ``department`` (re-activating a revoked one), audited.

    ``by`` is the granting account, or ``None`` or a string naming a system process (as
    ``audit.record`` takes it) for bootstrap; an account may grant only roles whose
    permissions it holds itself.
    """
    _require_grantor(by, role)
    with transaction.atomic():
        membership = _membership(user, department, role) or StaffMembership(
            user=user, department=department, role=role
        )
        adding = membership._state.adding
        before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
        membership.center, membership.window, membership.is_active = center, window, True
        membership.valid_from, membership.valid_to = valid_from, valid_to
        _full_clean(membership)
        changes = audit.diff(before, audit.snapshot(membership, MEMBERSHIP_FIELDS))
        if adding or changes:
            membership.save()
            audit.record(
                by, "org.role.grant", membership, changes=_with_subject(membership, changes)
            )
    forget_cached_roles(user)
    return membership


def revoke_role(
    user, *, department: Department, role: str, by=None, note: str = ""
) -> StaffMembership:
    """End ``user``'s role in ``department``, audited; the row stays as history."""
    _require_grantor(by, role)
    with transaction.atomic():
        membership = _membership(user, department, role)
        if membership is None:
            raise NotFound("该人员在此部门没有这个角色", "The account has no such role there")
        if membership.is_active:
            membership.is_active = False
            membership.save(update_fields=["is_active"])
            changes = _with_subject(membership, {"is_active": [True, False]})
            audit.record(by, "org.role.revoke", membership, changes=changes, note=note)
    forget_cached_roles(user)
    return membership


def _membership(user, department, role) -> StaffMembership | None:
    return (
        StaffMembership.objects.select_for_update()
        .filter(user=user, department=department, role=role)
        .first()
    )


def _require_grantor(by, role: str) -> None:
    if role not in StaffMembership.Role.values:
        raise InvalidInput(fields={"role": [f"没有这个角色 / unknown role: {role}"]})
    if by is None or isinstance(by, str):
        return
    # Permissions from the backends only: User.has_perm would let is_superuser through.
    held = by.get_all_permissions()
    if "org.add_staffmembership" not in held or not roles.can_grant(roles_of(by), role):
        raise PermissionDenied("您不能授予或撤销这个角色", "You may not grant or revoke this role")


def _full_clean(membership: StaffMembership) -> None:
    try:
        membership.full_clean(validate_unique=False)
    except ValidationError as exc:
        fields = {
            name: [str(message) for message in messages]
            for name, messages in exc.message_dict.items()
        }
        raise InvalidInput(fields=fields) from exc


def _with_subject(membership: StaffMembership, changes: dict) -> dict:
    """Name who and what in the record, so it reads without joining other tables."""
    return {
        "user": membership.user.get_username(),
        "department": membership.department.code,
        "role": membership.role,
        **changes,
    }


def network_summary() -> dict:
    """The four-level service network as the public home page shows it (a few queries)."""
    levels = dict(ServiceCenter.objects.values_list("level").annotate(n=Count("id")).order_by())
    active_departments = Department.objects.filter(is_active=True)
    return {
        "county_centers": levels.get(ServiceCenter.Level.COUNTY, 0),
        "town_centers": levels.get(ServiceCenter.Level.TOWN, 0),
        "village_stations": levels.get(ServiceCenter.Level.VILLAGE, 0),
        "departments": active_departments.count(),
        "windows": Window.objects.filter(is_active=True).count(),
        "towns": list(
            ServiceCenter.objects.filter(level=ServiceCenter.Level.TOWN).only(
                "division_name", "name", "statistical_code"
            )
        ),
        "department_names": list(active_departments.values_list("short_name", flat=True)),
    }
