import pytest
from django.urls import reverse

from tongban.audit.models import AuditRecord
from tongban.identity.tests.helpers import verified_login
from tongban.org.models import Department, StaffMembership
from tongban.org.tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    StaffFactory,
    UserFactory,
    WindowFactory,
    staff_with_role,
)
from tongban.org.validators import make_uscc

pytestmark = pytest.mark.django_db
Role = StaffMembership.Role
LOGIN = reverse("admin:login")


def signed_in(client, user):
    verified_login(client, user)
    return client


def department_form(**overrides) -> dict:
    return {
        "name": "周至县统计局",
        "short_name": "统计局",
        "uscc": make_uscc("1", "1", "610124", "TB009901"),
        "code": "statistics",
        "parent": "",
        "is_active": "on",
        "sort_order": "300",
        **overrides,
    }


@pytest.mark.parametrize("url", ["/admin/", "/admin/org/department/"])
def test_a_staff_account_without_a_role_is_sent_to_sign_in(client, url):
    response = signed_in(client, StaffFactory()).get(url)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_a_superuser_flag_without_a_role_opens_nothing(client):
    response = signed_in(client, StaffFactory(is_superuser=True)).get("/admin/org/department/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_a_role_without_the_staff_flag_opens_nothing(client):
    clerk = staff_with_role(Role.CLERK, user__is_staff=False)
    response = signed_in(client, clerk).get("/admin/")
    assert response.status_code == 302


def test_the_admin_is_in_chinese(client):
    response = signed_in(client, staff_with_role(Role.SYSTEM_ADMIN)).get("/admin/")
    assert "组织机构" in response.text
    assert "服务中心" in response.text


@pytest.mark.parametrize("model", ["department", "servicecenter", "window", "staffmembership"])
def test_a_system_admin_opens_every_org_page(client, model):
    membership = MembershipFactory(window=WindowFactory())
    row = {
        "department": membership.department,
        "servicecenter": membership.window.center,
        "window": membership.window,
        "staffmembership": membership,
    }[model]
    signed_in(client, staff_with_role(Role.SYSTEM_ADMIN))
    for page in ("", "add/", f"{row.pk}/change/"):
        response = client.get(f"/admin/org/{model}/{page}")
        assert response.status_code == 200, page


def test_a_system_admin_opens_an_account_with_its_roles(client):
    clerk = staff_with_role(Role.CLERK)
    signed_in(client, staff_with_role(Role.SYSTEM_ADMIN))
    response = client.get(f"/admin/identity/user/{clerk.pk}/change/")
    assert response.status_code == 200
    assert "窗口人员" in response.text
    assert client.get("/admin/identity/user/add/").status_code == 200


def test_a_clerk_sees_departments_but_cannot_add_or_change_them(client):
    department = DepartmentFactory()
    signed_in(client, staff_with_role(Role.CLERK))

    assert client.get("/admin/org/department/").status_code == 200
    assert client.get("/admin/org/department/add/").status_code == 403
    change_url = f"/admin/org/department/{department.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert client.post(change_url, department_form()).status_code == 403


def test_a_clerk_does_not_see_accounts_or_the_audit_log(client):
    signed_in(client, staff_with_role(Role.CLERK))
    assert client.get("/admin/identity/user/").status_code == 403
    assert client.get("/admin/audit/auditrecord/").status_code == 403


def test_a_system_admin_adds_a_department_and_it_is_audited(client):
    admin = staff_with_role(Role.SYSTEM_ADMIN)
    response = signed_in(client, admin).post("/admin/org/department/add/", department_form())

    assert response.status_code == 302
    department = Department.objects.get(code="statistics")
    record = AuditRecord.objects.get(action="org.department.create")
    assert record.actor == admin
    assert record.object_id == str(department.pk)
    assert record.changes["name"] == [None, "周至县统计局"]


def test_a_wrong_uscc_is_explained_on_the_form(client):
    signed_in(client, staff_with_role(Role.SYSTEM_ADMIN))
    response = client.post("/admin/org/department/add/", department_form(uscc="91350100M000100Y44"))
    assert response.status_code == 200
    assert "校验位错误" in response.text
    assert not Department.objects.filter(code="statistics").exists()


def test_a_department_admin_is_offered_only_the_roles_it_may_grant(client):
    signed_in(client, staff_with_role(Role.DEPT_ADMIN))
    form = client.get("/admin/org/staffmembership/add/").context["adminform"].form
    offered = {value for value, _label in form.fields["role"].choices if value}
    assert offered == {"clerk", "approver", "dept_admin"}


def test_the_membership_list_does_not_query_per_row(client, django_assert_max_num_queries):
    signed_in(client, staff_with_role(Role.SYSTEM_ADMIN))
    MembershipFactory.create_batch(30)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/org/staffmembership/").status_code == 200


def account_form(account, **rows) -> dict:
    """The account page's POST: the account's own fields plus the roles inline."""
    return {
        "username": account.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "kind": "staff",
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-03-02",
        "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        **{f"memberships-0-{name}": value for name, value in rows.items()},
    }


def test_a_role_added_on_the_account_page_is_audited(client):
    admin = staff_with_role(Role.SYSTEM_ADMIN)
    user, department = StaffFactory(), DepartmentFactory()
    form = account_form(user, department=str(department.pk), role="approver", is_active="on")
    response = signed_in(client, admin).post(f"/admin/identity/user/{user.pk}/change/", form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    membership = StaffMembership.objects.get(user=user)
    record = AuditRecord.objects.get(action="org.staffmembership.create")
    assert (record.actor, record.object_id) == (admin, str(membership.pk))
    assert record.changes["role"] == [None, "approver"]


def test_a_role_removed_on_the_account_page_is_audited(client):
    membership = MembershipFactory(role=Role.APPROVER)
    form = account_form(
        membership.user,
        id=str(membership.pk),
        user=str(membership.user.pk),
        department=str(membership.department.pk),
        role="approver",
        is_active="on",
        DELETE="on",
    )
    form["memberships-INITIAL_FORMS"] = "1"
    signed_in(client, staff_with_role(Role.SYSTEM_ADMIN))
    response = client.post(f"/admin/identity/user/{membership.user.pk}/change/", form)

    assert response.status_code == 302
    assert not StaffMembership.objects.filter(pk=membership.pk).exists()
    record = AuditRecord.objects.get(action="org.staffmembership.delete")
    assert record.object_id == str(membership.pk)
    assert record.changes["role"] == ["approver", None]


def test_a_password_change_is_audited_without_the_hash(client):
    admin = staff_with_role(Role.SYSTEM_ADMIN)
    user = StaffFactory()
    response = signed_in(client, admin).post(
        f"/admin/identity/user/{user.pk}/password/",
        {"password1": "Zhouzhi@2026-new", "password2": "Zhouzhi@2026-new"},
    )

    assert response.status_code == 302
    record = AuditRecord.objects.get(action="identity.user.set_password")
    assert record.object_id == str(user.pk)
    assert record.changes == {"password": ["***", "***"]}


def test_choosing_an_account_for_a_role_offers_staff_only(client):
    StaffFactory(username="staff-wang")
    UserFactory(username="citizen-wang")
    signed_in(client, staff_with_role(Role.SYSTEM_ADMIN))
    response = client.get(
        "/admin/autocomplete/",
        {"term": "wang", "app_label": "org", "model_name": "staffmembership", "field_name": "user"},
    )
    names = {item["text"] for item in response.json()["results"]}
    assert names == {"staff-wang"}


def test_the_admin_index_lists_the_desks_a_role_may_open(client):
    clerk = staff_with_role(Role.CLERK)
    html = signed_in(client, clerk).get("/admin/").content.decode()
    assert reverse("portal:workbench") in html and reverse("logistics:desk") in html
    assert reverse("payments:finance_desk") not in html
    assert reverse("metrics:dashboard") not in html
    client.logout()
    supervisor = staff_with_role(Role.SUPERVISOR)
    html = signed_in(client, supervisor).get("/admin/").content.decode()
    assert reverse("metrics:dashboard") in html and reverse("metrics:ledger") in html
