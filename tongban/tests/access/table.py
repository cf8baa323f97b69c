"""Who may reach which endpoint: the access harness's table (test_harness.py walks it).

One row per endpoint (URL pattern name, route when unnamed, or ``METHOD /api/v1/path``), the
expected outcome per actor in three coarse classes:

- ``allow``: 2xx, a redirect within the area, or 400/422 (past access control, input refused);
- ``login``: 401, or a redirect to a sign-in page;
- ``deny``: 403 or 404, or the admin's "no such object" redirect to its index (a row the
  account's scope hides, ``access.scope``).

Adding an endpoint is one line here, built with the helpers below, e.g.
``"cases:detail": admin("clerk").but(ALLOW, "person_l2")`` or
``"GET /api/v1/cases": gateway()``.
"""

from dataclasses import dataclass, field

ALLOW, LOGIN, DENY = "allow", "login", "deny"

PEOPLE = ("person_l1", "person_l2", "agent", "legal_rep")
STAFF = (
    "clerk",
    "approver",
    "dept_admin",
    "catalog_admin",
    "data_officer",
    "supervisor",
    "system_admin",
    "finance",
)
WEB_ACTORS = ("anonymous", *PEOPLE, *STAFF, "staff_no_totp")
GATEWAY_ACTORS = ("gateway_scoped", "gateway_unscoped")
# The L2 person's OIDC access tokens (Authorization: Bearer), held by a department system:
# one with every API scope, one with ``openid profile`` only (rows: ``with_bearers``).
BEARER_ACTORS = ("bearer_scoped", "bearer_openid")
# What ``openid profile`` alone opens among the operations for signed-in accounts.
OPENID_PROFILE_OPERATIONS = frozenset({"GET /api/v1/identity/me"})


@dataclass(frozen=True)
class Row:
    """Expected outcome per actor; ``method`` is what the harness sends (no body)."""

    expected: dict = field(default_factory=dict)
    method: str = "GET"

    def via(self, method: str) -> "Row":
        return Row(self.expected, method)

    def but(self, outcome: str, *actors: str) -> "Row":
        """The same row with ``actors`` expecting ``outcome``."""
        return Row({**self.expected, **dict.fromkeys(actors, outcome)}, self.method)


def everyone(outcome: str = ALLOW) -> Row:
    """A page every web actor gets the same answer from."""
    return Row(dict.fromkeys(WEB_ACTORS, outcome))


def admin(*roles: str) -> Row:
    """A staff page: the named roles allowed (``STAFF`` for all), other roles denied,
    everyone else (people, staff without a TOTP-verified session) sent to sign in."""
    expected = dict.fromkeys(WEB_ACTORS, LOGIN)
    expected.update(dict.fromkeys(STAFF, DENY))
    expected.update(dict.fromkeys(roles, ALLOW))
    return Row(expected)


def api(outcome: str = ALLOW) -> Row:
    """A public API operation: same answer for every actor, gateway clients included."""
    return Row(dict.fromkeys((*WEB_ACTORS, *GATEWAY_ACTORS), outcome))


def gateway(scoped: bool = True) -> Row:
    """An operation for API clients: browser sessions get 401; a client without the
    operation's scope 403 (``scoped=False``: the operation needs no scope)."""
    expected = dict.fromkeys(WEB_ACTORS, LOGIN)
    expected["gateway_scoped"] = ALLOW
    expected["gateway_unscoped"] = DENY if scoped else ALLOW
    return Row(expected)


def model_admin(app_model: str, *, view=(), add=(), change=(), delete=()) -> dict[str, Row]:
    """The five pages of one ModelAdmin, plus the unnamed ``<pk>/`` redirect to its change
    page. ``view``: changelist, change (read-only or not) and history; ``add``; ``delete``.
    ``change`` roles are added to ``view`` (Django lets a changer see)."""
    app, model = app_model.split(".")
    readers = (*view, *change)
    return {
        f"admin:{app}_{model}_changelist": admin(*readers),
        f"admin:{app}_{model}_add": admin(*add),
        f"admin:{app}_{model}_change": admin(*readers),
        f"admin:{app}_{model}_delete": admin(*delete),
        f"admin:{app}_{model}_history": admin(*readers),
        f"admin/{app}/{model}/<path:object_id>/": admin(*STAFF),
    }


NOBODY: tuple[str, ...] = ()
SYSADMIN = ("system_admin",)
SYSADMIN_AND_SUPERVISOR = ("supervisor", "system_admin")
DEPT_ADMINS = ("dept_admin", "system_admin")
# Registries: looked up (masked) by intake, approval, supervision and the data officer; the
# system administrator reads no personal data.
REGISTRY_READERS = ("clerk", "approver", "data_officer", "supervisor")
# Installed apps' models no role carries permissions for: their admin pages refuse everyone.
UNMANAGED = (
    "auth.group",
    "django_tasks_database.dbtaskresult",
    "otp_totp.totpdevice",
)
# Single sign-on: the system administrator registers department systems (clients) and
# may look at (and end) the grants and tokens issued to them; tokens are never added by hand.
TOKENS = ("accesstoken", "refreshtoken")
GRANTS = ("grant", "idtoken")
# The person pages: people in, staff refused, the anonymous sent to sign in.
PERSON_PAGE = Row(dict.fromkeys(WEB_ACTORS, DENY)).but(LOGIN, "anonymous").but(ALLOW, *PEOPLE)
# Person API operations (session or the person's OIDC access token); clients have no person.
PERSON_API = (
    Row(dict.fromkeys((*WEB_ACTORS, *GATEWAY_ACTORS), DENY))
    .but(LOGIN, "anonymous", "staff_no_totp", *GATEWAY_ACTORS)
    .but(ALLOW, *PEOPLE)
)

TABLE: dict[str, Row] = {
    # --- public pages
    "portal:home": everyone(),
    "healthz": everyone(),
    "set_language": everyone(),
    "catalog:browse": everyone(),
    "catalog:search": everyone(),
    "catalog:guide": everyone(),
    "catalog:guide_print": everyone(),
    "catalog:guide_version": everyone(),
    "catalog:guide_version_print": everyone(),
    "catalog:licensing_list": everyone(),
    "catalog:licensing_list_xlsx": everyone(),
    # Delivery receipts: signed by the SMS provider, nobody else gets in.
    "notify:receipt": everyone(LOGIN).via("POST"),
    # --- the API: documents, public lists, gateway operations
    "api:openapi-json": everyone(),
    "api:openapi-view": everyone(),
    "api:api-root": everyone(DENY),
    "GET /api/v1/org/departments": api(),
    "GET /api/v1/org/centers": api(),
    "GET /api/v1/org/centers/{center_id}/windows": api(),
    "GET /api/v1/items": api(),
    "GET /api/v1/items/{implementation_code}": api(),
    "POST /api/v1/oauth/token": api().via("POST"),
    "GET /api/v1/org/staff": gateway(),
    "GET /api/v1/gateway/ping": gateway(),
    "GET /api/v1/gateway/whoami": gateway(scoped=False),
    # --- the admin site: staff with a role and a TOTP-verified session
    "admin:login": everyone(),
    "admin:logout": everyone().via("POST"),
    "admin:index": admin(*STAFF),
    "admin:app_list": admin(*STAFF),
    "admin:jsi18n": admin(*STAFF),
    "admin:password_change": admin(*STAFF),
    "admin:password_change_done": admin(*STAFF),
    "admin:autocomplete": admin(*STAFF),  # choices for a window's department
    "admin:view_on_site": admin(),  # no model here has a public page of its own
    "admin/(?P<url>.*)$": admin(),  # unknown admin URLs: 404 once signed in
    **model_admin("org.department", view=STAFF, add=SYSADMIN, change=SYSADMIN, delete=SYSADMIN),
    **model_admin("org.servicecenter", view=STAFF, add=SYSADMIN, change=SYSADMIN, delete=SYSADMIN),
    **model_admin("org.window", view=STAFF, add=DEPT_ADMINS, delete=DEPT_ADMINS),
    **model_admin("org.staffmembership", view=STAFF, add=DEPT_ADMINS, delete=DEPT_ADMINS),
    **model_admin(
        "identity.user", view=("dept_admin",), add=SYSADMIN, change=SYSADMIN, delete=SYSADMIN
    ),
    "admin:auth_user_password_change": admin(*SYSADMIN),
    **model_admin("audit.auditrecord", view=SYSADMIN_AND_SUPERVISOR),
    **model_admin("registry.person", view=REGISTRY_READERS),
    "admin:registry_person_reveal": admin(*REGISTRY_READERS),
    **model_admin("registry.legalentity", view=REGISTRY_READERS),
    "admin:registry_legalentity_reveal": admin(*REGISTRY_READERS),
    **model_admin(
        "catalog.baseitem", view=STAFF, add=("catalog_admin",), delete=("catalog_admin",)
    ),
    **model_admin("catalog.serviceitem", view=STAFF, add=("catalog_admin",)),
    **model_admin("catalog.guide", view=STAFF),
    "admin:catalog_serviceitem_revise": admin("catalog_admin").via("POST"),
    "admin:catalog_guide_submit": admin("catalog_admin").via("POST"),
    "admin:catalog_guide_publish": admin("catalog_admin"),
    "admin:catalog_guide_reject": admin("catalog_admin"),
    "admin:catalog_guide_compare": admin(*STAFF),
    **model_admin("notify.template", add=SYSADMIN, change=SYSADMIN),
    **model_admin("notify.message", view=SYSADMIN),
    **model_admin("notify.providercircuit", view=SYSADMIN),
    **model_admin("gateway.apiclient", add=SYSADMIN, change=SYSADMIN, delete=SYSADMIN),
    "admin:gateway_apiclient_stats": admin(*SYSADMIN),
    "admin:gateway_apiclient_operations": admin(*SYSADMIN),
    **model_admin("gateway.apikey", view=SYSADMIN),
    **model_admin("gateway.calllog", view=SYSADMIN_AND_SUPERVISOR),
    **{key: row for name in UNMANAGED for key, row in model_admin(name).items()},
    **model_admin("oauth2_provider.application", add=SYSADMIN, change=SYSADMIN, delete=SYSADMIN),
    **{
        key: row
        for name in TOKENS
        for key, row in model_admin(f"oauth2_provider.{name}", view=SYSADMIN).items()
    },
    **{
        key: row
        for name in GRANTS
        for key, row in model_admin(
            f"oauth2_provider.{name}", view=SYSADMIN, delete=SYSADMIN
        ).items()
    },
    "admin:otp_totp_totpdevice_config": admin(),
    "admin:otp_totp_totpdevice_qrcode": admin(),
    # --- identity: people sign in with phone + code; enterprises and their agents
    "identity:login": everyone(),
    "identity:logout": everyone().via("POST"),
    "identity:account": PERSON_PAGE,
    "identity:password": PERSON_PAGE,
    "identity:realname": PERSON_PAGE,
    "identity:enterprises": PERSON_PAGE,
    "identity:switch_acting": PERSON_PAGE.via("POST"),
    "identity:enroll": PERSON_PAGE.via("POST"),
    "identity:add_agent": PERSON_PAGE.but(DENY, "person_l1", "person_l2", "agent").via("POST"),
    "identity:revoke_agent": PERSON_PAGE.but(DENY, "person_l1", "person_l2", "agent").via("POST"),
    # In-person checks (L3): a clerk at a window, signed in with TOTP.
    "identity:in_person": admin("clerk"),
    "GET /api/v1/identity/me": PERSON_API.but(ALLOW, *STAFF),
    "POST /api/v1/identity/sms-codes": api().via("POST"),
    "POST /api/v1/identity/kiosk-verifications": gateway().via("POST"),
    **model_admin("identity.realnameverification", view=SYSADMIN),
    **model_admin("identity.enterpriseaccount", view=SYSADMIN),
    **model_admin("identity.agent", view=SYSADMIN),
    **model_admin("identity.signinfailure", view=SYSADMIN, change=SYSADMIN),
    # --- single sign-on: the platform as OIDC provider (client authentication decides)
    "sso:discovery": everyone(),
    "oauth2_provider:oidc-connect-discovery-info": everyone(),
    "oauth2_provider:jwks-info": everyone(),
    "oauth2_provider:authorize": everyone().but(LOGIN, "anonymous").but(DENY, "staff_no_totp"),
    "oauth2_provider:token": everyone().via("POST"),
    "oauth2_provider:revoke-token": everyone().via("POST"),
    "oauth2_provider:user-info": everyone(LOGIN),
    "oauth2_provider:rp-initiated-logout": everyone(),
    "sso:consents": everyone().but(LOGIN, "anonymous"),
    "sso:revoke_consent": everyone().but(LOGIN, "anonymous").via("POST"),
    # Federation with the provincial platform: absent (404) while it is not configured.
    "sso:provincial_login": everyone(DENY),
    "sso:provincial_callback": everyone(DENY),
    # --- spaces (一人一档 / 一企一档): a real-named person's own, an enterprise's for its people
    "registry:my_space": PERSON_PAGE.but(DENY, "person_l1"),
    "registry:enterprise_space": PERSON_PAGE.but(DENY, "person_l1", "person_l2"),
    "GET /api/v1/spaces/me": PERSON_API.but(DENY, "person_l1"),
    "GET /api/v1/spaces/me/reads": PERSON_API.but(DENY, "person_l1"),
    "GET /api/v1/spaces/enterprises/{uscc}": PERSON_API.but(DENY, "person_l1", "person_l2"),
    "GET /api/v1/spaces/enterprises/{uscc}/reads": PERSON_API.but(DENY, "person_l1", "person_l2"),
    # --- cases: read-only admin for the case's department and supervisors; the calendar
    "GET /api/v1/calendar/due-date": api(),
    **model_admin("cases.case", view=("clerk", "approver", "supervisor")),
    **model_admin("cases.holidayschedule", view=SYSADMIN),
    "admin:cases_holidayschedule_enter": admin(*SYSADMIN),
    # --- workflow: process definitions uploaded by the catalog administrator
    **model_admin("workflow.processdefinition", view=("catalog_admin",), add=("catalog_admin",)),
    **model_admin("workflow.processinstance", view=("catalog_admin",)),
    **model_admin("workflow.task", view=("catalog_admin",)),
}

# Areas under construction keep their rows in rows/<area>.py (one owner each).
from tongban.tests.access.rows import (  # noqa: E402
    applicant,
    archives,
    bundles,
    kiosk,
    licenses,
    logistics,
    metrics,
    payments,
    portal_ui,
    pwa,
    reviews,
    signing,
    space,
    speech,
    supervision,
    wallet,
    workbench,
)

_AREAS = (applicant, supervision, workbench, signing, licenses, wallet, archives, bundles)
_PORTAL = (portal_ui, speech, pwa, kiosk, space)
for _area in (*_AREAS, payments, logistics, reviews, metrics, *_PORTAL):
    TABLE.update(_area.ROWS)


def with_bearers(key: str, row: Row) -> Row:
    """An API row with the bearer actors' expectations, from the row itself: the token with
    every scope is its person (``person_l2``); the ``openid profile`` one is refused (403) by
    every operation for signed-in accounts (anonymous: 401) but those in
    ``OPENID_PROFILE_OPERATIONS``, and answered like the person elsewhere (public operations;
    gateway operations, where a person's token is no credential: 401)."""
    person = row.expected["person_l2"]
    needs_account = row.expected["anonymous"] == LOGIN and person != LOGIN
    narrow = DENY if needs_account and key not in OPENID_PROFILE_OPERATIONS else person
    return row.but(person, "bearer_scoped").but(narrow, "bearer_openid")


for _key in [k for k in TABLE if " " in k]:
    TABLE[_key] = with_bearers(_key, TABLE[_key])
