"""The issued license's signatures, checked by independent tools: poppler's ``pdfsig`` for the
PDF (PAdES) and OpenSSL's command line for the SM2 signature of the metadata."""

import base64
import shutil
import subprocess

import pytest

from tongban.cases.tests.factories import form_item
from tongban.licenses import sealing, services, verification
from tongban.licenses.tests.factories import bound_type, concluded_case

pytestmark = pytest.mark.django_db
needs_pdfsig = pytest.mark.skipif(not shutil.which("pdfsig"), reason="poppler-utils missing")
needs_openssl = pytest.mark.skipif(not shutil.which("openssl"), reason="openssl missing")


@pytest.fixture
def lic(travel, django_capture_on_commit_callbacks):
    travel(2026, 9, 30)
    item = form_item()
    bound_type(item)
    with django_capture_on_commit_callbacks(execute=True):
        case = concluded_case(item)
    return services.license_of_case(case)


def pdfsig(path) -> str:
    done = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def tampered(content: bytes) -> bytes:
    """One byte changed inside the signed page content (not in the signature itself)."""
    at = content.index(b"stream\n", 200) + 20
    return content[:at] + bytes([content[at] ^ 0x01]) + content[at + 1 :]


@needs_pdfsig
def test_pdfsig_reports_the_license_pdf_validly_signed(lic, tmp_path):
    path = tmp_path / "license.pdf"
    path.write_bytes(lic.pdf.read())
    report = pdfsig(path)
    assert "Signature Validation: Signature is Valid" in report, report


@needs_pdfsig
def test_one_changed_byte_is_reported_by_pdfsig_and_the_platform(lic, tmp_path):
    content = lic.pdf.read()
    changed = tampered(content)
    path = tmp_path / "changed.pdf"
    path.write_bytes(changed)
    report = pdfsig(path)
    assert "Signature Validation: Signature is Valid" not in report, report
    check = sealing.check_pdf(changed)
    assert check.signed and not check.intact and not check.valid
    assert sealing.check_pdf(content).valid


def test_a_tampered_stored_file_turns_the_signature_status_invalid(lic):
    assert verification.compute_signature_status(lic.pk)["valid"] is True
    content = lic.pdf.read()
    with open(lic.pdf.path, "wb") as handle:
        handle.write(tampered(content))
    status = verification.compute_signature_status(lic.pk)
    assert status["valid"] is False
    assert status["pdf"]["hash_matches"] is False and status["pdf"]["intact"] is False
    assert status["sm2"] is True


def test_a_changed_register_row_no_longer_matches_its_signed_data(lic):
    type(lic).objects.filter(pk=lic.pk).update(holder_name="李四")
    status = verification.compute_signature_status(lic.pk)
    assert status["sm2"] is True and status["metadata_matches"] is False
    assert status["valid"] is False


@needs_openssl
def test_openssl_verifies_the_sm2_signature(lic, tmp_path):
    lic.refresh_from_db()
    data, signature, key = (tmp_path / n for n in ("data.json", "sig.der", "key.pem"))
    data.write_bytes(str(lic.signed_data).encode())
    signature.write_bytes(base64.b64decode(lic.sm2_signature))
    key.write_text(lic.sm2_public_key)
    command = [
        "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(key), "-rawin",
        "-digest", "sm3", "-pkeyopt", "distid:1234567812345678",
        "-in", str(data), "-sigfile", str(signature),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Signature Verified Successfully" in done.stdout, done
    data.write_bytes(str(lic.signed_data).replace("001", "002", 1).encode())
    failed = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert failed.returncode != 0
