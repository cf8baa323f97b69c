"""The factories build licenses the register accepts (other apps' tests rely on them)."""

import pytest

from tongban.licenses import identifiers
from tongban.licenses.models import HolderType
from tongban.licenses.tests.factories import LicenseFactory

pytestmark = pytest.mark.django_db


def test_a_person_license_is_valid():
    lic = LicenseFactory()
    lic.full_clean(exclude=["pdf"])
    parsed = identifiers.parse(lic.identifier)
    assert parsed.issuer_code == lic.issuer.uscc
    assert lic.holder_code == lic.holder_user.id_number
    assert lic.holder_code_type == "111"


def test_an_enterprise_license_is_valid():
    lic = LicenseFactory(enterprise=True)
    assert lic.holder_type == HolderType.ENTERPRISE
    assert lic.holder_user is None
    assert lic.holder_code == lic.holder_enterprise.legal_entity.uscc
    assert lic.holder_code_type == "001"
    assert lic.license_type.holder_type == HolderType.ENTERPRISE
    identifiers.parse(lic.identifier)
