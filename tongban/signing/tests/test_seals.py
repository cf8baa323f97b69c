"""Seals: issued once per department with keys, certificate and picture; revocation."""

import io
import threading

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from django.db import connection
from PIL import Image

from tongban.errors import Conflict, PermissionDenied
from tongban.org.tests.factories import DepartmentFactory, staff_with_role
from tongban.signing import certificates, picture, services
from tongban.signing.models import Authority, Seal

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    return DepartmentFactory(name="周至县人力资源和社会保障局")


def test_the_first_call_issues_the_seal_and_later_calls_return_it(
    department, django_assert_num_queries
):
    seal = services.seal_for(department)

    with django_assert_num_queries(1):
        assert services.seal_for(department) == seal
    assert Seal.objects.count() == 1 and Authority.objects.count() == 2
    assert seal.name == "周至县人力资源和社会保障局电子印章"
    assert seal.seal_type == Seal.Type.OFFICIAL and seal.status == Seal.Status.ACTIVE
    assert seal.seal_id == f"61012401{department.uscc}01"


def test_the_seal_certificate_names_the_department_and_chains_to_the_root(department):
    seal = services.seal_for(department)
    cert = certificates.load_pem(seal.certificate_pem)
    root, issuing = (Authority.objects.get(kind=k) for k in ("root", "issuing"))
    issuing_cert = certificates.load_pem(issuing.certificate_pem)
    root_cert = certificates.load_pem(services.root_certificate_pem())

    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == department.name
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "周至县"
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == department.uscc
    assert cert.issuer == issuing_cert.subject and issuing_cert.issuer == root_cert.subject
    cert.verify_directly_issued_by(issuing_cert)
    issuing_cert.verify_directly_issued_by(root_cert)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert root.certificate_pem == services.root_certificate_pem()


def test_private_keys_are_stored_encrypted(department):
    seal = services.seal_for(department)
    rows = [seal.key_ref, seal.sm2_key_ref, *Authority.objects.values_list("key_ref", flat=True)]

    for stored in rows:
        assert stored.startswith("k1:sm4:")
        assert "PRIVATE KEY" not in stored


def test_the_picture_is_a_transparent_red_round_seal_png(department):
    png = services.seal_png(services.seal_for(department))
    image = Image.open(io.BytesIO(png))

    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.size == (picture.SIZE, picture.SIZE)
    assert image.getpixel((2, 2))[3] == 0  # transparent corner
    centre = image.getpixel((picture.SIZE // 2, picture.SIZE // 2))  # the star
    assert centre[0] > 200 and centre[1] < 40 and centre[2] < 60 and centre[3] == 255
    ring = image.getpixel((picture.SIZE // 2, 16))  # the ring at the top
    assert ring[0] > 200 and ring[3] > 200


def test_the_picture_carries_the_name(department):
    """Two names, two pictures: the text is drawn, not a fixed image."""
    assert picture.draw("周至县公安局") != picture.draw("周至县民政局")


def test_revoking_needs_the_system_administrator(department):
    clerk = staff_with_role("clerk", department=department)

    with pytest.raises(PermissionDenied):
        services.revoke_seal(services.seal_for(department), by=clerk, reason="x")


def test_after_revocation_the_department_gets_a_new_seal(department):
    admin = staff_with_role("system_admin", department=department)
    old = services.seal_for(department)

    services.revoke_seal(old, by=admin, reason="印章密钥泄露")
    new = services.seal_for(department)

    old.refresh_from_db()
    assert old.status == Seal.Status.REVOKED and old.revoked_reason == "印章密钥泄露"
    assert new != old and new.serial != old.serial
    assert new.seal_id.endswith("02")
    with pytest.raises(Conflict):
        services.revoke_seal(old, by=admin, reason="again")


def test_an_expired_seal_does_not_sign(department, time_machine):
    seal = services.seal_for(department)
    time_machine.move_to(seal.valid_to + (seal.valid_to - seal.valid_from) / 10)

    with pytest.raises(Conflict):
        services.sm2_sign(b"x", department=department)


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_calls_end_with_one_seal_and_one_ca():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serves one writer at a time; the race is only real on PostgreSQL")
    department = DepartmentFactory()
    start = threading.Barrier(6)
    found, errors = [], []

    def issue():
        try:
            start.wait(timeout=30)
            found.append(services.seal_for(department).pk)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(set(found)) == 1 and len(found) == 6
    assert Seal.objects.filter(department=department).count() == 1
    assert Authority.objects.count() == 2
