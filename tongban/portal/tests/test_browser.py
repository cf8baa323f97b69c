import pytest

from tongban.org.tests.factories import DepartmentFactory, TownCenterFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_home_page_shows_the_county_in_chinese(page, live_server):
    TownCenterFactory(division_name="楼观镇")
    DepartmentFactory(short_name="医疗保障局")

    page.goto(live_server.url + "/")

    assert page.title() == "周至县政务服务网 · 通办"
    heading = page.locator("h1")
    assert heading.inner_text() == "一网通办 · 只进一扇门 · 最多跑一次"
    assert page.get_by_text("楼观镇").is_visible()
    assert page.get_by_text("医疗保障局").is_visible()
