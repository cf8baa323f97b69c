"""Who the fuzzer calls each API operation as, and with which real objects in its path.

The actors and objects are the access harness's (``tongban.tests.access.world``): people at
each real-name level, staff of every role with TOTP-verified sessions, an API client holding
every scope. For each operation the access table (``tongban.tests.access.table.TABLE``) says
who is allowed; the fuzzer calls as the first allowed actor in ``PREFERENCE``, so a request
reaches past authentication and authorization into the operation itself:

- a person: a bearer access token of the platform's OIDC provider (an L2 real-name person
  unless the operation wants someone else), or the session when the person acts for an
  enterprise (the acting enterprise lives in the session);
- staff: the TOTP-verified session cookie and a CSRF token;
- an API client: HMAC-signed requests (``SigningMiddleware`` signs what arrives, so the
  signature covers exactly the path, query and body the generated case carries).
"""

import datetime
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tongban.gateway.client import sign

PREFERENCE = (
    "person_l2",
    "legal_rep",
    "agent",
    "person_l1",
    "clerk",
    "approver",
    "finance",
    "supervisor",
    "data_officer",
    "dept_admin",
    "catalog_admin",
    "system_admin",
    "gateway_scoped",
)
# People whose enterprise is in their session: a bearer token carries no acting enterprise.
SESSION_PEOPLE = ("legal_rep", "agent")
SIGN_HEADER = "X-Fuzz-Sign"
# Operations whose table row allows more actors than may act: the harness sends a POST
# without a body, refused (422) before the rule is asked, so its row says "allow".
ACTORS = {
    "POST /api/v1/payments/reconciliations": "finance",
    "POST /api/v1/payments/reconciliations/{number}/resolutions": "finance",
    "POST /api/v1/payments/refunds": "clerk",
    "GET /api/v1/payments/refunds/{number}": "finance",
    "POST /api/v1/payments/refunds/{number}/decision": "finance",
    "GET /api/v1/payments/reconciliations/{number}": "finance",
    "GET /api/v1/archives/{number}": "system_admin",
}
# Path values the harness's URL builder has no object for (it names the harness case).
PATH_VALUES = {
    "reconciliations/{number}": lambda w: _first("payments.Reconciliation").pk,
    "refunds/{number}": lambda w: _first("payments.Refund").number,
    "waybills/{number}": lambda w: _waybill(w).number,
}


@dataclass
class Auth:
    """How one operation's requests are authenticated (``actor`` "anonymous": not at all)."""

    actor: str
    headers: dict = field(default_factory=dict)
    cookies: dict = field(default_factory=dict)


@dataclass
class Plan:
    """Per operation (``"GET /api/v1/x/{id}"``): its actor and real values for its path."""

    auth: dict[str, Auth]
    path_values: dict[str, dict]


def build_world():
    """The harness's actors and objects in the current database."""
    from tongban.tests.access import world as worlds

    return worlds.build()


def plan(world, operations: list[tuple[str, str]]) -> Plan:
    """``operations``: (method, path) pairs of the OpenAPI document."""
    from tongban.tests.access.table import TABLE

    found = Plan({}, {})
    tokens: dict[str, str] = {}
    for method, path in operations:
        key = f"{method.upper()} {path}"
        row = TABLE.get(key)
        if row is None:
            raise LookupError(f"{key} has no row in the access table")
        allowed = _allowed(TABLE, key) or _allowed(TABLE, _parent(key))
        actor = ACTORS.get(key) or _choose(allowed, key)
        found.auth[key] = _auth(world, actor, tokens)
        found.path_values[key] = _path_values(world, key, path)
    return found


def _allowed(table, key: str) -> list[str]:
    from tongban.tests.access.table import ALLOW

    row = table.get(key)
    return [actor for actor, outcome in row.expected.items() if outcome == ALLOW] if row else []


def _parent(key: str) -> str:
    """``GET /x/{number}`` for ``GET /x/{number}/pdf``, ``GET /x`` for ``GET /x/{number}``:
    when the harness's object is nobody's to see (an archive package the harness case does
    not have), the actor who may list them still reaches the operation's own checks."""
    path = key.split(" ", 1)[1]
    return f"GET {path.rsplit('/', 1)[0]}"


def _choose(allowed: list[str], key: str) -> str:
    if "anonymous" in allowed:
        return "anonymous"
    for actor in PREFERENCE:
        if actor in allowed:
            return actor
    raise LookupError(f"{key}: nobody the fuzzer can act as is allowed (allowed: {allowed})")


def _auth(world, actor: str, tokens: dict[str, str]) -> Auth:
    if actor == "anonymous":
        return Auth(actor)
    if actor.startswith("gateway"):
        return Auth(actor, headers={SIGN_HEADER: actor})
    user = world.users[actor]
    if user.kind == user.Kind.PERSON and actor not in SESSION_PEOPLE:
        if actor not in tokens:
            tokens[actor] = person_token(user)
        return Auth(actor, headers={"Authorization": f"Bearer {tokens[actor]}"})
    csrf = secrets.token_hex(16)
    session = world.sessions[actor]
    cookies = {name: morsel.value for name, morsel in session.items()}
    return Auth(actor, headers={"X-CSRFToken": csrf}, cookies={**cookies, "csrftoken": csrf})


def person_token(user) -> str:
    """An access token of the platform's OIDC provider for ``user`` (as a department system
    holding the person's consent would present it)."""
    from oauth2_provider.models import AccessToken, Application

    from tongban.core import clock

    app, _ = Application.objects.get_or_create(
        name="fuzz",
        defaults={
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": "https://fuzz.invalid/cb",
            "algorithm": Application.RS256_ALGORITHM,
        },
    )
    raw = secrets.token_urlsafe(30)
    AccessToken.objects.create(
        user=user,
        application=app,
        token=raw,
        expires=clock.now() + datetime.timedelta(days=1),
        scope=" ".join(["openid", "profile", *_api_scopes()]),
    )
    return raw


def _first(label: str):
    from django.apps import apps

    return apps.get_model(label).objects.order_by("pk").first()


def _waybill(world):
    """A waybill with a courier's number, for the harness case."""
    from tongban.tests.access.rows.logistics import _waybill as harness_waybill

    waybill = harness_waybill(world)
    if not waybill.number:
        waybill.number = "SF0000FUZZ01"
        waybill.save(update_fields=["number"])
    return waybill


def _api_scopes() -> list[str]:
    """Every scope a token may hold for the platform's API (docs/sso.md)."""
    try:
        from tongban.identity.oidc.scopes import API_SCOPES
    except ImportError:  # before access tokens carried API scopes
        return []
    return sorted(API_SCOPES)


def _path_values(world, key: str, path: str) -> dict:
    """Real values for the path's parameters, from the harness's URL builder."""
    from tongban.tests.access import endpoints

    names = re.findall(r"\{(\w+)\}", path)
    if not names:
        return {}
    for suffix, value in PATH_VALUES.items():
        if suffix in path:
            return {names[0]: str(value(world))}
    url = urlsplit(endpoints.url_for(endpoints.Endpoint(key, path), world)).path
    pattern = re.escape(path)
    for name in names:
        pattern = pattern.replace(re.escape(f"{{{name}}}"), f"(?P<{name}>[^/]+)")
    match = re.fullmatch(pattern, url)
    if match is None:
        raise LookupError(f"{url} does not match {path}")
    return match.groupdict()


class SigningMiddleware:
    """Signs a request marked with ``X-Fuzz-Sign: <actor>`` as that API client, over the
    exact method, path, query and body the application will see; drops any generated
    ``Authorization`` header (a bearer token is checked before a signature)."""

    def __init__(self, app, issued: dict):
        self.app = app
        self.issued = issued

    def __call__(self, environ, start_response):
        actor = environ.pop("HTTP_" + SIGN_HEADER.upper().replace("-", "_"), None)
        if actor in self.issued:
            self._sign(environ, self.issued[actor])
        return self.app(environ, start_response)

    @staticmethod
    def _sign(environ, issued) -> None:
        from io import BytesIO

        from django.core.handlers.wsgi import get_path_info

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = BytesIO(body)
        environ.pop("HTTP_AUTHORIZATION", None)
        headers = sign(
            environ["REQUEST_METHOD"],
            get_path_info(environ),
            key_id=issued.key.key_id,
            secret=issued.secret,
            query=environ.get("QUERY_STRING", ""),
            body=body,
        )
        for name, value in headers.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
