"""Who may ask for, decide and see refunds, and run and read reconciliations
(``tongban.identity.access`` rules; the roles' permissions are in ``org.roles``).

- Department staff (clerks, approvers) ask for a refund of their department's paid orders
  (``payments.refund.request``) and see its refunds (``payments.refund.view``).
- Finance staff (财务人员, the county finance bureau) decide refunds of every department
  (``payments.refund.decide``; never their own request: ``refunds._decide``), run and read
  reconciliations (``payments.reconciliation.run`` / ``.view``) and resolve discrepancies
  (``payments.discrepancy.resolve``).
- Supervisors read refunds and reconciliations, act on none.
"""

from tongban.identity import access
from tongban.org.models import StaffMembership

Role = StaffMembership.Role
# Roles whose payments permissions reach only their own departments.
DEPARTMENT_STAFF = frozenset({Role.CLERK, Role.APPROVER})


def _department_of(obj):
    """The department id of an order or a refund (``None`` for "any")."""
    if obj is None:
        return None
    order = getattr(obj, "order", obj)
    return getattr(order, "department_id", None)


def _within(user, perm: str, obj) -> bool:
    found = access.reach(user, perm, scoped=DEPARTMENT_STAFF)
    department_id = _department_of(obj)
    if found is access.ALL:
        return True
    return bool(found) if department_id is None else department_id in found


@access.rule("payments.refund.request")
def request_refund(user, order) -> bool:
    return _within(user, "payments.request_refund", order)


@access.rule("payments.refund.view")
def view_refund(user, refund) -> bool:
    return _within(user, "payments.view_refund", refund)


@access.scope_rule("payments.refund.view")
def refund_rows(user, queryset):
    return access.in_reach(
        user,
        "payments.view_refund",
        queryset,
        scoped=DEPARTMENT_STAFF,
        field="order__department",
    )


@access.rule("payments.refund.decide")
def decide_refund(user, refund) -> bool:
    return access.holds(user, "payments.approve_refund")


@access.rule("payments.reconciliation.view")
def view_reconciliation(user, reconciliation) -> bool:
    return access.holds(user, "payments.view_reconciliation")


@access.rule("payments.reconciliation.run")
def run_reconciliation(user, obj) -> bool:
    return access.holds(user, "payments.reconcile")


@access.rule("payments.discrepancy.resolve")
def resolve_discrepancy(user, discrepancy) -> bool:
    return access.holds(user, "payments.change_discrepancy")
