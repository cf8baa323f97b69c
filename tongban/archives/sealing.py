"""The archives' calls into ``tongban.signing``: SM2 over a package's manifest, and hashes.

Kept in one module so the rest of the app never names the signing app's functions. SHA-256
and SM3 are computed here in one pass over each file (``cryptography`` has both), so a large
material is read once.
"""

import base64
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes

CHUNK = 1 << 20


@dataclass(frozen=True)
class Digests:
    size: int
    sha256: str
    sm3: str


def digests(data: bytes) -> Digests:
    """Size, SHA-256 and SM3 (GB/T 32905) of ``data``, in hex."""
    sha256 = hashlib.sha256()
    sm3 = hashes.Hash(hashes.SM3())
    view = memoryview(data)
    for start in range(0, len(view), CHUNK):
        chunk = view[start : start + CHUNK]
        sha256.update(chunk)
        sm3.update(chunk)
    return Digests(len(data), sha256.hexdigest(), sm3.finalize().hex())


def sign(data: bytes) -> tuple[bytes, str]:
    """(SM2 signature of ``data``, DER; the signer's public key, PEM): the platform's own
    key, as the archive is the platform's record, not one department's."""
    signing = _signing()
    return signing.sm2_sign(data), signing.sm2_public_key_pem()


def verify(data: bytes, signature_b64: str, public_key_pem: str) -> bool:
    """Whether ``signature_b64`` is an SM2 signature of ``data`` by ``public_key_pem``."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except ValueError:
        return False
    try:
        return bool(_signing().sm2_verify(data, signature, public_key_pem=public_key_pem))
    except Exception:
        # A signature or key the verifier cannot even parse is not a valid signature.
        return False


def encoded(signature: bytes) -> str:
    """A DER signature as the package row stores it (base64)."""
    return base64.b64encode(signature).decode("ascii")


def _signing():
    # Imported on use: the archives app loads (and its tasks register) before the signing
    # app's services are needed.
    from tongban.signing import services

    return services
