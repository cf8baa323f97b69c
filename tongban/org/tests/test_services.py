import io

import pytest
from django.core.management import CommandError, call_command

from tongban.audit.models import AuditRecord
from tongban.errors import InvalidInput, NotFound, PermissionDenied
from tongban.identity.models import User
from tongban.org import services
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import (
    CountyCenterFactory,
    DepartmentFactory,
    StaffFactory,
    UserFactory,
    WindowFactory,
    staff_with_role,
)

pytestmark = pytest.mark.django_db
Role = StaffMembership.Role


def test_granting_a_role_records_who_did_it():
    admin = staff_with_role(Role.SYSTEM_ADMIN)
    user, department = StaffFactory(), DepartmentFactory(code="hrss")

    membership = services.grant_role(user, department=department, role=Role.CLERK, by=admin)

    assert services.roles_of(user) == {"clerk"}
    record = AuditRecord.objects.get(action="org.role.grant")
    assert record.actor == admin
    assert record.object_id == str(membership.pk)
    assert record.changes["role"] == "clerk"
    assert record.changes["department"] == "hrss"


def test_granting_the_same_role_again_changes_nothing():
    user, department = StaffFactory(), DepartmentFactory()
    first = services.grant_role(user, department=department, role=Role.CLERK)
    again = services.grant_role(user, department=department, role=Role.CLERK)

    assert again.pk == first.pk
    assert AuditRecord.objects.filter(action="org.role.grant").count() == 1


def test_moving_a_clerk_to_another_window_is_recorded():
    user, department, window = StaffFactory(), DepartmentFactory(), WindowFactory()
    services.grant_role(user, department=department, role=Role.CLERK)
    services.grant_role(
        user, department=department, role=Role.CLERK, center=window.center, window=window
    )

    last = AuditRecord.objects.filter(action="org.role.grant").order_by("-id").first()
    assert last.changes["window"] == [None, window.pk]


def test_revoking_ends_the_role_and_keeps_the_row():
    user, department = StaffFactory(), DepartmentFactory()
    services.grant_role(user, department=department, role=Role.APPROVER)
    assert services.has_any_role(user)

    services.revoke_role(user, department=department, role=Role.APPROVER, note="调岗")

    assert not services.has_any_role(user)
    assert StaffMembership.objects.get(user=user).is_active is False
    record = AuditRecord.objects.get(action="org.role.revoke")
    assert record.note == "调岗"
    assert record.changes["is_active"] == [True, False]


def test_a_revoked_role_can_be_granted_again():
    user, department = StaffFactory(), DepartmentFactory()
    services.grant_role(user, department=department, role=Role.CLERK)
    services.revoke_role(user, department=department, role=Role.CLERK)
    services.grant_role(user, department=department, role=Role.CLERK)

    assert StaffMembership.objects.get(user=user).is_active


def test_revoking_a_role_never_held_is_not_found():
    with pytest.raises(NotFound):
        services.revoke_role(StaffFactory(), department=DepartmentFactory(), role=Role.CLERK)


def test_a_citizen_account_cannot_be_given_a_role():
    with pytest.raises(InvalidInput) as caught:
        services.grant_role(UserFactory(), department=DepartmentFactory(), role=Role.CLERK)

    assert "user" in caught.value.fields
    assert not StaffMembership.objects.exists()
    assert not AuditRecord.objects.exists()


def test_an_unknown_role_is_refused():
    with pytest.raises(InvalidInput) as caught:
        services.grant_role(StaffFactory(), department=DepartmentFactory(), role="king")
    assert "role" in caught.value.fields


def test_a_window_of_another_center_writes_nothing():
    with pytest.raises(InvalidInput) as caught:
        services.grant_role(
            StaffFactory(),
            department=DepartmentFactory(),
            role=Role.CLERK,
            center=CountyCenterFactory(),
            window=WindowFactory(),
        )
    assert "window" in caught.value.fields
    assert not StaffMembership.objects.exists()
    assert not AuditRecord.objects.exists()


def test_a_department_admin_cannot_make_a_system_admin():
    dept_admin = staff_with_role(Role.DEPT_ADMIN)
    with pytest.raises(PermissionDenied):
        services.grant_role(
            dept_admin, department=DepartmentFactory(), role=Role.SYSTEM_ADMIN, by=dept_admin
        )


def test_a_department_admin_can_make_a_clerk():
    dept_admin = staff_with_role(Role.DEPT_ADMIN)
    user = StaffFactory()
    services.grant_role(user, department=DepartmentFactory(), role=Role.CLERK, by=dept_admin)
    assert services.roles_of(user) == {"clerk"}


def test_a_superuser_flag_does_not_let_anyone_grant_roles():
    boss = staff_with_role(Role.CLERK, user__is_superuser=True)
    with pytest.raises(PermissionDenied):
        services.grant_role(
            StaffFactory(), department=DepartmentFactory(), role=Role.CLERK, by=boss
        )


def test_a_clerk_cannot_grant_anything():
    clerk = staff_with_role(Role.CLERK)
    with pytest.raises(PermissionDenied):
        services.grant_role(
            StaffFactory(), department=DepartmentFactory(), role=Role.CLERK, by=clerk
        )


def test_the_same_user_object_sees_its_new_role_at_once():
    user, department = StaffFactory(), DepartmentFactory()
    assert not user.has_perm("org.view_department")

    services.grant_role(user, department=department, role=Role.CLERK)

    assert user.has_perm("org.view_department")


def test_anonymous_visitors_have_no_role():
    from django.contrib.auth.models import AnonymousUser

    assert services.roles_of(AnonymousUser()) == set()


def test_grant_role_command_bootstraps_an_administrator():
    user = User.objects.create_superuser("admin", password="x")
    DepartmentFactory(code="approval")

    call_command("grant_role", "admin", "approval", "system_admin", stdout=io.StringIO())

    user.refresh_from_db()
    assert (user.kind, user.is_staff, user.is_superuser) == (User.Kind.STAFF, True, False)
    assert services.roles_of(user) == {"system_admin"}
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert actions == {"identity.user.make_staff", "org.role.grant"}


def test_grant_role_command_names_a_missing_department():
    StaffFactory(username="li")
    with pytest.raises(CommandError, match="部门不存在"):
        call_command("grant_role", "li", "nowhere", "clerk")
