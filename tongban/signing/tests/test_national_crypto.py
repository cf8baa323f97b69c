"""SM3 hashes and SM2 signatures, checked against the standards' vectors and OpenSSL."""

import io
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from tongsuopy.crypto.asymciphers import ec

from tongban.errors import InvalidInput
from tongban.signing import services, sm
from tongban.signing.tests.factories import DepartmentFactory

# GB/T 32918.5 Annex A (cn-standards.md): private key, message, and the signature made with
# the fixed k 59276E27…. tongsuopy draws k itself (no way to fix it), so the vector is
# checked on the verifying side: the standard's (r, s) must verify under the key's public
# half, and fail for any other message.
ANNEX_A_KEY = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
ANNEX_A_R = 0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3
ANNEX_A_S = 0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA
OPENSSL = shutil.which("openssl")


def test_sm3_of_abc_is_the_standard_vector():
    assert services.sm3_hex(b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_sm3_file_streams_to_the_same_digest_as_the_whole():
    data = bytes(range(256)) * 1000  # more than one chunk
    assert services.sm3_file(io.BytesIO(data)) == services.sm3_hex(data)


def test_sm3_refuses_text():
    with pytest.raises(InvalidInput):
        services.sm3_hex("abc")


def test_the_annex_a_signature_verifies_under_its_public_key():
    public = sm.public_pem(ec.derive_private_key(ANNEX_A_KEY, ec.SM2()))
    signature = encode_dss_signature(ANNEX_A_R, ANNEX_A_S)

    assert services.sm2_verify(b"message digest", signature, public_key_pem=public)
    assert not services.sm2_verify(b"message digesT", signature, public_key_pem=public)


def test_sm2_verify_says_no_to_garbage_signatures_and_keys():
    public = sm.public_pem(sm.new_key())
    assert not services.sm2_verify(b"x", b"not der", public_key_pem=public)
    assert not services.sm2_verify(b"x", b"\x30\x00", public_key_pem="not a key")


@pytest.mark.django_db
def test_sm2_signature_of_a_department_verifies_with_its_public_key():
    department = DepartmentFactory()
    signature = services.sm2_sign(b"license data", department=department)
    public = services.sm2_public_key_pem(department)

    assert services.sm2_verify(b"license data", signature, public_key_pem=public)
    assert not services.sm2_verify(b"license datA", signature, public_key_pem=public)


@pytest.mark.django_db
def test_without_a_department_the_platform_department_signs():
    DepartmentFactory(sort_order=5)
    platform = DepartmentFactory(code="approval", sort_order=9)
    signature = services.sm2_sign(b"platform data")

    assert services.sm2_public_key_pem() == services.seal_for(platform).sm2_public_key_pem
    assert services.sm2_verify(
        b"platform data", signature, public_key_pem=services.sm2_public_key_pem(platform)
    )


@pytest.mark.django_db
def test_without_the_configured_department_the_first_top_level_one_signs(settings):
    settings.SIGNING_PLATFORM_DEPARTMENT = "nowhere"
    first = DepartmentFactory(sort_order=1)
    DepartmentFactory(sort_order=2)

    assert services.platform_department() == first


@pytest.mark.skipif(OPENSSL is None, reason="the openssl command is not installed")
@pytest.mark.django_db
@pytest.mark.parametrize(("distid", "verified"), [("1234567812345678", True), ("1", False)])
def test_openssl_verifies_the_sm2_signature_with_the_default_id(tmp_path, distid, verified):
    department = DepartmentFactory()
    data = "1.2.156.3005.2.11100000000000000X.610124.0001|营业执照".encode()
    (tmp_path / "data").write_bytes(data)
    (tmp_path / "sig").write_bytes(services.sm2_sign(data, department=department))
    (tmp_path / "key.pem").write_text(services.sm2_public_key_pem(department))

    result = subprocess.run(
        [OPENSSL, "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pkeyopt",
         f"distid:{distid}", "-pubin", "-inkey", "key.pem", "-in", "data", "-sigfile", "sig"],
        cwd=tmp_path, capture_output=True, text=True, timeout=30,
    )  # fmt: skip

    assert ("Signature Verified Successfully" in result.stdout) is verified
    assert (result.returncode == 0) is verified
