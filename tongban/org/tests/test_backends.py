import datetime

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.contrib.auth.models import Permission

from tongban.org import roles
from tongban.org.backends import RoleBackend
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import PASSWORD, MembershipFactory, StaffFactory, staff_with_role

pytestmark = pytest.mark.django_db
Role = StaffMembership.Role
backend = RoleBackend()


def test_a_superuser_without_a_role_gets_nothing():
    boss = StaffFactory(is_superuser=True)
    assert backend.get_all_permissions(boss) == set()
    assert not backend.has_perm(boss, "org.view_department")
    assert not backend.has_module_perms(boss, "org")


def test_permissions_given_to_the_account_directly_are_ignored():
    user = StaffFactory()
    user.user_permissions.add(Permission.objects.get(codename="add_department"))
    assert not backend.has_perm(user, "org.add_department")


def test_a_clerk_views_the_organization_and_takes_in_cases():
    clerk = staff_with_role(Role.CLERK)
    assert backend.get_all_permissions(clerk) == set(
        roles.VIEW_ORG
        | roles.VIEW_CATALOG
        | roles.VIEW_REGISTRY
        | roles.CASES_CLERK
        | roles.PAYMENTS_STAFF
        | roles.LOGISTICS_CLERK
        | roles.REVIEWS_STAFF
    )


def test_a_system_admin_manages_org_and_accounts_and_reads_the_audit_log():
    admin = staff_with_role(Role.SYSTEM_ADMIN)
    for perm in (
        "org.add_department",
        "org.delete_window",
        "identity.change_user",
        "audit.view_auditrecord",
    ):
        assert backend.has_perm(admin, perm), perm


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", ["add", "change", "delete"])
def test_no_role_can_write_audit_records(role, action):
    assert f"audit.{action}_auditrecord" not in roles.permissions_for(role)


def test_a_department_admin_manages_windows_and_memberships_but_not_departments():
    admin = staff_with_role(Role.DEPT_ADMIN)
    assert backend.has_perm(admin, "org.add_window")
    assert backend.has_perm(admin, "org.change_staffmembership")
    assert backend.has_perm(admin, "org.view_department")
    assert not backend.has_perm(admin, "org.add_department")
    assert not backend.has_perm(admin, "audit.view_auditrecord")


def test_a_supervisor_reads_the_audit_log():
    supervisor = staff_with_role(Role.SUPERVISOR)
    assert backend.has_module_perms(supervisor, "audit")
    assert not backend.has_perm(supervisor, "org.change_department")


def test_module_permissions_follow_roles():
    clerk = staff_with_role(Role.CLERK)
    assert backend.has_module_perms(clerk, "org")
    assert not backend.has_module_perms(clerk, "audit")


def test_roles_of_several_memberships_add_up():
    clerk = staff_with_role(Role.CLERK)
    MembershipFactory(user=clerk, role=Role.SUPERVISOR)
    assert backend.has_perm(clerk, "audit.view_auditrecord")


def test_a_revoked_membership_gives_nothing():
    user = MembershipFactory(is_active=False).user
    assert backend.get_all_permissions(user) == set()


def test_an_inactive_account_gets_nothing():
    user = staff_with_role(Role.SYSTEM_ADMIN)
    user.is_active = False
    assert not backend.has_perm(user, "org.view_department")


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False)
def test_an_expired_membership_gives_nothing():
    user = MembershipFactory(valid_to=datetime.date(2026, 3, 1)).user
    assert not backend.has_perm(user, "org.view_department")


def test_object_permissions_are_not_granted_by_roles():
    admin = staff_with_role(Role.SYSTEM_ADMIN)
    assert not backend.has_perm(admin, "org.view_department", obj=object())


def test_permissions_are_read_once_per_user_object(django_assert_num_queries):
    clerk = staff_with_role(Role.CLERK)
    with django_assert_num_queries(1):
        backend.has_perm(clerk, "org.view_window")
        backend.has_perm(clerk, "org.view_department")
        backend.has_module_perms(clerk, "org")


def test_authentication_works_as_with_model_backend():
    user = StaffFactory(username="li")
    assert authenticate(username="li", password=PASSWORD) == user
    assert authenticate(username="li", password="wrong") is None


def test_an_inactive_account_cannot_sign_in():
    StaffFactory(username="li", is_active=False)
    assert authenticate(username="li", password=PASSWORD) is None
