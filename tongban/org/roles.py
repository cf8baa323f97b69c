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
# The catalog's own models (search's index, if any, is nobody's to edit by hand).
CATALOG_MODELS = (
    "baseitem",
    "serviceitem",
    "guide",
    "processstep",
    "materialspec",
    "acceptancepoint",
)
VIEW_CATALOG = frozenset(f"catalog.view_{model}" for model in CATALOG_MODELS)
# Publishing needs both change_guide and change_serviceitem (catalog.services.publish).
CATALOG_ALL = frozenset(f"catalog.{action}_{model}" for model in CATALOG_MODELS for action in CRUD)
# Interface management: the system administrator registers clients and manages their keys;
# the call log is read-only for everyone (its admin refuses changes), supervisors read it.
GATEWAY_ADMIN = frozenset(
    f"gateway.{action}_{model}" for model in ("apiclient", "apikey") for action in CRUD
) | {"gateway.view_calllog"}
VIEW_GATEWAY_LOG = frozenset({"gateway.view_calllog"})
# Messages: the system administrator edits templates, reads the delivery log, and sees and
# re-sends dead letters. Every account reads its own inbox without a permission.
NOTIFY_ADMIN = frozenset(
    {
        "notify.view_template",
        "notify.add_template",
        "notify.change_template",
        "notify.view_message",
        "notify.view_deadletter",
        "notify.resend_message",
        "notify.view_deliveryattempt",
        "notify.view_providercircuit",
    }
)

# The registries (人口库、法人库): the data officer keeps them; clerks, approvers and
# supervisors look people and entities up (values masked; tongban.core.pii.reveal decides
# who sees them in full). The system administrator has no access to personal data.
REGISTRY_MODELS = ("person", "legalentity")
REGISTRY_ALL = frozenset(
    f"registry.{action}_{model}" for model in REGISTRY_MODELS for action in CRUD
)
VIEW_REGISTRY = frozenset(f"registry.view_{model}" for model in REGISTRY_MODELS)

# Cases (办件): clerks take in, pre-review and deliver; approvers decide, suspend and extend;
# both within their departments (tongban.cases.rules). Supervisors see every case. The
# system administrator enters the State Council's holiday schedule.
CASES_CLERK = frozenset(
    f"cases.{p}_case" for p in ("view", "intake", "accept", "suspend", "conclude", "deliver")
)
CASES_APPROVER = frozenset(
    f"cases.{p}_case" for p in ("view", "suspend", "extend", "decide", "conclude")
)
CASES_CALENDAR = frozenset(f"cases.{a}_holidayschedule" for a in CRUD)
# Payments (统一支付): department staff see their department's orders and ask for refunds;
# finance staff (the county finance bureau) reconcile every channel, decide refunds and
# resolve discrepancies, and read the catalog where fees are set; supervisors read orders
# and reconciliations.
PAYMENTS_STAFF = frozenset(
    {"payments.view_paymentorder", "payments.view_refund", "payments.request_refund"}
)
PAYMENTS_FINANCE = frozenset(
    {
        "payments.view_paymentorder",
        "payments.view_callback",
        "payments.view_refund",
        "payments.approve_refund",
        "payments.reconcile",
        "payments.view_statement",
        "payments.view_reconciliation",
        "payments.view_discrepancy",
        "payments.change_discrepancy",
    }
)
PAYMENTS_SUPERVISOR = frozenset(
    {"payments.view_paymentorder", "payments.view_refund", "payments.view_reconciliation"}
)
# Logistics (统一物流): clerks post results and book collections for their department's
# cases; approvers and supervisors follow them; finance staff read the postage.
LOGISTICS_CLERK = frozenset({"logistics.view_waybill", "logistics.manage_waybill"})
LOGISTICS_READER = frozenset({"logistics.view_waybill"})
# Reviews (好差评): department staff read their department's reviews and work its
# rectifications (visit back, rectify or explain); supervisors read all, re-review appeals and
# mistaken or malicious ratings. Ratings themselves are given by people, with no permission.
REVIEWS_STAFF = frozenset(
    {"reviews.view_review", "reviews.view_rectification", "reviews.handle_rectification"}
)
REVIEWS_SUPERVISOR = frozenset(
    {"reviews.view_review", "reviews.view_rectification", "reviews.rereview_rectification"}
)
# The reform task ledger (工作任务台账): department administrators report their unit's
# progress; supervisors (the leaders' office) keep the ledger (tasks, units, deadlines), read
# everything and see the self-evaluation dashboard.
LEDGER_REPORTER = frozenset({"metrics.view_ledgertask", "metrics.report_progress"})
LEDGER_KEEPER = frozenset(
    {
        "metrics.view_ledgertask",
        "metrics.add_ledgertask",
        "metrics.change_ledgertask",
        "metrics.view_progressreport",
        "metrics.view_dashboard",
        "metrics.view_indicatorsnapshot",
    }
)


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
        Role.SYSTEM_ADMIN: model_permissions("org")
        | model_permissions("identity")
        | model_permissions("kiosk")
        | model_permissions("oauth2_provider")
        | {VIEW_AUDIT}
        | VIEW_CATALOG
        | GATEWAY_ADMIN
        | NOTIFY_ADMIN
        | CASES_CALENDAR,
        Role.FINANCE: VIEW_ORG | VIEW_CATALOG | PAYMENTS_FINANCE | LOGISTICS_READER,
        # identity.view_user: choosing the account when adding a membership needs it.
        Role.DEPT_ADMIN: _crud("window")
        | _crud("staffmembership")
        | {"org.view_department", "org.view_servicecenter", "identity.view_user"}
        | VIEW_CATALOG
        | REVIEWS_STAFF
        | LEDGER_REPORTER,
        Role.SUPERVISOR: VIEW_ORG
        | {VIEW_AUDIT}
        | VIEW_CATALOG
        | VIEW_GATEWAY_LOG
        | VIEW_REGISTRY
        | {"cases.view_case"}
        | PAYMENTS_SUPERVISOR
        | LOGISTICS_READER
        | REVIEWS_SUPERVISOR
        | LEDGER_KEEPER,
        Role.CATALOG_ADMIN: VIEW_ORG | CATALOG_ALL | model_permissions("workflow"),
        Role.DATA_OFFICER: VIEW_ORG | VIEW_CATALOG | REGISTRY_ALL,
        Role.APPROVER: VIEW_ORG
        | VIEW_CATALOG
        | VIEW_REGISTRY
        | CASES_APPROVER
        | PAYMENTS_STAFF
        | LOGISTICS_READER
        | REVIEWS_STAFF,
        Role.CLERK: VIEW_ORG
        | VIEW_CATALOG
        | VIEW_REGISTRY
        | CASES_CLERK
        | PAYMENTS_STAFF
        | LOGISTICS_CLERK
        | REVIEWS_STAFF,
    }


def permissions_for(role: str) -> frozenset[str]:
    """The permissions of one role; an unknown role has none."""
    return _table().get(role, frozenset())


def permissions_for_roles(roles: set[str]) -> frozenset[str]:
    return frozenset().union(*(permissions_for(role) for role in roles))


# Who may grant which role. An explicit table rather than "holds every permission the role
# carries": the system administrator manages accounts and roles without holding the
# business permissions (a catalog manager's publishing rights, a clerk's intake) itself.
GRANTABLE_BY = {
    Role.SYSTEM_ADMIN: frozenset(Role.values),
    Role.DEPT_ADMIN: frozenset({Role.CLERK, Role.APPROVER, Role.DEPT_ADMIN}),
}


def can_grant(grantor_roles: set[str] | frozenset[str], role: str) -> bool:
    """Whether someone holding ``grantor_roles`` may grant or revoke ``role``."""
    return any(role in GRANTABLE_BY.get(held, ()) for held in grantor_roles)
