"""The license catalog's admin: kept by the catalog administrator, checked and audited; the
register is read-only and shows holders masked."""

import json

import pytest
from django.test import Client

from tongban.audit.models import AuditRecord
from tongban.identity.tests.helpers import verified_login
from tongban.licenses.models import LicenseType
from tongban.licenses.tests.factories import LicenseFactory
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role

pytestmark = pytest.mark.django_db
ADD = "/admin/licenses/licensetype/add/"


def signed_in(role, **kwargs) -> Client:
    client = Client()
    verified_login(client, staff_with_role(role, **kwargs))
    return client


def form(**overrides) -> dict:
    data = {
        "code": "11100000000012345A099",
        "name": "测试许可证",
        "authority_name": "国家市场监督管理总局",
        "authority_code": "11100000000012345A",
        "holder_type": "enterprise",
        "validity_years": "3",
        "fields": json.dumps([{"key": "name", "label": "名称", "source": "holder.name"}]),
        "layout": "{}",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_the_catalog_administrator_adds_a_type_checked_and_audited():
    client = signed_in(StaffMembership.Role.CATALOG_ADMIN)
    bad = client.post(ADD, form(code="11100000000012345A0", fields='[{"key": "x"}]'))
    assert bad.status_code == 200
    assert "证照类型代码" in bad.content.decode() and not LicenseType.objects.exists()
    good = client.post(ADD, form())
    assert good.status_code == 302, good.content.decode()[:2000]
    created = LicenseType.objects.get(code="11100000000012345A099")
    assert AuditRecord.objects.filter(
        action="licenses.licensetype.add", object_id=str(created.pk)
    ).exists()


def test_a_clerk_cannot_reach_the_catalog():
    assert signed_in(StaffMembership.Role.CLERK).get(ADD).status_code == 403


def test_the_register_shows_the_departments_licenses_masked():
    lic = LicenseFactory()
    approver = signed_in(StaffMembership.Role.APPROVER, department=lic.issuer)
    page = approver.get("/admin/licenses/license/")
    text = page.content.decode()
    assert page.status_code == 200 and lic.number in text
    assert str(lic.holder_code) not in text
    other = signed_in(StaffMembership.Role.APPROVER)
    assert lic.number not in other.get("/admin/licenses/license/").content.decode()
