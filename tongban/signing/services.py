"""The signing app's public functions: seals, PDF signatures, SM2 signatures, SM3 hashes.

Other apps call only these (docs/signing.md). A department's seal is made on first use with
its keys, certificate and picture; keys stay with the provider (``SIGNING_PROVIDER``), which
caches them in-process, so a signature costs two queries (the seal, its use log) and the
cryptography.
"""

import datetime
import hashlib
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model

from tongban.audit import services as audit
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput, NotFound
from tongban.identity import access
from tongban.org.models import Department
from tongban.signing import pdf as pdf_signatures
from tongban.signing import picture, sm
from tongban.signing.models import Seal, SealUse
from tongban.signing.pdf import PdfCheck
from tongban.signing.providers import registry
from tongban.signing.providers.base import SealRequest

__all__ = [
    "PdfCheck",
    "platform_department",
    "revoke_seal",
    "root_certificate_pem",
    "seal_for",
    "seal_png",
    "sign_pdf",
    "sm2_public_key_pem",
    "sm2_sign",
    "sm2_verify",
    "sm3_file",
    "sm3_hex",
    "verify_pdf",
]

YEAR = datetime.timedelta(days=365)
SYSTEM = "signing"


def provider():
    return registry.get()


# --- seals ------------------------------------------------------------------------------


def seal_for(department: Department) -> Seal:
    """The department's active seal, issued (keys, certificate, picture) on the first call."""
    if not isinstance(department, Department) or department.pk is None:
        raise InvalidInput(fields={"department": ["请指定部门 / a department is required"]})
    # The picture (tens of kilobytes) is read only by seal_png, not by every signature.
    active = Seal.objects.filter(department=department, status=Seal.Status.ACTIVE)
    return active.defer("picture").first() or _issue_seal(department)


def seal_png(seal: Seal) -> bytes:
    """The seal's picture: a transparent PNG, ``picture.SIZE`` pixels square. A seal's
    picture never changes, so each process reads it once."""
    return _picture(seal.pk, seal.seal_id)


@lru_cache(maxsize=256)
def _picture(seal_pk: int, seal_id: str) -> bytes:
    """Keyed by the seal id too: a row id reused (a test database rolled back) never
    returns another department's picture."""
    return bytes(Seal.objects.values_list("picture", flat=True).get(pk=seal_pk, seal_id=seal_id))


def platform_department() -> Department:
    """Whose seal signs for the platform itself: ``SIGNING_PLATFORM_DEPARTMENT`` (the
    department running the county government service center), else the first top-level
    department."""
    active = Department.objects.filter(is_active=True)
    found = active.filter(code=settings.SIGNING_PLATFORM_DEPARTMENT).first()
    found = found or active.filter(parent__isnull=True).order_by("sort_order", "id").first()
    if found is None:
        raise NotFound("没有可用于平台签名的部门", "No department can sign for the platform")
    return found


def revoke_seal(seal: Seal, *, by, reason: str) -> Seal:
    """Revoke a seal (its signatures stop verifying as valid); the department's next
    signature gets a new seal."""
    access.require(by, "signing.revoke_seal", seal)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(fields={"reason": ["请填写吊销原因 / a reason is required"]})
    with transaction.atomic():
        seal = Seal.objects.select_for_update().get(pk=seal.pk)
        if seal.status == Seal.Status.REVOKED:
            raise Conflict("印章已吊销", "The seal is already revoked")
        seal.status, seal.revoked_at = Seal.Status.REVOKED, clock.now()
        seal.revoked_reason = reason[:200]
        seal.save(update_fields=["status", "revoked_at", "revoked_reason"])
        audit.record(
            by, "signing.seal.revoke", seal, changes={"status": ["active", "revoked"]}, note=reason
        )
    return seal


def _issue_seal(department: Department) -> Seal:
    now = clock.now()
    issued = provider().issue_seal(
        SealRequest(
            common_name=department.name,
            organization=settings.TONGBAN_COUNTY_NAME,
            uscc=department.uscc,
            valid_from=now,
            valid_to=now + settings.SIGNING_SEAL_YEARS * YEAR,
        )
    )
    number = Seal.objects.filter(department=department).count() + 1
    seal_type = Seal.Type.OFFICIAL
    try:
        with transaction.atomic():
            seal = Seal.objects.create(
                department=department,
                seal_id=f"{settings.TONGBAN_COUNTY_CODE}{seal_type}{department.uscc}{number:02d}",
                name=f"{department.name}电子印章",
                seal_type=seal_type,
                serial=issued.serial,
                certificate_pem=issued.certificate_pem,
                key_ref=issued.key_ref,
                sm2_public_key_pem=issued.sm2_public_key_pem,
                sm2_key_ref=issued.sm2_key_ref,
                picture=picture.draw(department.name),
                valid_from=issued.valid_from,
                valid_to=issued.valid_to,
            )
            audit.record(SYSTEM, "signing.seal.issue", seal, note=seal.seal_id)
    except IntegrityError:
        # Issued at the same moment by another request: the committed one is the seal.
        return Seal.objects.get(department=department, status=Seal.Status.ACTIVE)
    return seal


def _usable(seal: Seal) -> Seal:
    if not (seal.valid_from <= clock.now() <= seal.valid_to):
        raise Conflict("印章不在有效期内", "The seal is outside its validity period")
    return seal


# --- PDF signatures ----------------------------------------------------------------------


def sign_pdf(
    pdf: bytes, *, department: Department, reason: str, by=None, purpose: str = ""
) -> bytes:
    """``pdf`` signed (PAdES, invisible field) with the department's seal; the use is logged.

    ``by`` is the account that had it sealed, or a string naming a system process.
    """
    seal = _usable(seal_for(department))
    signed = pdf_signatures.sign(pdf, provider().pdf_signer(seal), name=seal.name, reason=reason)
    SealUse.objects.create(
        seal=seal,
        used_at=clock.now(),
        purpose=(purpose or "")[:200],
        reason=(reason or "")[:200],
        document_sha256=hashlib.sha256(signed).hexdigest(),
        by=by if isinstance(by, Model) and getattr(by, "is_authenticated", False) else None,
        by_repr=_by_repr(by),
    )
    return signed


def verify_pdf(pdf: bytes) -> PdfCheck:
    """What the PDF's signatures say (see ``PdfCheck``); not a PDF at all: ``InvalidInput``."""
    facts = pdf_signatures.examine(pdf, provider().root_certificates_pem())
    if facts is None:
        return _check(signed=True, intact=False, trusted=False, why=pdf_signatures.DAMAGED)
    if not facts:
        return _check(signed=False, intact=False, trusted=False, why=pdf_signatures.UNSIGNED)
    last = facts[-1]
    intact = all(fact.intact for fact in facts) and last.whole_file
    trusted = all(fact.trusted for fact in facts)
    seals = {s.serial: s for s in Seal.objects.filter(serial__in={f.serial for f in facts})}
    revoked = any(seal.status == Seal.Status.REVOKED for seal in seals.values())
    seal = seals.get(last.serial)
    why = (
        pdf_signatures.DAMAGED
        if not intact
        else pdf_signatures.UNTRUSTED
        if not trusted
        else pdf_signatures.REVOKED
        if revoked
        else pdf_signatures.VALID
    )
    return _check(
        signed=True,
        intact=intact,
        trusted=trusted,
        why=why,
        revoked=revoked,
        signer=seal.name if seal else last.common_name,
        seal_id=seal.seal_id if seal else "",
        signed_at=last.signed_at,
    )


def _check(*, signed, intact, trusted, why, revoked=False, **facts) -> PdfCheck:
    valid = signed and intact and trusted and not revoked
    return PdfCheck(
        signed=signed,
        intact=intact,
        trusted=trusted,
        valid=valid,
        reason_zh=why[0],
        reason_en=why[1],
        **facts,
    )


def _by_repr(by) -> str:
    if by is None:
        return ""
    if isinstance(by, str):
        return by[:150]
    return (by.get_full_name() or by.get_username())[:150]


def root_certificate_pem() -> str:
    """The platform's root certificate (PEM): what verifiers trust."""
    return provider().root_certificates_pem()[0]


# --- national cryptography ----------------------------------------------------------------


def sm2_sign(data: bytes, *, department: Department | None = None) -> bytes:
    """SM2-with-SM3 signature (DER r, s; ID 1234567812345678) of ``data`` with the
    department's seal key, or the platform's (``platform_department``) when none is named."""
    _require_bytes(data, "data")
    seal = _usable(seal_for(department or platform_department()))
    return provider().sm2_sign(seal, bytes(data))


def sm2_verify(data: bytes, signature: bytes, *, public_key_pem: str) -> bool:
    return sm.verify(public_key_pem, bytes(data), bytes(signature))


def sm2_public_key_pem(department: Department | None = None) -> str:
    """The SM2 public key (PEM, SubjectPublicKeyInfo) that verifies ``sm2_sign``'s output."""
    return seal_for(department or platform_department()).sm2_public_key_pem


def sm3_hex(data: bytes) -> str:
    _require_bytes(data, "data")
    return sm.sm3_hex(bytes(data))


def sm3_file(fileobj) -> str:
    """SM3 (hex) of a binary file object, read in chunks from its current position."""
    return sm.sm3_file(fileobj)


def _require_bytes(data, field: str) -> None:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInput(fields={field: ["应为字节串 / must be bytes"]})
