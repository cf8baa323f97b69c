"""National cryptography: SM2 signatures (GB/T 32918, through tongsuopy's native Tongsuo)
and SM3 hashes (GB/T 32905, through ``cryptography``).

An SM2 signature here is SM2-with-SM3 over the data with the default distinguishing ID
``1234567812345678`` (Tongsuo's default, the one GB/T 35276 names), DER-encoded (r, s):
``openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678`` checks it.
"""

from cryptography.hazmat.primitives import hashes as pyca_hashes
from tongsuopy.crypto import hashes, serialization
from tongsuopy.crypto.asymciphers import ec
from tongsuopy.crypto.exceptions import InternalError, InvalidSignature

DISTINGUISHING_ID = "1234567812345678"
CHUNK = 1 << 16


def new_key():
    return ec.generate_private_key(ec.SM2())


def key_der(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_key(der: bytes):
    return serialization.load_der_private_key(der, password=None)


def public_pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign(key, data: bytes) -> bytes:
    return key.sign(data, ec.ECDSA(hashes.SM3()))


def verify(public_key_pem: str, data: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is a valid SM2 signature of ``data``; False for any bad input
    (a malformed signature, a key that is not an SM2 public key)."""
    try:
        public_key = serialization.load_pem_public_key(public_key_pem.encode())
        if not isinstance(getattr(public_key, "curve", None), ec.SM2):
            return False
        public_key.verify(signature, data, ec.ECDSA(hashes.SM3()))
    except (InvalidSignature, InternalError, ValueError, TypeError):
        return False
    return True


def sm3_hex(data: bytes) -> str:
    digest = pyca_hashes.Hash(pyca_hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def sm3_file(fileobj) -> str:
    """SM3 of a binary file object read in chunks from where it stands."""
    digest = pyca_hashes.Hash(pyca_hashes.SM3())
    for chunk in iter(lambda: fileobj.read(CHUNK), b""):
        digest.update(chunk)
    return digest.finalize().hex()
