"""PAdES signatures of PDFs with pyHanko: an invisible signature field per signature.

Callers draw the seal's picture on the page themselves (``services.seal_png``); the
signature proves who sealed the document and that nothing changed since.
"""

import datetime
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from tongban.errors import InvalidInput
from tongban.signing import certificates

logger = logging.getLogger(__name__)

# Room for the CMS signature container: three P-256 certificates and an ECDSA signature take
# about 2.6 KB. Reserving it skips pyHanko's dry-run signature (half the time of a signature).
SIGNATURE_BYTES = 8192
HEADER_WINDOW = 1024


@dataclass(frozen=True)
class PdfCheck:
    """What a PDF's signatures say: ``valid`` when signed, intact, trusted and the seal is not
    revoked; ``reason_zh``/``reason_en`` explain the verdict to a person."""

    signed: bool
    intact: bool
    trusted: bool
    valid: bool
    signer: str = ""
    seal_id: str = ""
    signed_at: datetime.datetime | None = None
    reason_zh: str = ""
    reason_en: str = ""


UNSIGNED = ("文件未签章", "The document is not signed")
DAMAGED = (
    "文件在签章后被修改,或签章已损坏",
    "The document was changed after it was signed, or the signature is damaged",
)
UNTRUSTED = (
    "签章证书不是本平台证书机构签发的有效证书",
    "The signing certificate is not a valid certificate of the platform's CA",
)
REVOKED = ("印章已吊销", "The seal has been revoked")
VALID = ("签章有效,文件未被修改", "The signature is valid and the document unchanged")


def not_a_pdf() -> InvalidInput:
    return InvalidInput(
        "文件不是有效的 PDF",
        "The file is not a valid PDF",
        fields={"pdf": ["文件不是有效的 PDF / not a valid PDF"]},
    )


def sign(pdf: bytes, signer, *, name: str, reason: str) -> bytes:
    """``pdf`` with one more signature by ``signer`` (a pyHanko signer), as a new revision."""
    if not _looks_like_pdf(pdf):
        raise not_a_pdf()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        field = f"Seal{len(writer.prev.embedded_signatures) + 1}"
        meta = signers.PdfSignatureMetadata(
            field_name=field,
            md_algorithm="sha256",
            reason=reason or None,
            location=settings.SIGNING_LOCATION,
            name=name,
        )
        out = io.BytesIO()
        signers.PdfSigner(meta, signer=signer).sign_pdf(
            writer, output=out, bytes_reserved=SIGNATURE_BYTES
        )
    except (PdfError, SigningError, ValueError, KeyError, TypeError) as exc:
        logger.info("PDF not signed: %s", exc)
        raise not_a_pdf() from exc
    return out.getvalue()


@dataclass(frozen=True)
class SignatureFacts:
    """One signature as pyHanko saw it, before the platform's register is asked."""

    intact: bool
    trusted: bool
    whole_file: bool
    serial: str
    common_name: str
    signed_at: datetime.datetime | None


def examine(pdf: bytes, trust_roots_pem: list[str]) -> list[SignatureFacts] | None:
    """The facts of each signature (``[]`` unsigned); ``None`` when the file is a damaged
    signed PDF that cannot even be parsed (changed bytes in its structure)."""
    if not _looks_like_pdf(pdf):
        if isinstance(pdf, bytes | bytearray) and b"/ByteRange" in pdf:
            return None  # a signed PDF whose header was changed
        raise not_a_pdf()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception as exc:  # pyHanko raises many types on a damaged file
        if b"/ByteRange" in pdf:
            return None
        raise not_a_pdf() from exc
    roots = [certificates.asn1(text) for text in trust_roots_pem]
    return [_facts(signature, roots) for signature in signatures]


def _facts(signature, roots) -> SignatureFacts:
    certificate = signature.signer_cert
    serial = format(certificate.serial_number, "x")
    common_name = certificate.subject.native.get("common_name", "")
    try:
        context = ValidationContext(trust_roots=roots)
        status = validate_pdf_signature(signature, context, skip_diff=True)
    except Exception as exc:  # a damaged signature container fails in many ways
        logger.info("PDF signature not validated: %s", exc)
        return SignatureFacts(False, False, False, serial, common_name, None)
    return SignatureFacts(
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        serial=serial,
        common_name=common_name,
        signed_at=status.signer_reported_dt,
    )


def _looks_like_pdf(data: bytes) -> bool:
    return isinstance(data, bytes | bytearray) and b"%PDF-" in data[:HEADER_WINDOW]
