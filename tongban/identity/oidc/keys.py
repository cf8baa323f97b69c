"""The RSA key that signs ID tokens, read while the settings load.

Production gives it as PEM text (``OIDC_RSA_PRIVATE_KEY``) or as a file path
(``OIDC_RSA_PRIVATE_KEY_FILE``); without either it refuses to start (``identity.E101``,
``tongban.identity.oidc.checks``). Elsewhere a development key is generated once into
var/ (gitignored), so ID tokens stay verifiable across restarts.

Only the standard library and ``cryptography`` here: this module is imported by settings.
"""

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

DEV_KEY_NAME = "oidc_rsa_private_key.pem"


def signing_key(pem: str, path: str, var_dir: Path, *, generate: bool) -> str:
    """The PEM text of the signing key; "" when none is configured and ``generate`` is off."""
    if pem.strip():
        return _checked(pem.strip().replace("\\n", "\n"), "OIDC_RSA_PRIVATE_KEY")
    if path:
        try:
            return _checked(Path(path).read_text(), "OIDC_RSA_PRIVATE_KEY_FILE")
        except OSError as exc:
            raise ImproperlyConfigured(f"OIDC_RSA_PRIVATE_KEY_FILE: cannot read {path}") from exc
    if not generate:
        return ""
    return _development_key(var_dir / DEV_KEY_NAME)


def new_private_key_pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _checked(pem: str, name: str) -> str:
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{name} is not an unencrypted PEM private key") from exc
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise ImproperlyConfigured(f"{name} must be an RSA key of at least 2048 bits")
    return pem


def _development_key(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written to a temporary name and moved: two processes starting at once both end
        # up reading one complete key.
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(new_private_key_pem())
        partial.chmod(0o600)
        if not path.exists():
            os.replace(partial, path)
        else:
            partial.unlink()
    return path.read_text()
