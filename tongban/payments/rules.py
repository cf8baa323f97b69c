"""Who may see and pay which payment order (``tongban.identity.access`` rules).

- The payer sees and pays their own orders; a person acting for the enterprise a case was
  filed for sees its orders (``view`` scope) and pays them (``apply`` scope).
- Staff holding ``payments.view_paymentorder`` (clerks, approvers) see the orders of their
  departments; finance staff and supervisors see every order.
- Nobody pays for someone else at the platform; staff never pay.

The finance desk's rules (refunds, reconciliation) are in ``finance_rules``.
"""

from tongban.identity import access
from tongban.org.models import StaffMembership
from tongban.payments import finance_rules  # noqa: F401

Role = StaffMembership.Role
VIEW = "payments.view_paymentorder"
# Roles whose order permissions reach only their own departments.
DEPARTMENT_STAFF = frozenset({Role.CLERK, Role.APPROVER, Role.DEPT_ADMIN})


def _owner(user, order, scope: str) -> bool:
    if order is None or not getattr(user, "is_authenticated", False):
        return False
    if order.payer_id == user.pk:
        return True
    return access.owns(user, order.case, enterprise="enterprise", scope=scope)


def staff_sees(user, order) -> bool:
    if not access.holds(user, VIEW):
        return False
    if order is None:
        return True
    return access.within(user, VIEW, order.department_id, scoped=DEPARTMENT_STAFF)


@access.rule("payments.view")
def view(user, order) -> bool:
    return _owner(user, order, "view") or staff_sees(user, order)


@access.scope_rule("payments.view")
def viewable(user, queryset):
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    own = access.own_rows(user, queryset, person="payer")
    if not access.holds(user, VIEW):
        return own
    found = access.reach(user, VIEW, scoped=DEPARTMENT_STAFF)
    if found is access.ALL:
        return queryset
    return own | queryset.filter(department__in=found)


@access.rule("payments.pay")
def pay(user, order) -> bool:
    return getattr(user, "kind", None) == "person" and _owner(user, order, "apply")


@access.rule("payments.view_callbacks")
def view_callbacks(user, obj) -> bool:
    return access.holds(user, "payments.view_callback")
