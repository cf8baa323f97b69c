"""The licenses app's only door to ``tongban.signing``: seal pictures, PDF signatures (PAdES)
and SM2 signatures of the license metadata, with the department's keys.

Kept in one module so the rest of the app names what it needs (``sign_pdf``,
``check_pdf``, ``sm2_sign``…) and a change of the signing contract is absorbed here.
"""

import base64

from tongban.signing import services as signing
from tongban.signing.models import Seal

SM2_USER_ID = "1234567812345678"


def seal_picture(department) -> bytes:
    """The department's seal as a transparent PNG, stamped over the issuer line."""
    return signing.seal_png(signing.seal_for(department))


def sign_pdf(pdf: bytes, *, department, by=None, license_name: str = "") -> bytes:
    """``pdf`` signed (PAdES, invisible field) with ``department``'s seal."""
    return signing.sign_pdf(
        pdf,
        department=department,
        reason=f"颁发电子证照 {license_name}".strip(),
        by=by,
        purpose="licenses.issue",
    )


def check_pdf(pdf: bytes):
    """``signing.PdfCheck`` of ``pdf``: signed, intact, trusted, valid, signer…"""
    return signing.verify_pdf(pdf)


def sm2_sign(data: bytes, *, department) -> tuple[str, str]:
    """(Base64 of the DER SM2-with-SM3 signature of ``data`` by ``department``'s seal key,
    that key's public half as PEM): the key is kept with the license, so a later seal of the
    department does not orphan the signatures made with this one."""
    signature = signing.sm2_sign(data, department=department)
    public_key = signing.seal_for(department).sm2_public_key_pem
    return base64.b64encode(signature).decode("ascii"), str(public_key)


def sm2_verify(data: bytes, signature_b64: str, *, department, public_key_pem: str) -> bool:
    """The signature verifies with ``public_key_pem``, a key of one of ``department``'s
    seals (the active one or a former one)."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except ValueError:
        return False
    known = Seal.objects.filter(department=department, sm2_public_key_pem=public_key_pem).exists()
    return known and bool(signing.sm2_verify(data, signature, public_key_pem=public_key_pem))
