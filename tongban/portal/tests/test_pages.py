import pytest

from tongban.org.tests.factories import (
    CountyCenterFactory,
    DepartmentFactory,
    TownCenterFactory,
    VillageCenterFactory,
    WindowFactory,
)

pytestmark = pytest.mark.django_db


def test_home_page_is_in_chinese_and_counts_the_live_network(client, django_assert_max_num_queries):
    county = CountyCenterFactory()
    town = TownCenterFactory(parent=county, division_name="哑柏镇")
    VillageCenterFactory(parent=town)
    VillageCenterFactory(parent=town)
    DepartmentFactory(short_name="行政审批局")
    WindowFactory(center=county)

    with django_assert_max_num_queries(6):
        response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert "周至县政务服务网" in html
    assert "哑柏镇" in html and "行政审批局" in html
    network = response.context["network"]
    assert (network["county_centers"], network["town_centers"], network["village_stations"]) == (
        1,
        1,
        2,
    )


def test_home_page_says_so_when_no_center_is_recorded(client):
    response = client.get("/")

    assert "尚未录入服务中心" in response.content.decode()
