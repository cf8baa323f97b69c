"""Interface management's public functions: clients, keys, tokens, statistics.

Every change is one transaction with its audit record. A secret leaves this module once, in
the return value of ``issue_key`` / ``rotate_key``; only its ciphertext is stored.
"""

import datetime
import hashlib
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q

from tongban.audit import services as audit
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput, Unauthenticated
from tongban.gateway import crypto
from tongban.gateway.models import AccessToken, ApiClient, ApiKey, CallLog
from tongban.gateway.scopes import SCOPES

# p95 is computed in Python over at most this many of the most recent calls of the period.
STATS_WINDOW = 20_000


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str


def create_client(
    actor,
    *,
    name: str,
    scopes: list[str],
    department=None,
    kind: str = ApiClient.Kind.DEPARTMENT,
    department_codes: list[str] | None = None,
    max_sensitivity: int = 1,
    rate_limit: int = 600,
) -> ApiClient:
    """Register a system that may call the API (no key yet: ``issue_key``)."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise InvalidInput(fields={"scopes": [f"未知的权限范围 / unknown scope: {unknown}"]})
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name,
            department=department,
            kind=kind,
            scopes=sorted(set(scopes)),
            department_codes=department_codes or [],
            max_sensitivity=max_sensitivity,
            rate_limit=rate_limit,
        )
        audit.record(actor, "gateway.client.create", client)
    return client


def _new_key(client: ApiClient) -> IssuedKey:
    key_id = "tbk_" + secrets.token_hex(10)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        client=client, key_id=key_id, secret_encrypted=crypto.encrypt(secret, key_id=key_id)
    )
    return IssuedKey(key=key, secret=secret)


def issue_key(actor, client: ApiClient) -> IssuedKey:
    """A new key for ``client``; the secret is returned this once and never again."""
    with transaction.atomic():
        issued = _new_key(client)
        audit.record(actor, "gateway.key.issue", issued.key, note=client.name)
    return issued


def rotate_key(actor, key: ApiKey, *, overlap: datetime.timedelta | None = None) -> IssuedKey:
    """A new key; the old one keeps working until the overlap deadline, then stops."""
    if not key.is_usable(clock.now()):
        raise Conflict("该密钥已失效,不能轮换", "This key is no longer valid")
    overlap = overlap or datetime.timedelta(hours=settings.GATEWAY_KEY_OVERLAP_HOURS)
    with transaction.atomic():
        deadline = clock.now() + overlap
        if key.expires_at is None or key.expires_at > deadline:
            key.expires_at = deadline
            key.save(update_fields=["expires_at"])
        issued = _new_key(key.client)
        audit.record(actor, "gateway.key.rotate", key, note=f"→ {issued.key.key_id}")
    return issued


def revoke_key(actor, key: ApiKey) -> ApiKey:
    """Stop a key at once, and the tokens obtained with it."""
    with transaction.atomic():
        key.status = ApiKey.Status.REVOKED
        key.revoked_at = clock.now()
        key.save(update_fields=["status", "revoked_at"])
        AccessToken.objects.filter(key_id=key.key_id).delete()
        audit.record(actor, "gateway.key.revoke", key)
    return key


def secret_of(key: ApiKey) -> str:
    return crypto.decrypt(key.secret_encrypted, key_id=key.key_id)


def usable_key(key_id: str) -> ApiKey:
    key = ApiKey.objects.select_related("client").filter(key_id=key_id).first()
    if key is None or not key.is_usable(clock.now()) or not key.client.is_active:
        raise Unauthenticated("接口密钥无效、已吊销或已过期", "Unknown, revoked or expired key")
    return key


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def grant_token(key_id: str, client_secret: str, scope: str = "") -> tuple[str, AccessToken]:
    """OAuth2 client credentials: a bearer token for at most the client's scopes."""
    key = usable_key(key_id)
    if not secrets.compare_digest(secret_of(key), client_secret):
        raise Unauthenticated("客户端凭证错误", "Invalid client credentials")
    wanted = set(scope.split()) if scope.strip() else set(key.client.scopes)
    if not wanted <= set(key.client.scopes):
        raise InvalidInput(
            "申请的权限范围超出授权",
            "Requested scope exceeds the client's",
            fields={"scope": ["超出授权范围 / not granted to this client"]},
        )
    token = "tbt_" + secrets.token_urlsafe(32)
    now = clock.now()
    row = AccessToken.objects.create(
        client=key.client,
        key_id=key.key_id,
        token_hash=token_hash(token),
        scopes=sorted(wanted),
        created_at=now,
        expires_at=now + datetime.timedelta(seconds=settings.GATEWAY_TOKEN_SECONDS),
    )
    return token, row


def token_client(token: str) -> AccessToken:
    row = AccessToken.objects.select_related("client").filter(token_hash=token_hash(token)).first()
    if row is None or row.expires_at <= clock.now() or not row.client.is_active:
        raise Unauthenticated("访问令牌无效或已过期", "Invalid or expired access token")
    return row


@dataclass(frozen=True)
class Stats:
    calls: int
    errors: int
    p95_ms: float | None
    sampled: int


def client_stats(client: ApiClient, *, since: datetime.datetime) -> Stats:
    """Calls, errors (status ≥ 400) and p95 latency since ``since``; same code on both DBs."""
    calls = CallLog.objects.filter(client=client, at__gte=since)
    totals = calls.aggregate(calls=Count("id"), errors=Count("id", filter=Q(status__gte=400)))
    latencies = sorted(calls.order_by("-at").values_list("latency_ms", flat=True)[:STATS_WINDOW])
    return Stats(
        calls=totals["calls"],
        errors=totals["errors"],
        p95_ms=percentile(latencies, 95),
        sampled=len(latencies),
    )


def percentile(ordered: list[float], pct: int) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return None
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]
