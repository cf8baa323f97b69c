"""PDF signatures: valid for pdfsig and verify_pdf, and any changed byte is found."""

import hashlib
import shutil
import subprocess

import pytest

from tongban.errors import InvalidInput
from tongban.org.tests.factories import StaffFactory
from tongban.signing import services
from tongban.signing.models import SealUse
from tongban.signing.tests.factories import DepartmentFactory, one_page_pdf

pytestmark = pytest.mark.django_db
PDFSIG = shutil.which("pdfsig")
needs_pdfsig = pytest.mark.skipif(PDFSIG is None, reason="poppler-utils (pdfsig) not installed")


@pytest.fixture
def department():
    return DepartmentFactory(name="周至县市场监督管理局")


@pytest.fixture
def signed(department):
    return services.sign_pdf(one_page_pdf(), department=department, reason="营业执照")


def pdfsig(tmp_path, data: bytes) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    result = subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=30)
    return result.stdout + result.stderr


def flipped(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def signed_positions(data: bytes) -> list[int]:
    """Positions spread over both signed ranges (everything but the signature's hex)."""
    start = data.rindex(b"/Contents <") + len(b"/Contents")
    end = data.index(b">", start) + 1
    first = list(range(0, start, max(1, start // 12)))
    second = list(range(end, len(data), max(1, (len(data) - end) // 6)))
    return first + second


def test_a_signed_pdf_verifies_valid_with_the_seal_named(signed, department):
    check = services.verify_pdf(signed)

    seal = services.seal_for(department)
    assert (check.signed, check.intact, check.trusted, check.valid) == (True, True, True, True)
    assert check.signer == "周至县市场监督管理局电子印章" == seal.name
    assert check.seal_id == seal.seal_id
    assert check.signed_at is not None
    assert check.reason_zh == "签章有效,文件未被修改"


@needs_pdfsig
def test_pdfsig_reports_the_signature_valid(tmp_path, signed):
    report = pdfsig(tmp_path, signed)

    assert "Signature Validation: Signature is Valid." in report
    assert "Signer Certificate Common Name: 周至县市场监督管理局" in report
    assert "Signing Hash Algorithm: SHA-256" in report
    assert "Total document signed" in report
    # Without the root in an NSS database poppler cannot trust the chain; it says so.
    assert "Certificate Validation: Certificate issuer isn't Trusted." in report


@needs_pdfsig
def test_one_flipped_byte_is_reported_by_pdfsig_and_by_verify_pdf(tmp_path, signed):
    position = signed.index(b"stream\n") + 10  # inside the page's content stream
    tampered = flipped(signed, position)

    assert "Signature is Valid" not in pdfsig(tmp_path, tampered)
    assert "Digest Mismatch" in pdfsig(tmp_path, tampered)
    check = services.verify_pdf(tampered)
    assert check.signed and not check.intact and not check.valid
    assert check.reason_en.startswith("The document was changed")


def test_a_flipped_byte_anywhere_in_the_signed_ranges_makes_it_invalid(signed):
    for position in signed_positions(signed):
        check = services.verify_pdf(flipped(signed, position))
        assert not check.valid, f"byte {position} changed, still valid"
        assert not check.intact, f"byte {position} changed, still intact"


def test_a_flipped_byte_in_the_signature_itself_makes_it_invalid(signed):
    position = signed.rindex(b"/Contents <") + len(b"/Contents <") + 40

    assert not services.verify_pdf(flipped(signed, position)).valid


def test_bytes_appended_after_signing_are_not_intact(signed):
    check = services.verify_pdf(signed + b"\n% appended\n")

    assert not check.intact and not check.valid


def test_an_unsigned_pdf_is_not_signed():
    check = services.verify_pdf(one_page_pdf())

    assert (check.signed, check.valid) == (False, False)
    assert check.reason_zh == "文件未签章"


@pytest.mark.parametrize(
    "garbage", [b"", b"hello", b"\x00" * 2000, b"PK\x03\x04zip", b"%PDF-1.7\nnothing\n"]
)
def test_garbage_is_invalid_input(garbage):
    with pytest.raises(InvalidInput):
        services.verify_pdf(garbage)


@pytest.mark.parametrize("garbage", [b"not a pdf", b"%PDF-1.7\nno objects at all\n"])
def test_signing_garbage_is_invalid_input(department, garbage):
    with pytest.raises(InvalidInput):
        services.sign_pdf(garbage, department=department, reason="x")
    assert not SealUse.objects.exists()


def test_a_second_signature_keeps_the_document_valid(signed, department):
    other = DepartmentFactory(name="周至县公安局")
    twice = services.sign_pdf(signed, department=other, reason="联合审批")

    check = services.verify_pdf(twice)
    assert check.valid and check.signer == "周至县公安局电子印章"


def test_a_signature_from_another_ca_is_not_trusted(signed):
    from tongban.signing.models import Authority

    root_before = services.root_certificate_pem()
    Authority.objects.all().delete()  # the platform gets a new CA

    check = services.verify_pdf(signed)
    assert services.root_certificate_pem() != root_before
    assert check.intact and not check.trusted and not check.valid


def test_a_revoked_seal_makes_its_signatures_invalid(signed, department):
    from tongban.org.tests.factories import staff_with_role

    admin = staff_with_role("system_admin", department=department)
    services.revoke_seal(services.seal_for(department), by=admin, reason="密钥泄露")

    check = services.verify_pdf(signed)
    assert check.intact and check.trusted and not check.valid
    assert check.reason_zh == "印章已吊销"


def test_each_signature_is_logged_with_the_signed_document_hash(department):
    clerk = StaffFactory()
    signed = services.sign_pdf(
        one_page_pdf(), department=department, reason="办结", by=clerk, purpose="cases.Case:7"
    )

    use = SealUse.objects.get()
    assert use.seal == services.seal_for(department)
    assert use.document_sha256 == hashlib.sha256(signed).hexdigest()
    assert (use.by, use.purpose, use.reason) == (clerk, "cases.Case:7", "办结")


def test_the_signature_names_the_seal_certificate_by_its_hash(signed, department):
    """The signing-certificate attribute (built once per seal) is the seal's certificate."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    from tongban.signing import certificates

    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    found = {a["type"].native: a["values"][0] for a in signature.signer_info["signed_attrs"]}
    cert = certificates.asn1(services.seal_for(department).certificate_pem)

    assert found["signing_certificate_v2"]["certs"][0]["cert_hash"].native == (
        hashlib.sha256(cert.dump()).digest()
    )
