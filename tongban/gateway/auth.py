"""Authenticating API clients: HMAC-signed requests or OAuth2 bearer tokens, then the
operation's scope, the data sensitivity it needs, and the client's rate limit.

An operation opts in with ``protected``::

    @router.get("/ping", **protected("gateway:ping"))

which sets ninja's ``auth`` and puts the scope into the OpenAPI document
(``x-tongban-scope``), where the admin's "what this client may call" page reads it.
"""

import hmac
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from ninja.security.base import AuthBase

from tongban.core import clock
from tongban.errors import PermissionDenied, RateLimited, Unauthenticated
from tongban.gateway import services
from tongban.gateway.client import signature, string_to_sign
from tongban.gateway.models import ApiClient, Sensitivity
from tongban.identity import throttles

SCOPE_KEY = "x-tongban-scope"
SENSITIVITY_KEY = "x-tongban-sensitivity"


@dataclass
class Caller:
    """Who is calling: ``request.auth`` in a protected operation."""

    client: ApiClient
    key_id: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    method: str = "hmac"


class GatewayAuth(AuthBase):
    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = (
        "HMAC 签名请求(X-Tb-Key、X-Tb-Timestamp、X-Tb-Nonce、X-Tb-Signature)或 OAuth2 "
        "客户端凭证令牌(Authorization: Bearer …),见 docs/gateway.md"
    )

    def __init__(self, scope: str | None = None, sensitivity: int = Sensitivity.PUBLIC):
        self.scope = scope
        self.sensitivity = sensitivity
        super().__init__()

    def __call__(self, request) -> Caller:
        caller = authenticate(request)
        request.gateway_caller = caller
        if self.scope and self.scope not in caller.scopes:
            raise PermissionDenied(
                f"该接入系统未获授权调用此接口(需要 {self.scope})",
                f"This client lacks the scope {self.scope}",
            )
        if caller.client.max_sensitivity < self.sensitivity:
            raise PermissionDenied(
                "该接入系统的数据密级不足以访问此接口", "Data sensitivity level too low"
            )
        check_rate(caller.client)
        return caller


ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "message_en", "fields"],
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "message_en": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array"}},
    },
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}


PROTECTED_RESPONSES = {
    401: _error("缺少凭证、签名无效、时间戳过期、重放、密钥已吊销或令牌过期"),
    403: _error("接入系统没有此接口的权限范围或数据密级"),
    429: _error("超过每分钟调用上限;Retry-After 给出等待秒数"),
}


def protected(scope: str | None = None, sensitivity: int = Sensitivity.PUBLIC) -> dict:
    """The keyword arguments that make an operation require a client (and a scope)."""
    extra = {
        SENSITIVITY_KEY: str(Sensitivity(sensitivity).label),
        "responses": PROTECTED_RESPONSES,
    }
    if scope:
        extra[SCOPE_KEY] = scope
    return {"auth": GatewayAuth(scope, sensitivity), "openapi_extra": extra}


def authenticate(request) -> Caller:
    """The caller, or ``Unauthenticated``; an address failing too often is refused first
    (identity.throttles.GATEWAY, audited when it blocks)."""
    throttles.GATEWAY.refuse_if_blocked(request)
    try:
        return _authenticate(request)
    except Unauthenticated:
        throttles.GATEWAY.failed(request)
        raise


def _authenticate(request) -> Caller:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = services.token_client(header[7:].strip())
        request.gateway_key_id = token.key_id
        return Caller(token.client, token.key_id, frozenset(token.scopes), "bearer")
    if "X-Tb-Key" in request.headers:
        return _verify_signature(request)
    raise Unauthenticated("缺少接口凭证(签名或访问令牌)", "Missing signature or bearer token")


def _verify_signature(request) -> Caller:
    headers = request.headers
    key_id = headers.get("X-Tb-Key", "")
    request.gateway_key_id = key_id[:40]
    stamp, nonce, given = (
        headers.get("X-Tb-Timestamp", ""),
        headers.get("X-Tb-Nonce", ""),
        headers.get("X-Tb-Signature", ""),
    )
    if not (stamp.isdigit() and 8 <= len(nonce) <= 64 and given):
        raise Unauthenticated("签名请求头不完整或格式错误", "Incomplete signature headers")
    window = settings.GATEWAY_SIGNATURE_WINDOW
    if abs(clock.now().timestamp() - int(stamp)) > window:
        raise Unauthenticated("请求时间戳超出允许范围,请校准时钟", "Timestamp outside the window")
    key = services.usable_key(key_id)
    message = string_to_sign(
        request.method,
        request.path,
        request.META.get("QUERY_STRING", ""),
        stamp,
        nonce,
        request.body,
    )
    expected = signature(services.secret_of(key), message)
    if not hmac.compare_digest(expected, given.lower()):
        raise Unauthenticated("请求签名无效", "Bad signature")
    # Only a correctly signed nonce is remembered, so nobody can burn another client's nonces.
    if not cache.add(f"gw:nonce:{key_id}:{nonce}", 1, timeout=2 * window):
        raise Unauthenticated("请求已被使用过(重放)", "Replayed nonce")
    return Caller(key.client, key.key_id, frozenset(key.client.scopes), "hmac")


def check_rate(client: ApiClient) -> None:
    """A fixed one-minute window per client, counted in the shared cache."""
    now = clock.now().timestamp()
    window = int(now // 60)
    counter = f"gw:rate:{client.pk}:{window}"
    cache.add(counter, 0, timeout=90)
    try:
        used = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.add(counter, 1, timeout=90)
        used = 1
    if used > client.rate_limit:
        raise RateLimited(retry_after=math.ceil(60 * (window + 1) - now))
