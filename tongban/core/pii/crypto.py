"""Encryption at rest and blind indexes for personal data.

A stored value is a token ``v1:<algorithm>:<key id>:<base64 of nonce + ciphertext + tag>``.
The header (``v1:sm4:k2``) is authenticated as associated data, so a token cannot be moved
to another key or algorithm. ``sm4`` is SM4-GCM (GB/T 32907, the default for 密评) with the
key's first 16 bytes; ``aes`` is AES-256-GCM with all 32. New tokens use ``PII_ACTIVE_KEY``
and ``PII_ALGORITHM``; every key in ``PII_KEYS`` stays readable until no token names it
(``manage.py rotate_pii_keys``).

A blind index is HMAC-SM3 (or HMAC-SHA256) under ``PII_INDEX_KEY`` of the normalized value
and its kind, so equal values are found without decrypting and an index of one kind never
matches another.
"""

import base64
import binascii
import hmac as std_hmac
import os
import re
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
ALGORITHMS = ("sm4", "aes")
INDEX_ALGORITHMS = ("sm3", "sha256")
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class DecryptionError(ValueError):
    """A token that is malformed, names an unknown key, or fails authentication."""


def normalize(value: str, kind: str = "") -> str:
    """The form a value is indexed in: ID numbers and credit codes upper-case without
    spaces, phones digits only (a leading +86 dropped), other kinds stripped."""
    text = str(value).strip()
    if kind in ("id_number", "uscc"):
        return re.sub(r"[\s-]", "", text).upper()
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
        return digits
    return text


def encrypt(plaintext: str, *, key_id: str | None = None, algorithm: str | None = None) -> str:
    """A token for ``plaintext`` under the active key (or the one named)."""
    key_id = key_id or active_key_id()
    algorithm = algorithm or settings.PII_ALGORITHM
    header = f"{VERSION}:{algorithm}:{key_id}"
    nonce = os.urandom(NONCE_BYTES)
    encryptor = _cipher(algorithm, keys()[key_id], nonce).encryptor()
    encryptor.authenticate_additional_data(header.encode())
    body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    return f"{header}:{base64.b64encode(nonce + body + encryptor.tag).decode()}"


def decrypt(token: str) -> str:
    version, algorithm, key_id, payload = _split(token)
    try:
        raw = base64.b64decode(payload, validate=True)
    except binascii.Error as exc:
        raise DecryptionError("token payload is not base64") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("token is too short")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    key = keys().get(key_id)
    if key is None:
        raise DecryptionError(f"unknown PII key id {key_id!r}: keep it in PII_KEYS")
    decryptor = _cipher(algorithm, key, nonce, tag).decryptor()
    decryptor.authenticate_additional_data(f"{version}:{algorithm}:{key_id}".encode())
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except InvalidTag as exc:
        raise DecryptionError("token failed authentication") from exc


def token_key(token: str) -> tuple[str, str]:
    """``(algorithm, key id)`` of a token, without decrypting it."""
    _version, algorithm, key_id, _payload = _split(token)
    return algorithm, key_id


def is_current(token: str) -> bool:
    """Whether a token already uses the active key and algorithm."""
    return token_key(token) == (settings.PII_ALGORITHM, active_key_id())


def blind_index(value: str, kind: str = "") -> str:
    """The keyed hash (64 hex characters) that finds ``value`` of ``kind`` exactly."""
    name = settings.PII_INDEX_ALGORITHM
    if name not in INDEX_ALGORITHMS:
        raise ImproperlyConfigured(f"PII_INDEX_ALGORITHM must be one of {INDEX_ALGORITHMS}")
    mac = hmac.HMAC(index_key(), hashes.SM3() if name == "sm3" else hashes.SHA256())
    mac.update(f"{kind}\x00{normalize(value, kind)}".encode())
    return mac.finalize().hex()


def same_index(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a, b)


def active_key_id() -> str:
    key_id = settings.PII_ACTIVE_KEY or next(iter(settings.PII_KEYS), "")
    if key_id not in keys():
        raise ImproperlyConfigured(f"PII_ACTIVE_KEY {key_id!r} is not one of PII_KEYS")
    return key_id


def keys() -> dict[str, bytes]:
    return _decoded_keys(tuple(sorted(settings.PII_KEYS.items())))


def index_key() -> bytes:
    return _decoded_key("PII_INDEX_KEY", settings.PII_INDEX_KEY)


def configuration_errors() -> list[str]:
    """What is wrong with the PII settings, in words for a system check (empty when fine)."""
    errors = []
    try:
        keys()
        active_key_id()
    except ImproperlyConfigured as exc:
        errors.append(str(exc))
    if not settings.PII_KEYS:
        errors.append("PII_KEYS is empty")
    try:
        index_key()
    except ImproperlyConfigured as exc:
        errors.append(str(exc))
    if settings.PII_ALGORITHM not in ALGORITHMS:
        errors.append(f"PII_ALGORITHM must be one of {ALGORITHMS}")
    if settings.PII_INDEX_ALGORITHM not in INDEX_ALGORITHMS:
        errors.append(f"PII_INDEX_ALGORITHM must be one of {INDEX_ALGORITHMS}")
    return errors


@cache
def _decoded_keys(items: tuple[tuple[str, str], ...]) -> dict[str, bytes]:
    found = {}
    for key_id, encoded in items:
        if not KEY_ID.match(key_id):
            raise ImproperlyConfigured(f"PII key id {key_id!r}: letters, digits, - and _ only")
        found[key_id] = _decoded_key(f"PII_KEYS[{key_id}]", encoded)
    return found


@cache
def _decoded_key(name: str, encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded or "", validate=True)
    except binascii.Error as exc:
        raise ImproperlyConfigured(f"{name} is not base64") from exc
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{name} must be {KEY_BYTES} bytes (base64), not {len(key)}")
    return key


def _cipher(algorithm: str, key: bytes, nonce: bytes, tag: bytes | None = None) -> Cipher:
    if algorithm == "sm4":
        return Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce, tag))
    if algorithm == "aes":
        return Cipher(algorithms.AES(key), modes.GCM(nonce, tag))
    raise DecryptionError(f"unknown algorithm {algorithm!r}")


def _split(token: str) -> tuple[str, str, str, str]:
    parts = str(token).split(":")
    if len(parts) != 4 or parts[0] != VERSION:
        raise DecryptionError("not a personal-data token")
    return parts[0], parts[1], parts[2], parts[3]
