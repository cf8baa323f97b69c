"""Private keys at rest: SM4-GCM tokens under ``SIGNING_KEY_SECRET``.

A token is ``k1:sm4:<base64 of nonce + ciphertext + tag>``; the header is authenticated, so a
token cannot be moved to another format. The plaintext is the key in PKCS#8 DER.
"""

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

HEADER = "k1:sm4"
NONCE_BYTES = 12
TAG_BYTES = 16


class KeyDecryptionError(ValueError):
    """A token that is malformed or was made under another secret."""


def secret() -> bytes:
    try:
        key = base64.b64decode(settings.SIGNING_KEY_SECRET or "", validate=True)
    except binascii.Error as exc:
        raise ImproperlyConfigured("SIGNING_KEY_SECRET is not base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("SIGNING_KEY_SECRET must be 32 bytes (base64)")
    return key


def seal(plaintext: bytes) -> str:
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(secret()[:16]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(HEADER.encode())
    body = encryptor.update(plaintext) + encryptor.finalize()
    return f"{HEADER}:{base64.b64encode(nonce + body + encryptor.tag).decode()}"


def unseal(token: str) -> bytes:
    header, _sep, payload = token.rpartition(":")
    if header != HEADER:
        raise KeyDecryptionError("not a signing key token")
    try:
        raw = base64.b64decode(payload, validate=True)
    except binascii.Error as exc:
        raise KeyDecryptionError("key token is not base64") from exc
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(secret()[:16]), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(HEADER.encode())
    try:
        return decryptor.update(body) + decryptor.finalize()
    except (InvalidTag, ValueError) as exc:
        raise KeyDecryptionError("key token failed authentication") from exc
