"""Access rules of the identity app (``tongban.identity.access``).

- ``identity.manage_agents``: the enterprise's legal representative, L2 or above;
- ``identity.act_for``: anyone holding a scope for the enterprise (``enterprises.scopes_for``);
- ``identity.verify_in_person``: a clerk whose active role places them at the window's center
  (through the window itself or the whole center) and, for a department's own window, in that
  department. With no window given: a clerk placed at any center.
"""

from django.db.models import Q

from tongban.identity import access, enterprises
from tongban.identity.models import Level
from tongban.org.models import StaffMembership, Window

CLERK = StaffMembership.Role.CLERK


@access.rule("identity.manage_agents")
def manage_agents(user, enterprise) -> bool:
    return bool(
        enterprise is not None
        and enterprise.is_active
        and enterprise.legal_rep_id == user.pk
        and user.real_name_level >= Level.L2
    )


@access.rule("identity.act_for")
def act_for(user, enterprise) -> bool:
    return enterprise is not None and bool(enterprises.scopes_for(user, enterprise))


def _clerk_memberships(user):
    return (
        StaffMembership.objects.active()
        .filter(user=user, role=CLERK, user__kind="staff")
        .filter(Q(window__isnull=False) | Q(center__isnull=False))
    )


@access.rule("identity.verify_in_person")
def verify_in_person(user, window) -> bool:
    if window is None:
        return _clerk_memberships(user).exists()
    return windows_for_clerk(user, Window.objects.filter(pk=window.pk)).exists()


@access.scope_rule("identity.verify_in_person")
def windows_for_clerk(user, queryset):
    """The active windows at which ``user`` may verify people in person."""
    allowed = Q(pk__in=[])
    for membership in _clerk_memberships(user):
        if membership.window_id:
            place = Q(pk=membership.window_id)
        else:
            place = Q(center_id=membership.center_id)
        allowed |= place & (Q(department__isnull=True) | Q(department_id=membership.department_id))
    return queryset.filter(allowed, is_active=True)
