"""The admin pages: the system administrator sees seals and revokes one with a reason."""

import pytest
from django.urls import reverse

from tongban.audit.models import AuditRecord
from tongban.identity.tests.helpers import verified_login
from tongban.org.tests.factories import DepartmentFactory, staff_with_role
from tongban.signing import services
from tongban.signing.models import Seal

pytestmark = pytest.mark.django_db


@pytest.fixture
def seal():
    return services.seal_for(DepartmentFactory(name="周至县民政局"))


def test_the_system_administrator_sees_the_seal_and_its_picture(client, seal):
    verified_login(client, staff_with_role("system_admin", department=seal.department))

    page = client.get(reverse("admin:signing_seal_change", args=[seal.pk]))
    picture = client.get(reverse("admin:signing_seal_picture", args=[seal.pk]))

    assert page.status_code == 200 and seal.seal_id in page.text
    assert "吊销印章" in page.text
    assert picture["Content-Type"] == "image/png" and picture.content == services.seal_png(seal)


def test_revoking_from_the_admin_records_the_reason_and_an_audit_record(client, seal):
    verified_login(client, staff_with_role("system_admin", department=seal.department))

    response = client.post(
        reverse("admin:signing_seal_revoke", args=[seal.pk]), {"reason": "部门撤并"}
    )

    assert response.status_code == 302
    seal.refresh_from_db()
    assert seal.status == Seal.Status.REVOKED and seal.revoked_reason == "部门撤并"
    assert AuditRecord.objects.filter(action="signing.seal.revoke").count() == 1


def test_a_clerk_cannot_revoke(client, seal):
    verified_login(client, staff_with_role("clerk", department=seal.department))

    response = client.post(reverse("admin:signing_seal_revoke", args=[seal.pk]), {"reason": "x"})

    assert response.status_code == 403
    seal.refresh_from_db()
    assert seal.status == Seal.Status.ACTIVE
