"""The gateway's own API: who am I, a ping for connectivity checks, and the OAuth2 token
endpoint (client credentials)."""

from typing import Literal

from ninja import Form, Router, Schema

from tongban.core import clock
from tongban.errors import Unauthenticated
from tongban.gateway import services
from tongban.gateway.auth import protected
from tongban.identity import throttles

router = Router(tags=["gateway"])
oauth_router = Router(tags=["gateway"])


class WhoAmI(Schema):
    client: str
    kind: str
    department: str | None
    key_id: str
    auth_method: str
    scopes: list[str]
    department_codes: list[str]
    max_sensitivity: str
    rate_limit_per_minute: int


class Pong(Schema):
    pong: bool
    at: str


class TokenOut(Schema):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str


@router.get("/whoami", response=WhoAmI, summary="当前接入系统 / The calling client", **protected())
def whoami(request):
    caller = request.auth
    client = caller.client
    return {
        "client": client.name,
        "kind": client.kind,
        "department": client.department.code if client.department_id else None,
        "key_id": caller.key_id,
        "auth_method": caller.method,
        "scopes": sorted(caller.scopes),
        "department_codes": client.department_codes,
        "max_sensitivity": str(client.get_max_sensitivity_display()),
        "rate_limit_per_minute": client.rate_limit,
    }


@router.get("/ping", response=Pong, summary="连通性测试 / Ping", **protected("gateway:ping"))
def ping(request):
    return {"pong": True, "at": clock.now().isoformat()}


@oauth_router.post("/token", response=TokenOut, summary="获取访问令牌 / OAuth2 token")
def token(
    request,
    grant_type: Form[Literal["client_credentials"]],
    client_id: Form[str],
    client_secret: Form[str],
    scope: Form[str] = "",
):
    """OAuth2 client credentials (RFC 6749 §4.4): ``client_id`` is the key id."""
    throttles.GATEWAY.refuse_if_blocked(request)  # guessing client secrets (identity.throttles)
    try:
        issued, row = services.grant_token(client_id, client_secret, scope)
    except Unauthenticated:
        throttles.GATEWAY.failed(request)
        raise
    return {
        "access_token": issued,
        "token_type": "Bearer",
        "expires_in": int((row.expires_at - row.created_at).total_seconds()),
        "scope": " ".join(row.scopes),
    }
