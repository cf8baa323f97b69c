import pytest

from tongban.catalog.tests.factories import published_item
from tongban.catalog.tests.test_pages import every_element_item


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_citizen_searches_from_the_home_page_and_opens_the_guide(page, live_server):
    every_element_item(name="个体工商户营业执照登记", keywords="营业执照 个体户")
    published_item(name="高龄津贴申领", keywords="高龄 津贴")

    page.goto(live_server.url + "/")
    page.get_by_label("您要办什么事?").fill("营业执照")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="个体工商户营业执照登记").click()

    assert page.locator("h1").inner_text() == "个体工商户营业执照登记"
    assert page.get_by_role("heading", name="申请材料").is_visible()
    assert page.get_by_text("可免提交:", exact=False).first.is_visible()

    # On a 375 px phone the guide, tables included, fits the screen without sideways scrolling.
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
