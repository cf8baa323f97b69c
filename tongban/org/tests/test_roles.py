from tongban.org import roles
from tongban.org.models import StaffMembership

Role = StaffMembership.Role


def test_the_system_admin_may_grant_every_role_without_holding_its_permissions():
    assert all(roles.can_grant({Role.SYSTEM_ADMIN}, role) for role in Role.values)
    assert "catalog.change_guide" not in roles.permissions_for(Role.SYSTEM_ADMIN)


def test_a_department_admin_may_grant_only_department_roles():
    grantable = {role for role in Role.values if roles.can_grant({Role.DEPT_ADMIN}, role)}

    assert grantable == {Role.CLERK, Role.APPROVER, Role.DEPT_ADMIN}


def test_business_roles_grant_nothing():
    for role in (Role.CLERK, Role.APPROVER, Role.CATALOG_ADMIN, Role.SUPERVISOR):
        assert not any(roles.can_grant({role}, other) for other in Role.values)
