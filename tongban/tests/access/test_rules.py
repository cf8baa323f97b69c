"""The rules behind the harness: department scope for staff, own records for people and
enterprises, departments for gateway clients, and no personal data for the system admin."""

import datetime

import pytest
from django.urls import reverse

from tongban.core import clock
from tongban.gateway.tests.factories import api_client
from tongban.identity import access
from tongban.identity.models import Agent, EnterpriseAccount
from tongban.identity.tests.helpers import verified_login
from tongban.org.models import StaffMembership, Window
from tongban.org.tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
    WindowFactory,
    staff_with_role,
)
from tongban.registry.tests.factories import LegalEntityFactory, PersonFactory

pytestmark = pytest.mark.django_db
Role = StaffMembership.Role


@pytest.fixture
def two_departments():
    return DepartmentFactory(code="mine"), DepartmentFactory(code="theirs")


@pytest.fixture
def dept_admin(two_departments):
    return staff_with_role(Role.DEPT_ADMIN, department=two_departments[0])


def _window(department) -> Window:
    return WindowFactory(department=department, window_type=Window.Type.CONSULTATION)


def test_a_department_admin_changes_windows_of_their_own_department_only(
    dept_admin, two_departments
):
    mine, theirs = (_window(department) for department in two_departments)
    assert access.can(dept_admin, "org.change_window", mine)
    assert not access.can(dept_admin, "org.change_window", theirs)
    assert list(access.scope(dept_admin, "org.change_window", Window.objects.all())) == [mine]


def test_a_system_admin_reaches_every_department(two_departments):
    admin = staff_with_role(Role.SYSTEM_ADMIN, department=two_departments[0])
    theirs = _window(two_departments[1])
    assert access.reach(admin, "org.change_window", scoped={Role.DEPT_ADMIN}) is access.ALL
    assert access.can(admin, "org.change_window", theirs)


def test_a_comprehensive_window_is_the_system_admins_to_change(dept_admin):
    window = WindowFactory()  # comprehensive: serves every department, belongs to none
    assert not access.can(dept_admin, "org.change_window", window)


def test_a_clerk_reads_the_organization_but_changes_nothing(two_departments):
    clerk = staff_with_role(Role.CLERK, department=two_departments[0])
    window = _window(two_departments[0])
    assert access.can(clerk, "org.view_window", window)
    assert not access.can(clerk, "org.change_window", window)


def test_the_admin_lists_only_the_department_admins_own_windows(
    client, dept_admin, two_departments
):
    mine, theirs = (_window(department) for department in two_departments)
    verified_login(client, dept_admin)
    page = client.get(reverse("admin:org_window_changelist"))
    assert [row.pk for row in page.context["cl"].result_list] == [mine.pk]
    other = client.get(reverse("admin:org_window_change", args=[theirs.pk]))
    assert other.status_code == 302 and other["Location"] == reverse("admin:index")


def test_a_department_admin_cannot_add_a_window_to_another_department(
    client, dept_admin, two_departments
):
    mine, theirs = two_departments
    center = WindowFactory().center
    verified_login(client, dept_admin)
    form = {"center": center.pk, "number": "B07", "name": "社保窗口", "is_active": "on"}
    form["window_type"] = Window.Type.CONSULTATION
    refused = client.post(reverse("admin:org_window_add"), {**form, "department": theirs.pk})
    assert refused.status_code == 200 and "department" in refused.context["adminform"].form.errors
    assert not Window.objects.filter(number="B07").exists()
    client.post(reverse("admin:org_window_add"), {**form, "department": mine.pk})
    assert Window.objects.get(number="B07").department == mine


def test_a_department_admin_sees_and_grants_memberships_of_their_department_only(
    client, dept_admin, two_departments
):
    mine, theirs = two_departments
    theirs_clerk = MembershipFactory(department=theirs)
    verified_login(client, dept_admin)
    listed = client.get(reverse("admin:org_staffmembership_changelist")).context["cl"]
    assert theirs_clerk not in listed.result_list
    assert not access.can(dept_admin, "org.change_staffmembership", theirs_clerk)
    newcomer = MembershipFactory(department=mine, role=Role.APPROVER).user
    form = {"user": newcomer.pk, "department": theirs.pk, "role": Role.CLERK, "is_active": "on"}
    client.post(reverse("admin:org_staffmembership_add"), form)
    assert not StaffMembership.objects.filter(user=newcomer, department=theirs).exists()


def test_a_department_admin_sees_staff_accounts_not_people(client, dept_admin):
    person = UserFactory()
    verified_login(client, dept_admin)
    listed = client.get(reverse("admin:identity_user_changelist")).context["cl"].result_list
    assert dept_admin in listed and person not in listed


def test_a_gateway_client_reads_the_staff_of_its_departments(two_departments):
    mine, theirs = two_departments
    ours, other = MembershipFactory(department=mine), MembershipFactory(department=theirs)
    client = api_client(department_codes=["mine"])
    rows = access.scope(client, "org.read_staff", StaffMembership.objects.all())
    assert ours in rows and other not in rows
    assert access.can(client, "org.read_staff", mine)
    assert not access.can(client, "org.read_staff", theirs)


def test_the_system_admin_reads_no_personal_data(two_departments):
    person = PersonFactory()
    admin = staff_with_role(Role.SYSTEM_ADMIN, department=two_departments[0])
    clerk = staff_with_role(Role.CLERK, department=two_departments[0])
    supervisor = staff_with_role(Role.SUPERVISOR, department=two_departments[0])
    assert not access.can(admin, "registry.view", person)
    assert access.can(clerk, "registry.reveal", person)
    assert access.can(supervisor, "registry.view", person)
    assert not access.can(supervisor, "registry.reveal", person)


@pytest.fixture
def enterprise():
    return EnterpriseAccount.objects.create(
        legal_entity=LegalEntityFactory(), legal_rep=UserFactory()
    )


def _agent(enterprise, scopes, *, days=30) -> Agent:
    return Agent.objects.create(
        enterprise=enterprise,
        user=UserFactory(),
        scopes=scopes,
        expires_on=clock.today() + datetime.timedelta(days=days),
        granted_by=enterprise.legal_rep,
    )


def test_own_record_is_the_persons_or_the_enterprises_they_act_for_with_the_scope(enterprise):
    viewer = _agent(enterprise, [Agent.Scope.VIEW])
    payer = _agent(enterprise, [Agent.Scope.PAY])
    record = viewer  # any row with a person and an enterprise: an authorization will do

    def owns(user, scope):
        return access.owns(user, record, person="user", enterprise="enterprise", scope=scope)

    assert owns(viewer.user, "pay")  # their own row, whatever the scope
    assert owns(enterprise.legal_rep, "pay")  # the legal representative holds every scope
    assert owns(payer.user, "pay")
    assert not owns(payer.user, "view")
    assert not owns(UserFactory(), None)


def test_an_expired_authorization_owns_nothing(enterprise):
    stale = _agent(enterprise, [Agent.Scope.VIEW], days=-1)
    fresh = _agent(enterprise, [Agent.Scope.VIEW])
    assert access.enterprises_with(stale.user, "view") == frozenset()
    rows = access.own_rows(
        stale.user, Agent.objects.all(), person="user", enterprise="enterprise", scope="view"
    )
    assert list(rows) == [stale]
    assert fresh in access.own_rows(enterprise.legal_rep, Agent.objects.all(), person="granted_by")


def test_an_action_without_a_rule_is_denied(dept_admin):
    assert not access.can(dept_admin, "nobody.wrote_this_rule")
    assert not access.scope(dept_admin, "nobody.wrote_this_rule", Window.objects.all()).exists()


def test_every_app_with_rules_has_them_loaded():
    loaded = set(access.actions())
    for action in ("org.change_window", "catalog.publish", "notify.resend", "audit.view"):
        assert action in loaded
    assert {"gateway.manage_clients", "registry.reveal", "org.read_staff"} <= loaded


def test_an_inactive_account_may_do_nothing(two_departments):
    admin = staff_with_role(Role.SYSTEM_ADMIN, department=two_departments[0])
    admin.is_active = False
    assert not access.can(admin, "org.change_window")


def test_a_clerk_is_placed_at_the_center_of_their_window(two_departments):
    window = _window(two_departments[0])
    clerk = MembershipFactory(
        department=two_departments[0], center=window.center, window=window
    ).user
    assert access.centers(clerk, Role.CLERK) == {window.center_id}
    assert access.centers(clerk, Role.APPROVER) == frozenset()
    assert access.departments(clerk) == {two_departments[0].pk}
