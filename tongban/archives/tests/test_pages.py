"""The archives pages and API: who finds which package, search, downloads, export page."""

import datetime
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from tongban.archives import services
from tongban.archives.tests.factories import MATERIAL_BODY, concluded_case
from tongban.audit.models import AuditRecord
from tongban.core import clock
from tongban.identity.tests.helpers import verified_login
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role

pytestmark = pytest.mark.django_db
Role = StaffMembership.Role


@pytest.fixture
def package(case):
    return services.build_package(case)


def signed_in(role: str, department=None) -> Client:
    client = Client()
    kwargs = {"department": department} if department else {}
    verified_login(client, staff_with_role(role, **kwargs))
    return client


def detail_url(package) -> str:
    return reverse("archives:detail", args=[package.number])


def test_the_departments_clerk_finds_and_opens_the_package(package):
    client = signed_in(Role.CLERK, package.case.department)
    listing = client.get(reverse("archives:search"), {"case_number": package.case.number})
    assert listing.status_code == 200
    assert package.number in listing.content.decode()
    page = client.get(detail_url(package))
    assert page.status_code == 200
    text = page.content.decode()
    assert package.sha256 in text and "result/result.pdf" in text


def test_staff_of_another_department_neither_find_nor_open_it(package):
    client = signed_in(Role.APPROVER, DepartmentFactory())
    listing = client.get(reverse("archives:search"))
    assert package.number not in listing.content.decode()
    assert client.get(detail_url(package)).status_code == 404
    assert client.get(reverse("archives:package", args=[package.number])).status_code == 404


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.SYSTEM_ADMIN])
def test_supervisors_and_system_administrators_open_every_package(package, role):
    assert signed_in(role, DepartmentFactory()).get(detail_url(package)).status_code == 200


def test_roles_without_archives_are_refused_and_people_sent_to_sign_in(package):
    assert signed_in(Role.CATALOG_ADMIN).get(reverse("archives:search")).status_code == 403
    response = Client().get(reverse("archives:search"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_search_by_archive_number_item_and_dates(package):
    other = services.build_package(concluded_case())
    client = signed_in(Role.SUPERVISOR)
    url = reverse("archives:search")

    def found(**params) -> set[str]:
        text = client.get(url, params).content.decode()
        return {number for number in (package.number, other.number) if number in text}

    today = clock.today()
    assert found(archive_number=package.number) == {package.number}
    assert found(item=package.case.item.implementation_code) == {package.number}
    assert found(since=today.isoformat(), until=today.isoformat()) == {
        package.number,
        other.number,
    }
    assert found(since=(today + datetime.timedelta(days=1)).isoformat()) == set()


def test_search_pages_by_cursor(package):
    other = services.build_package(concluded_case())
    first, cursor = services.search(
        staff_with_role(Role.SUPERVISOR, department=DepartmentFactory()), limit=1
    )
    assert [p.pk for p in first] == [other.pk] and cursor
    user = staff_with_role(Role.SYSTEM_ADMIN)
    second, last = services.search(user, limit=1, cursor=cursor)
    assert [p.pk for p in second] == [package.pk] and last is None


def test_a_file_and_the_whole_package_download_and_are_audited(package):
    client = signed_in(Role.CLERK, package.case.department)
    material = next(e["path"] for e in package.manifest["files"] if e["path"].startswith("mat"))
    response = client.get(reverse("archives:file", args=[package.number]), {"path": material})
    assert response.status_code == 200 and response.content == MATERIAL_BODY
    whole = client.get(reverse("archives:package", args=[package.number]))
    assert zipfile.ZipFile(io.BytesIO(whole.content)).read(material) == MATERIAL_BODY
    notes = set(
        AuditRecord.objects.filter(action="archives.package.download").values_list(
            "note", flat=True
        )
    )
    assert notes == {material, "package"}


def test_a_path_not_in_the_manifest_is_not_served(package):
    client = signed_in(Role.CLERK, package.case.department)
    url = reverse("archives:file", args=[package.number])
    assert client.get(url, {"path": "../../etc/passwd"}).status_code == 404


def test_the_export_page_is_for_system_administrators(package):
    assert signed_in(Role.SUPERVISOR).get(reverse("archives:export")).status_code == 403
    client = signed_in(Role.SYSTEM_ADMIN)
    today = clock.today().isoformat()
    response = client.post(reverse("archives:export"), {"since": today})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert f"packages/{package.number}.zip" in archive.namelist()
    assert client.post(reverse("archives:export"), {"since": "yesterday"}).status_code == 400


def test_the_api_lists_and_shows_a_package_within_reach(package):
    client = signed_in(Role.CLERK, package.case.department)
    listing = client.get("/api/v1/archives", {"case_number": package.case.number})
    assert listing.status_code == 200
    assert [r["number"] for r in listing.json()["results"]] == [package.number]
    shown = client.get(f"/api/v1/archives/{package.number}").json()
    assert shown["sm3"] == package.sm3
    assert {f["path"] for f in shown["files"]} >= {"case.json", "result/result.pdf"}
    outsider = signed_in(Role.CLERK, DepartmentFactory())
    assert outsider.get(f"/api/v1/archives/{package.number}").status_code == 404
    assert outsider.get("/api/v1/archives").json()["results"] == []


def test_the_api_refuses_people_and_roles_without_archives(package):
    assert signed_in(Role.DATA_OFFICER).get("/api/v1/archives").status_code == 403
    assert Client().get("/api/v1/archives").status_code == 401
