import pytest

from tongban.gateway.middleware import CALL_LOG_QUERIES
from tongban.org.models import ServiceCenter, Window
from tongban.org.tests.factories import (
    CountyCenterFactory,
    DepartmentFactory,
    TownCenterFactory,
    VillageCenterFactory,
    WindowFactory,
)
from tongban.pagination import encode_cursor

pytestmark = pytest.mark.django_db
API = "/api/v1/org"


def walk(client, url: str, **params) -> list[dict]:
    """Every item of a list, page after page."""
    items, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = client.get(url, query).json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_departments_come_twenty_to_a_page_with_a_cursor(client):
    DepartmentFactory.create_batch(25)
    body = client.get(f"{API}/departments").json()
    assert len(body["items"]) == 20
    assert body["next_cursor"]

    rest = client.get(f"{API}/departments", {"cursor": body["next_cursor"]}).json()
    assert len(rest["items"]) == 5
    assert rest["next_cursor"] is None


def test_walking_the_pages_serves_every_department_once_in_order(client):
    made = DepartmentFactory.create_batch(13, sort_order=5) + DepartmentFactory.create_batch(4)
    items = walk(client, f"{API}/departments", limit=3)
    expected = sorted(made, key=lambda d: (d.sort_order, d.pk))
    assert [item["code"] for item in items] == [d.code for d in expected]


def test_a_department_shows_its_public_fields(client):
    department = DepartmentFactory(code="hrss", short_name="人社局")
    item = client.get(f"{API}/departments").json()["items"][0]
    assert item == {
        "id": department.pk,
        "code": "hrss",
        "name": department.name,
        "short_name": "人社局",
        "uscc": department.uscc,
        "parent_id": None,
    }


def test_inactive_departments_are_not_listed(client):
    DepartmentFactory(is_active=False)
    assert client.get(f"{API}/departments").json()["items"] == []


@pytest.mark.parametrize("limit", [0, 101])
def test_a_limit_out_of_range_is_a_field_error(client, limit):
    response = client.get(f"{API}/departments", {"limit": limit})
    assert response.status_code == 422
    assert "limit" in response.json()["fields"]


def test_a_limit_of_one_hundred_is_allowed(client):
    DepartmentFactory.create_batch(101)
    body = client.get(f"{API}/departments", {"limit": 100}).json()
    assert len(body["items"]) == 100


@pytest.mark.parametrize("cursor", ["not-a-cursor", encode_cursor(["x"]), encode_cursor([1])])
def test_a_broken_cursor_is_a_field_error(client, cursor):
    response = client.get(f"{API}/departments", {"cursor": cursor})
    assert response.status_code == 422
    assert "游标无效" in response.json()["fields"]["cursor"][0]


def test_a_cursor_of_the_wrong_type_is_a_field_error(client):
    response = client.get(f"{API}/departments", {"cursor": encode_cursor(["x", "y"])})
    assert response.status_code == 422


def test_centers_filter_by_level_and_parent(client):
    town = TownCenterFactory()
    villages = VillageCenterFactory.create_batch(3, parent=town)
    VillageCenterFactory()  # under another town

    towns = walk(client, f"{API}/centers", level="town")
    below = walk(client, f"{API}/centers", parent=town.pk)

    assert {item["level"] for item in towns} == {"town"}
    assert {item["id"] for item in below} == {v.pk for v in villages}


def test_a_center_shows_both_codes_and_its_level_in_chinese(client):
    town = TownCenterFactory(statistical_code="610124101", provincial_code="610124002000")
    item = walk(client, f"{API}/centers", level="town")[0]
    assert item["id"] == town.pk
    assert (item["statistical_code"], item["provincial_code"]) == ("610124101", "610124002000")
    assert item["level_label"] == "镇(街道)便民服务中心"


def test_an_unknown_level_is_a_field_error(client):
    response = client.get(f"{API}/centers", {"level": "province"})
    assert response.status_code == 422


def test_the_center_list_costs_one_query_per_page(client, django_assert_max_num_queries):
    county = CountyCenterFactory()
    TownCenterFactory.create_batch(30, parent=county)
    with django_assert_max_num_queries(1 + CALL_LOG_QUERIES):
        assert client.get(f"{API}/centers").status_code == 200


def test_windows_of_a_center_name_their_department(client, django_assert_max_num_queries):
    center = CountyCenterFactory()
    for n in range(25):
        WindowFactory(
            center=center,
            number=f"B{n:02d}",
            window_type=Window.Type.CONSULTATION,
            department=DepartmentFactory(),
        )
    WindowFactory(center=center, number="A01")
    WindowFactory(center=center, number="Z99", is_active=False)

    with django_assert_max_num_queries(2 + CALL_LOG_QUERIES):
        body = client.get(f"{API}/centers/{center.pk}/windows").json()

    first = body["items"][0]
    assert (first["number"], first["window_type"], first["department"]) == (
        "A01",
        "comprehensive",
        None,
    )
    assert body["items"][1]["department"]["short_name"]
    assert body["items"][1]["window_type_label"] == "综合咨询"
    numbers = [item["number"] for item in walk(client, f"{API}/centers/{center.pk}/windows")]
    assert len(numbers) == 26
    assert "Z99" not in numbers


def test_windows_of_a_missing_center_are_not_found(client):
    response = client.get(f"{API}/centers/999999/windows")
    assert response.status_code == 404
    assert response.json()["message"] == "服务中心不存在"


def test_the_api_is_read_only(client):
    response = client.post(f"{API}/departments", {}, content_type="application/json")
    assert response.status_code == 405
    assert ServiceCenter.objects.count() == 0
