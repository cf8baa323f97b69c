"""The stack's environment: production settings with secrets generated once.

Kept in ``var/proof/stack/env`` (mode 0600, ``KEY=value`` lines, the format of a systemd
``EnvironmentFile``); the OIDC signing key is a PEM file beside it. A second ``up`` reads
them back, so sessions, encrypted personal data and API keys stay valid across restarts.
"""

import base64
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

WEB_PORT, APP_PORT, PG_PORT = 8100, 8101, 5442
SMS_PORT, PAY_PORT, COURIER_PORT = 8126, 8129, 8128
REDIS_URL = "redis://127.0.0.1:6379/3"


def _key32() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def generate(directory: Path) -> dict[str, str]:
    """A fresh production environment for the stack whose files live in ``directory``."""
    site = f"http://127.0.0.1:{WEB_PORT}"
    password = secrets.token_hex(16)
    return {
        "TONGBAN_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TONGBAN_VAR_DIR": str(directory / "var"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": site,
        # The loopback has no TLS: cookies must travel over plain HTTP here, never in a
        # real installation (docs/operations.md).
        "SECURE_COOKIES": "0",
        "DATABASE_URL": f"postgres://tongban:{password}@127.0.0.1:{PG_PORT}/tongban",
        "PROOF_DB_PASSWORD": password,
        "CONN_MAX_AGE": "60",
        "REDIS_URL": REDIS_URL,
        "TASKS_BACKEND": "rq",
        "PII_KEYS": f"k1:{_key32()}",
        "PII_INDEX_KEY": _key32(),
        "IDENTITY_CODE_KEY": _key32(),
        "OIDC_SUBJECT_KEY": _key32(),
        "OIDC_RSA_PRIVATE_KEY_FILE": str(directory / "oidc.pem"),
        "OIDC_ISSUER": f"{site}/oidc",
        "GATEWAY_SECRET_KEY": _key32(),
        "SIGNING_KEY_SECRET": _key32(),
        "NOTIFY_SMS_PROVIDER": "sms_http",
        "NOTIFY_SMS_URL": f"http://127.0.0.1:{SMS_PORT}",
        "NOTIFY_SMS_APP_KEY": "tongban-proof",
        "NOTIFY_SMS_APP_SECRET": secrets.token_urlsafe(32),
        "NOTIFY_QUIET_HOURS": "",
        "PAYMENTS_PROVIDER": "channel_http",
        "PAYMENTS_CHANNEL_URL": f"http://127.0.0.1:{PAY_PORT}",
        "PAYMENTS_MERCHANT_ID": "ZZTB-PROOF",
        "PAYMENTS_CHANNEL_SECRET": secrets.token_urlsafe(32),
        "PAYMENTS_PUBLIC_URL": site,
        "LOGISTICS_PROVIDER": "courier_http",
        "LOGISTICS_COURIER_URL": f"http://127.0.0.1:{COURIER_PORT}",
        "LOGISTICS_CUSTOMER_CODE": "ZZTB-PROOF",
        "LOGISTICS_COURIER_SECRET": secrets.token_urlsafe(32),
        "LOGISTICS_PUBLIC_URL": site,
        "LICENSES_PUBLIC_URL": site,
        "SITE_URL": site,
        # No SMTP relay on the loopback: mail is written to the worker's log.
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def write(path: Path, values: dict[str, str]) -> None:
    """``KEY=value`` lines, readable by the owner only (created 0600, never wider)."""
    for key, value in values.items():
        if "\n" in value or "=" in key:
            raise ValueError(f"{key}: one line per variable")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.writelines(f"{key}={value}\n" for key, value in values.items())
    path.chmod(0o600)


def read(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            key, _sep, value = line.partition("=")
            values[key] = value
    return values


def ensure(directory: Path) -> dict[str, str]:
    """The stack's environment: read back, or generated and written on the first run."""
    path = directory / "env"
    if path.exists():
        return read(path)
    values = generate(directory)
    pem = Path(values["OIDC_RSA_PRIVATE_KEY_FILE"])
    pem.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(pem, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(_rsa_pem())
    write(path, values)
    return values
