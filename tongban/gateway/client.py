"""Signing requests to the Tongban API: the helper department systems copy (docs/gateway.md).

No dependency beyond the standard library::

    headers = sign("GET", "/api/v1/gateway/ping", key_id=KEY_ID, secret=SECRET)
    requests.get(BASE + "/api/v1/gateway/ping", headers=headers)

The signature is HMAC-SHA256 (hex) over six lines: the method, the path, the sorted query
string, the timestamp (Unix seconds), the nonce and the hex SHA-256 of the body.
"""

import hashlib
import hmac
import secrets
import time
from urllib.parse import parse_qsl, quote


def canonical_query(query: str) -> str:
    """The query with its pairs sorted, each part percent-encoded the same way."""
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in pairs)


def string_to_sign(
    method: str, path: str, query: str, timestamp: str, nonce: str, body: bytes
) -> bytes:
    return "\n".join(
        [
            method.upper(),
            path,
            canonical_query(query),
            timestamp,
            nonce,
            hashlib.sha256(body).hexdigest(),
        ]
    ).encode("utf-8")


def signature(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(
    method: str,
    path: str,
    *,
    key_id: str,
    secret: str,
    query: str = "",
    body: bytes = b"",
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four ``X-Tb-*`` headers for one request (``path`` without the query string)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16)
    message = string_to_sign(method, path, query, stamp, nonce, body)
    return {
        "X-Tb-Key": key_id,
        "X-Tb-Timestamp": stamp,
        "X-Tb-Nonce": nonce,
        "X-Tb-Signature": signature(secret, message),
    }
