"""The supervisor's page (/workbench/supervision/) and the result document download."""

import datetime

import pytest
import time_machine

from tongban.cases import results, services, supervision
from tongban.cases.tests.factories import (
    applicant_person,
    approver_of,
    clerk_of,
    file_case,
    form_item,
)
from tongban.identity.tests.helpers import verified_login
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role

Role = StaffMembership.Role
ZHOUZHI = datetime.timezone(datetime.timedelta(hours=8))
pytestmark = pytest.mark.django_db


def at(day: int, month: int = 10):
    return time_machine.travel(datetime.datetime(2026, month, day, 10, tzinfo=ZHOUZHI), tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def item():
    return form_item()


@pytest.fixture
def red_case(item):
    with at(30, 9):
        case = services.accept(file_case(item, applicant_person()), by=clerk_of(item))
    with at(27):
        supervision.sweep()
    return case


def test_the_supervisor_sees_counts_and_the_red_cases(client, item, red_case):
    verified_login(client, staff_with_role(Role.SUPERVISOR, department=DepartmentFactory()))
    with at(27):
        response = client.get("/workbench/supervision/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "效能监察" in html and red_case.number in html and "红牌超期" in html
    [row] = response.context["figures"]
    assert (row.name, row.running, row.red) == (item.department.name, 1, 1)
    assert response.context["rows"] == [(red_case, 5)]


def test_the_list_filters_by_department_and_pages(client, item, red_case):
    verified_login(client, staff_with_role(Role.SUPERVISOR, department=DepartmentFactory()))
    response = client.get("/workbench/supervision/", {"department": 999999})
    assert response.context["rows"] == []
    response = client.get("/workbench/supervision/", {"department": item.department_id, "page": 9})
    assert [case for case, _ in response.context["rows"]] == [red_case]


def test_others_are_refused_and_staff_without_totp_sent_to_sign_in(client, item):
    verified_login(client, approver_of(item))
    assert client.get("/workbench/supervision/").status_code == 403
    client.logout()
    client.force_login(staff_with_role(Role.SUPERVISOR, department=DepartmentFactory()))
    response = client.get("/workbench/supervision/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_applicant_and_the_department_download_the_result(client, item):
    with at(30, 9):
        case = services.accept(file_case(item, applicant_person()), by=clerk_of(item))
        approver = approver_of(item)
        case = services.approve(case, by=approver)
        results.conclude_with_result(case, by=approver, result_type="approval", delivery="post")
    url = f"/cases/{case.number}/result.pdf"
    client.force_login(case.applicant)
    assert url in client.get(f"/my/cases/{case.number}/").content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(applicant_person())
    assert client.get(url).status_code == 404
    verified_login(client, approver)
    assert client.get(url).status_code == 200
