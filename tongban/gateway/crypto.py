"""Key secrets encrypted at rest with AES-256-GCM under ``settings.GATEWAY_SECRET_KEY``."""

import base64
import hashlib
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12


def _key() -> bytes:
    if not settings.GATEWAY_SECRET_KEY:
        raise ImproperlyConfigured("GATEWAY_SECRET_KEY must be set when TONGBAN_ENV=production")
    try:
        key = base64.b64decode(settings.GATEWAY_SECRET_KEY, validate=True)
    except ValueError:
        key = settings.GATEWAY_SECRET_KEY.encode("utf-8")
    if len(key) != 32:
        # A passphrase rather than 32 random bytes: stretch it to a key.
        key = hashlib.sha256(key).digest()
    return key


def encrypt(secret: str, *, key_id: str) -> bytes:
    """Nonce + ciphertext; the key id is bound in as associated data."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(_key()).encrypt(nonce, secret.encode("utf-8"), key_id.encode())


def decrypt(blob: bytes, *, key_id: str) -> str:
    blob = bytes(blob)
    plain = AESGCM(_key()).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], key_id.encode())
    return plain.decode("utf-8")
