"""Signed HTTP requests between the platform and outside systems (SMS gateway, payment
channel, courier), shared by each client, its sandbox and the callback views.

Signature = hex HMAC-SHA256(app secret, method \\n path \\n timestamp \\n nonce \\n
sha256-hex(body)), sent with the AppKey, Timestamp and Nonce headers.
"""

import hashlib
import hmac
import secrets
import time

MAX_SKEW_SECONDS = 300


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes):
    digest = hashlib.sha256(body).hexdigest()
    text = "\n".join([method.upper(), path, timestamp, nonce, digest])
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def headers(app_key: str, secret: str, method: str, path: str, body: bytes) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    return {
        "AppKey": app_key,
        "Timestamp": timestamp,
        "Nonce": nonce,
        "Signature": signature(secret, method, path, timestamp, nonce, body),
        "Content-Type": "application/json; charset=utf-8",
    }


def verify(secret: str, method: str, path: str, body: bytes, get_header) -> bool:
    """Whether a request's headers carry a valid, fresh signature."""
    timestamp = get_header("Timestamp") or ""
    nonce = get_header("Nonce") or ""
    given = get_header("Signature") or ""
    try:
        fresh = abs(time.time() - int(timestamp)) <= MAX_SKEW_SECONDS
    except ValueError:
        return False
    expected = signature(secret, method, path, timestamp, nonce, body)
    return fresh and hmac.compare_digest(expected, given)
