import pytest
from django.core.cache import cache

from tongban.org.tests.factories import (
    CountyCenterFactory,
    DepartmentFactory,
    TownCenterFactory,
    VillageCenterFactory,
    WindowFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_home_page_is_in_chinese_and_counts_the_live_network(client, django_assert_max_num_queries):
    county = CountyCenterFactory()
    town = TownCenterFactory(parent=county, division_name="哑柏镇")
    VillageCenterFactory(parent=town)
    VillageCenterFactory(parent=town)
    DepartmentFactory(short_name="行政审批局")
    WindowFactory(center=county)

    # network (5), hot items (1 without cases), life events, departments
    with django_assert_max_num_queries(8):
        response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert "周至县政务服务网" in html
    assert "哑柏镇" in html
    network = response.context["network"]
    assert (network["county_centers"], network["town_centers"], network["village_stations"]) == (
        1,
        1,
        2,
    )
    assert network["department_names"] == ["行政审批局"]


def test_home_page_says_so_when_no_center_is_recorded(client):
    response = client.get("/")

    assert "尚未录入服务中心" in response.content.decode()


def test_home_page_puts_search_first_and_browses_by_event_audience_and_department(client):
    html = client.get("/").content.decode()

    search = html.index('id="home-q"')
    for heading in ("一件事一次办", "按服务对象", "按部门办事"):
        assert search < html.index(f">{heading}</h2>")
    assert 'href="/items/?by=person"' in html and 'href="/items/?by=enterprise"' in html
    # The home page's own search replaces the header's.
    assert 'id="header-q"' not in html


def test_every_page_has_the_elderly_switch_and_the_hotline(client, settings):
    settings.TONGBAN_HOTLINE = "029-87654321"
    for url in ("/", "/items/", "/search?q=test"):
        html = client.get(url).content.decode()
        assert 'action="/mode/elder/"' in html and "长辈版" in html, url
        assert 'href="tel:029-87654321"' in html, url


def test_step_indicator_marks_done_current_and_later_steps():
    from django.template.loader import render_to_string

    html = render_to_string(
        "portal/_steps.html", {"steps": ["填写申请表", "上传材料", "确认提交"], "current": 1}
    )

    assert '<ol class="steps steps-indicator">' in html
    assert html.count('aria-current="step"') == 1
    assert '<li class="done">' in html and "已完成" in html
    current = html[html.index('aria-current="step"') :]
    assert current.index("上传材料") < current.index("确认提交")
