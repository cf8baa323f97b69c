"""Change, renewal and revocation by the issuing department; state read against the clock."""

import datetime

import pytest

from tongban.audit.models import AuditRecord
from tongban.cases.tests.factories import approver_of, clerk_of, form_item
from tongban.errors import Conflict, InvalidInput, PermissionDenied
from tongban.licenses import identifiers, services
from tongban.licenses.models import License
from tongban.licenses.services import State
from tongban.licenses.tests.factories import LicenseFactory, bound_type, concluded_case
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    return form_item()


@pytest.fixture
def lic(travel, item):
    travel(2026, 9, 30)
    bound_type(item, validity_years=2)
    return services.issue_for_case(concluded_case(item))


@pytest.fixture
def approver(item):
    return approver_of(item)


def test_a_change_makes_the_next_version_and_supersedes_the_old(lic, approver):
    new = services.change(lic, surface={"purpose": "变更后的许可事项"}, by=approver)
    lic.refresh_from_db()
    assert services.state(lic) == State.SUPERSEDED
    assert (new.version, new.previous, new.serial, new.number) == (2, lic, lic.serial, lic.number)
    assert new.surface["purpose"] == "变更后的许可事项"
    assert new.surface["holder"] == lic.surface["holder"]
    assert identifiers.parse(new.identifier).version == 2
    assert new.identifier.split(".")[-2] == "002"
    assert new.pdf_sha256 and new.pdf_sha256 != lic.pdf_sha256
    assert AuditRecord.objects.filter(action="licenses.license.change", object_id=str(new.pk))
    assert services.state(new) == State.VALID


def test_a_change_names_only_surface_fields_and_needs_a_license_in_force(lic, approver):
    with pytest.raises(InvalidInput):
        services.change(lic, surface={"holder_name": "别人"}, by=approver)
    services.change(lic, surface={"purpose": "一"}, by=approver)
    lic.refresh_from_db()
    with pytest.raises(Conflict):
        services.change(lic, surface={"purpose": "二"}, by=approver)


def test_expiry_is_read_from_the_clock(lic, travel):
    assert services.state(lic) == State.VALID
    travel(2028, 9, 29)
    assert services.state(lic) == State.VALID
    travel(2028, 9, 30)
    assert services.state(lic) == State.EXPIRED


def test_renewal_gives_a_new_term_from_today(lic, approver, travel):
    travel(2028, 10, 8)
    renewed = services.renew(lic, by=approver)
    assert renewed.version == 2
    assert (renewed.valid_from, renewed.valid_to) == (
        datetime.date(2028, 10, 8),
        datetime.date(2030, 10, 7),
    )
    lic.refresh_from_db()
    assert services.state(lic) == State.SUPERSEDED
    assert services.state(renewed) == State.VALID


def test_revocation_records_the_reason(lic, approver):
    with pytest.raises(InvalidInput):
        services.revoke(lic, reason=" ", by=approver)
    revoked = services.revoke(lic, reason="申请人申请注销", by=approver)
    assert services.state(revoked) == State.REVOKED
    assert revoked.revoke_reason == "申请人申请注销" and revoked.revoked_at is not None
    assert AuditRecord.objects.filter(action="licenses.license.revoke", object_id=str(lic.pk))
    with pytest.raises(Conflict):
        services.renew(revoked, by=approver)
    with pytest.raises(Conflict):
        services.revoke(revoked, reason="再次注销", by=approver)


def test_only_the_issuing_departments_approvers_and_admins_act(lic, item):
    dept_admin = staff_with_role(StaffMembership.Role.DEPT_ADMIN, department=item.department)
    services.revoke(lic, reason="部门管理员注销", by=dept_admin)
    other = LicenseFactory()
    for outsider in (clerk_of(item), approver_of(form_item()), dept_admin):
        with pytest.raises(PermissionDenied):
            services.revoke(other if outsider is dept_admin else lic, reason="x", by=outsider)


def test_a_failed_save_leaves_no_file_behind(lic, approver, media, monkeypatch):
    from tongban.licenses import services as module

    def broken(previous):
        raise Conflict("并发变更", "concurrent change")

    monkeypatch.setattr(module, "_supersede", broken)
    before = sorted(p.name for p in media.rglob("*.pdf"))
    with pytest.raises(Conflict):
        services.change(lic, surface={"purpose": "x"}, by=approver)
    assert sorted(p.name for p in media.rglob("*.pdf")) == before
    assert License.objects.count() == 1
