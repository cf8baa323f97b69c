"""Horizontal checks: the same role on someone else's object (test_horizontal.py walks them).

The harness world (``world.py``) is the *other* side: its objects belong to person B
(``person_l2``), enterprise B (the world's enterprise, ``legal_rep`` / ``agent``) and
department Y (``harness``, its ``clerk`` / ``approver`` / ``dept_admin`` / ``finance``).
``build_intruders`` adds the intruders, each holding the same role on their own side:

- ``person_a``: another real-named (L2) person; ``bearer_a``: person A's OIDC access token
  with every API scope (a department system acting for A);
- ``agent_a``: the agent of enterprise A, acting for it; ``agent_expired``: an agent of
  enterprise B whose authorization has expired, with a session still acting for B;
- ``clerk_x``, ``approver_x``, ``dept_admin_x``, ``finance_x``: staff of department X;
- ``gateway_x``: an API client of department X holding every scope.

Every row expects each intruder refused (403/404, 401 for a credential the operation does not
take, the admin's redirect for a hidden row), never B's data in the body, and the owner (the
positive control) let in. Object endpoints (a URL parameter naming something) without a row,
and not listed in ``NOT_OWNED`` with the reason, fail ``test_every_object_endpoint_...``.
"""

import datetime
import re
from dataclasses import dataclass

from django.test import Client
from django.utils import timezone

from tongban.core import clock
from tongban.gateway.models import Sensitivity
from tongban.gateway.tests.factories import keyed_client
from tongban.identity.enterprises import ACTING_SESSION_KEY
from tongban.identity.models import Agent, EnterpriseAccount
from tongban.identity.tests.helpers import verified_login
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role
from tongban.registry.tests.factories import LegalEntityFactory
from tongban.tests.access import world as worlds

Role = StaffMembership.Role
PEOPLE_A = ("person_a", "agent_a", "agent_expired")
API_PEOPLE_A = (*PEOPLE_A, "bearer_a")
DEPT_X = ("clerk_x", "approver_x", "dept_admin_x")
STAFF_X = (*DEPT_X, "finance_x")


@dataclass(frozen=True)
class HRow:
    """Who is refused (``intruders``) and who gets in (``owner``, a harness actor).

    ``control``: the owner's answer is not a success, with the reason (no file made yet),
    and the row only checks the refusals. ``method``: what is sent (no body)."""

    intruders: tuple[str, ...]
    owner: str
    method: str = "GET"
    control: str = ""
    listing: str = ""  # a list: intruders may see it, without this marker; the owner with it
    query: object = ""  # a query string, or f(world) giving one
    body: object = None  # JSON sent (a dict, or f(world)): operations validating it first
    params: dict | None = None  # URL parameters of this row (``endpoints.OBJECT_PARAMS``)
    passes: str = "allow"  # the owner's answer (another one that is past access control)
    kept: object = None  # f(world): B's object unchanged (a page answering a refusal as a redirect)


def person(method="GET", *, control="") -> HRow:
    return HRow(PEOPLE_A, "person_l2", method, control)


def person_api(method="GET", *, control="", **more) -> HRow:
    return HRow(API_PEOPLE_A, "person_l2", method, control, **more)


def staff(owner: str, method="GET", *, control="", **more) -> HRow:
    return HRow(STAFF_X, owner, method, control, **more)


NO_FILE = "no file drawn for the harness object yet: 404 to its owner too"
NO_PACKAGE = "the harness case is not archived: no package to open"
ENTERPRISE_A = ("person_a", "agent_a", "agent_expired", "person_l2")
ENTERPRISE_CASE = {"number": lambda w: w.objects["enterprise_case"].number}
ENTERPRISE_LICENSE = {"identifier": lambda w: w.objects["enterprise_license"].identifier}
# The world's refund and order of department Y (``world._finance``).
REFUND = {"number": lambda w: "TFHARNESS000001"}
ORDER = {"number": lambda w: "JFHARNESS000001"}

# Endpoint key → row; a key may be given once more with ``@variant`` for another object.
ROWS: dict[str, HRow] = {
    # --- person B's case, its documents and what hangs off it
    "portal:my_case": person(),
    "portal:resubmit": person("POST"),
    "portal:receipt": person(control=NO_FILE),
    "portal:case_result": person(control=NO_FILE),
    "GET /api/v1/cases/{number}": person_api(),
    "GET /api/v1/cases/{number}/receipt.pdf": person_api(control=NO_FILE),
    "kiosk:receipt": person(control="a kiosk page: only a signed-in terminal reaches it"),
    "bundles:my_case": person(),
    "bundles:receipt": person(),
    "GET /api/v1/bundles/cases/{number}": person_api(),
    "GET /api/v1/bundles/cases/{number}/receipt.pdf": person_api(),
    "reviews:case": person(),
    "reviews:mine": person(),
    "logistics:collect": person(),
    "logistics:track": person(control="no waybill of the harness case for its applicant"),
    "GET /api/v1/logistics/waybills/{number}": person_api(control="desk waybill, no owner"),
    # --- licenses (wallet): person B's
    "licenses:wallet_detail": person(),
    "licenses:wallet_pdf": person(control=NO_FILE),
    "licenses:wallet_show": person("POST"),
    "GET /api/v1/licenses/mine/{identifier}": person_api(),
    "GET /api/v1/licenses/mine/{identifier}/accesses": person_api(),
    "GET /api/v1/licenses/mine/{identifier}/pdf": person_api(control=NO_FILE),
    "POST /api/v1/licenses/{identifier}/show": person_api("POST"),
    # --- messages, payments, bookings, consents
    "notify:mark_read": person("POST"),
    "POST /api/v1/notify/messages/{id}/read": person_api("POST"),
    "payments:order": person(),
    "payments:return": person(),
    "payments:pay": person("POST", control="paying starts at a channel: 404 without one"),
    "GET /api/v1/payments/orders/{number}": person_api(),
    "POST /api/v1/payments/orders/{number}/pay": person_api(
        "POST", control="paying starts at a channel: 404 without one"
    ),
    "portal:assist_booking": HRow((*PEOPLE_A, "person_l2"), "person_l1"),
    "sso:revoke_consent": HRow(PEOPLE_A, "person_l2", "POST", kept=lambda w: _consent_kept(w)),
    # --- enterprise B: its space, its agents
    "registry:enterprise_space": HRow(("person_a", "agent_a", "agent_expired"), "legal_rep"),
    "GET /api/v1/spaces/enterprises/{uscc}": HRow(
        ("person_a", "agent_a", "agent_expired", "bearer_a"), "legal_rep"
    ),
    "GET /api/v1/spaces/enterprises/{uscc}/reads": HRow(
        ("person_a", "agent_a", "agent_expired", "bearer_a"), "legal_rep"
    ),
    "identity:add_agent": HRow(
        ("person_a", "agent_a", "agent_expired", "agent"), "legal_rep", "POST"
    ),
    "identity:revoke_agent": HRow(
        ("person_a", "agent_a", "agent_expired", "agent"), "legal_rep", "POST"
    ),
    # --- enterprise B's case and license: enterprise A's agent, B's expired agent, person B
    "portal:my_case@enterprise": HRow(ENTERPRISE_A, "legal_rep", params=ENTERPRISE_CASE),
    "GET /api/v1/cases/{number}@enterprise": HRow(
        (*ENTERPRISE_A, "bearer_a"), "legal_rep", params=ENTERPRISE_CASE
    ),
    "licenses:wallet_detail@enterprise": HRow(ENTERPRISE_A, "legal_rep", params=ENTERPRISE_LICENSE),
    "GET /api/v1/licenses/mine/{identifier}@enterprise": HRow(
        (*ENTERPRISE_A, "bearer_a"), "legal_rep", params=ENTERPRISE_LICENSE
    ),
    # --- department Y's cases at the workbench, and the desks behind them
    "portal:workbench_case": staff("clerk"),
    "portal:workbench_material": staff("clerk"),
    "portal:workbench_act": staff("clerk", "POST"),
    "admin:cases_case_change": staff("clerk"),
    "logistics:desk_act": staff("clerk", "POST", control="no waybill at the desk to cancel"),
    "metrics:ledger_task": staff("dept_admin"),
    "metrics:ledger_report": staff("dept_admin"),
    "metrics:ledger_evidence": staff("dept_admin", control=NO_FILE),
    "GET /api/v1/metrics/ledger/{number}": staff("dept_admin"),
    "archives:detail": staff("clerk", control=NO_PACKAGE),
    "archives:file": staff("clerk", control=NO_PACKAGE),
    "archives:package": staff("clerk", control=NO_PACKAGE),
    "GET /api/v1/archives/{number}": staff("clerk", control=NO_PACKAGE),
    "reviews:rectification": staff("clerk"),
    "payments:refund_request": staff(
        "finance", control="a GET of the refund form: answered to nobody (POST only)", params=ORDER
    ),
    # Refunds: finance staff (the county finance bureau) decide every department's, so the
    # intruders are department X's own staff.
    "payments:finance_refund_decide": HRow(DEPT_X, "finance", "POST", params=REFUND),
    "GET /api/v1/payments/refunds/{number}": HRow(DEPT_X, "finance", params=REFUND),
    "POST /api/v1/payments/refunds/{number}/decision": HRow(
        DEPT_X, "finance", "POST", params=REFUND, body={"decision": "reject", "note": "横向检查"}
    ),
    # --- operations naming B's object in the body (the owner's answer is the control)
    # B's case is not concluded yet: B is told so (409), past access control.
    "POST /api/v1/reviews@B": person_api("POST", body=lambda w: _review(w), passes="HTTP 409"),
    "POST /api/v1/logistics/collections@B": person_api("POST", body=lambda w: _collection(w)),
    "POST /api/v1/payments/refunds@Y": HRow(
        ("clerk_x", "approver_x"),
        "clerk",
        "POST",
        body={"order_number": "JFHARNESS000001", "amount": 1, "reason": "横向检查"},
    ),
    # --- department administrators: department Y's windows and staff
    "admin:org_window_change": HRow(("dept_admin_x",), "dept_admin"),
    "admin:org_staffmembership_change": HRow(("dept_admin_x",), "dept_admin"),
    # --- API clients: department X's client on department Y's data
    "GET /api/v1/org/staff": HRow(("gateway_x",), "gateway_scoped", listing="clerk Y's name"),
    "GET /api/v1/cases/{number}@gateway": HRow(("gateway_x",), "person_l2"),
    "GET /api/v1/licenses/mine/{identifier}@gateway": HRow(("gateway_x",), "person_l2"),
}

# Lists: each its owner's rows only (checked by what they show; not object endpoints).
LISTS: dict[str, HRow] = {
    "portal:my_cases": HRow(PEOPLE_A, "person_l2", listing="the case number"),
    "GET /api/v1/cases": HRow(API_PEOPLE_A, "person_l2", listing="the case number"),
    "portal:workbench": HRow(
        ("clerk_x", "approver_x"), "clerk", listing="the case number", query="tab=department"
    ),
    # Searching for B's case by its number from department X finds nothing.
    "portal:workbench@search": HRow(
        STAFF_X, "clerk", listing="the case number", query=lambda w: f"q={_number(w)}"
    ),
    "admin:cases_case_changelist@search": HRow(
        ("clerk_x", "approver_x"),
        "clerk",
        listing="the case number",
        query=lambda w: f"q={_number(w)}",
    ),
    "portal:my_cases@search": HRow(
        PEOPLE_A, "person_l2", listing="the case number", query=lambda w: f"q={_number(w)}"
    ),
}

# Object endpoints with nothing of someone's own behind them: endpoint → why.
NOT_OWNED = {
    "GET /api/v1/bundles/{code}": "a published 一件事 (public)",
    "POST /api/v1/bundles/{code}/cases": "files a new case of one's own",
    "bundles:detail": "a published 一件事 (public)",
    "GET /api/v1/items/{implementation_code}": "a published item (public)",
    "catalog:guide": "a published guide (public)",
    "catalog:guide_print": "a published guide (public)",
    "catalog:guide_version": "a published guide version (public)",
    "catalog:guide_version_print": "a published guide version (public)",
    "portal:apply": "files a new case of one's own",
    "kiosk:apply": "files a new case of one's own at a kiosk",
    "GET /api/v1/org/centers/{center_id}/windows": "the service network (public)",
    "reviews:window": "a window's public ratings",
    "metrics:indicator_gap": "a county-wide indicator (supervisors)",
    "licenses:scan": "the holder's single-use link: whoever holds it may look (logged)",
    "GET /api/v1/licenses/scan/{token}": "the holder's single-use link (logged)",
    "licenses:verify_identifier": "public verification of a license identifier",
    "GET /api/v1/licenses/verify/{identifier}": "public verification of a license identifier",
    "notify:receipt": "provider callback, signed",
    # A reconciliation is a payment channel's day, county-wide: finance staff of any
    # department read and resolve it (payments.reconciliation.view).
    "payments:finance_report": "a channel's day, county-wide",
    "payments:finance_report_xlsx": "a channel's day, county-wide",
    "payments:finance_resolve": "a channel's day, county-wide",
    "GET /api/v1/payments/reconciliations/{number}": "a channel's day, county-wide",
    "POST /api/v1/payments/reconciliations/{number}/resolutions": "a channel's day, county-wide",
    "payments:notify": "provider callback, signed",
    "logistics:notify": "provider callback, signed",
}
PARAM = re.compile(r"[<{(]")


def object_endpoints(served: dict) -> set[str]:
    """Served endpoints (not the admin's generic model pages) whose URL names an object."""
    return {
        key
        for key, endpoint in served.items()
        if not key.startswith("admin") and PARAM.search(endpoint.route)
    }


def _number(world) -> str:
    return world.objects["case"].number


def _review(world) -> dict:
    return {"case_number": world.objects["case"].number, "level": 1, "comment": "横向检查"}


def _collection(world) -> dict:
    start = clock.now() + datetime.timedelta(days=1)
    return {
        "case_number": world.objects["case"].number,
        "name": "张三",
        "phone": "13900001111",
        "province": "陕西省",
        "city": "西安市",
        "county": "周至县",
        "detail": "二曲街道 1 号",
        "start": start.isoformat(),
        "end": (start + datetime.timedelta(hours=2)).isoformat(),
    }


def _consent_kept(world) -> bool:
    """B's consent is still in force (``sso:revoke_consent`` redirects whatever happened)."""
    from tongban.identity.models import Consent

    return Consent.objects.filter(pk=world.objects["consent"].pk, revoked_at=None).exists()


@dataclass
class Intruders:
    sessions: dict
    gateway: object
    token: str
    markers: dict


def build_intruders(world) -> Intruders:
    """Person A, enterprise A and its agent, an expired agent of B, department X's staff and
    API client, person A's access token: in the world's transaction (rolled back with it)."""
    users = _people_a(world)
    department_x = DepartmentFactory(code="x")
    for name, role in (
        ("clerk_x", Role.CLERK),
        ("approver_x", Role.APPROVER),
        ("dept_admin_x", Role.DEPT_ADMIN),
        ("finance_x", Role.FINANCE),
    ):
        users[name] = staff_with_role(role, department=department_x)
    sessions = {name: _session(world, name, user) for name, user in users.items()}
    _enterprise_b(world)
    gateway = keyed_client(
        scopes=worlds.GATEWAY_SCOPES,
        department_codes=["x"],
        max_sensitivity=Sensitivity.SENSITIVE,
    )[1]
    return Intruders(sessions, gateway, _token(users["person_a"]), _markers(world))


def _people_a(world) -> dict:
    person_a, agent_a, expired = (worlds._real_named() for _ in range(3))
    rep_a = worlds._real_named()
    enterprise_a = EnterpriseAccount.objects.create(
        legal_entity=LegalEntityFactory(legal_rep_id_number=rep_a.id_number), legal_rep=rep_a
    )
    for enterprise, user, expires in (
        (enterprise_a, agent_a, datetime.timedelta(days=365)),
        (world.objects["enterprise"], expired, -datetime.timedelta(days=1)),
    ):
        Agent.objects.create(
            enterprise=enterprise,
            user=user,
            scopes=[Agent.Scope.APPLY, Agent.Scope.VIEW],
            expires_on=clock.today() + expires,
            granted_by=enterprise.legal_rep,
        )
    world.objects["enterprise_a"] = enterprise_a
    return {"person_a": person_a, "agent_a": agent_a, "agent_expired": expired}


def _enterprise_b(world) -> None:
    """A case filed by enterprise B's legal representative for it, and a license it holds."""
    from tongban.cases.tests.factories import file_case, form_item
    from tongban.licenses.models import HolderType
    from tongban.licenses.tests.factories import LicenseFactory, LicenseTypeFactory

    enterprise = world.objects["enterprise"]
    item = form_item(department=world.objects["department"])
    world.objects["enterprise_case"] = file_case(item, enterprise.legal_rep, enterprise=enterprise)
    world.objects["enterprise_license"] = LicenseFactory(
        holder_type=HolderType.ENTERPRISE,
        holder_user=None,
        holder_enterprise=enterprise,
        holder_name=enterprise.legal_entity.name,
        holder_code=enterprise.legal_entity.uscc,
        license_type=LicenseTypeFactory(holder_type=HolderType.ENTERPRISE),
        issuer=world.objects["department"],
    )


def _session(world, name: str, user):
    client = Client()
    if user.kind == user.Kind.STAFF:
        verified_login(client, user)
    else:
        client.force_login(user)
    acting = {"agent_a": "enterprise_a", "agent_expired": "enterprise"}.get(name)
    if acting:
        session = client.session
        session[ACTING_SESSION_KEY] = world.objects[acting].pk
        session.save()
    return client.cookies


def _token(user) -> str:
    from oauth2_provider.models import AccessToken, Application

    from tongban.identity.oidc.scopes import API_SCOPES

    AccessToken.objects.create(
        user=user,
        application=Application.objects.get(name="harness"),
        token="harness-bearer-a",
        expires=timezone.now() + datetime.timedelta(hours=1),
        scope=" ".join(["openid", "profile", *API_SCOPES]),
    )
    return "harness-bearer-a"


def _markers(world) -> dict:
    """What of B's must never reach an intruder: name and ID number, enterprise B's name and
    code, the harness case's number, clerk Y's name (given one of its own here)."""
    b = world.users["person_l2"]
    entity = world.objects["enterprise"].legal_entity
    clerk = world.users["clerk"]
    clerk.last_name, clerk.first_name = "贺", "知章"  # staff factories share one name
    clerk.save(update_fields=["last_name", "first_name"])
    return {
        "clerk Y's name": "贺知章",
        "B's name": f"{b.last_name}{b.first_name}",
        "B's ID number": b.id_number,
        "enterprise B's name": entity.name,
        "enterprise B's USCC": entity.uscc,
        "the case number": world.objects["case"].number,
    }
