"""The licenses API's verification operations (``/api/v1/licenses/…``), public:

- ``GET /verify/{identifier}``: 400 ``invalid_identifier`` with the reason, 404 for an
  identifier no license of the register has, else the license as a verifier sees it;
- ``POST /verify-pdf`` (multipart ``file``): the PDF's signature and whether it is a license
  of the register.

Thin: ``verification`` does the work, counts the attempts and logs each verification.
"""

import datetime

from ninja import File, Router, Schema
from ninja.files import UploadedFile

from tongban.licenses import verification

router = Router()
ERRORS = {400: dict, 404: dict, 422: dict, 429: dict}


class HolderOut(Schema):
    name: str
    code: str
    code_type: str


class IssuerOut(Schema):
    name: str
    code: str


class PdfSignatureOut(Schema):
    signed: bool
    intact: bool
    trusted: bool
    valid: bool
    signer: str
    signed_at: str | None
    reason: str
    reason_en: str


class SignatureOut(Schema):
    valid: bool
    sm2: bool
    metadata_matches: bool
    pdf: dict


class LicenseOut(Schema):
    identifier: str
    license_name: str
    license_type_code: str
    defining_authority: str
    number: str
    version: int
    holder: HolderOut
    issuer: IssuerOut
    issued_on: datetime.date
    valid_from: datetime.date
    valid_to: datetime.date | None
    status: str
    status_label: str
    status_label_en: str
    revoked_at: datetime.datetime | None
    latest_identifier: str | None
    signature: SignatureOut


class PdfCheckOut(Schema):
    valid: bool
    signature: PdfSignatureOut
    register_match: str
    matches_register: bool
    license: LicenseOut | None


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@router.get(
    "/verify/{identifier}",
    response={200: LicenseOut, **ERRORS},
    auth=None,
    summary="证照核验(按证照标识)",
)
def verify(request, identifier: str):
    return verification.verify(identifier, ip=client_ip(request), actor=request.user)


@router.post(
    "/verify-pdf",
    response={200: PdfCheckOut, **ERRORS},
    auth=None,
    summary="证照核验(上传证照PDF)",
)
def verify_pdf(request, file: UploadedFile = File(...)):  # noqa: B008 (ninja's declaration)
    data = file.read(verification.MAX_PDF_BYTES + 1)
    return verification.check_pdf(data, ip=client_ip(request), actor=request.user)
