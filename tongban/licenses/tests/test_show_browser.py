"""扫码亮证 in a browser: the holder shows a license, a hotel desk opens the link and sees it,
the holder finds the view in the access log."""

import pytest
from django.conf import settings
from django.test import Client

from tongban.licenses.tests.factories import LicenseFactory


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_hotel_desk_sees_a_shown_license_and_the_holder_sees_the_view(browser, live_server):
    held = LicenseFactory()
    contexts = [
        _signed_in(browser, live_server, held.holder_user),
        browser.new_context(locale="zh-CN"),
    ]
    try:
        _journey(live_server, held, *(context.new_page() for context in contexts))
    finally:
        for context in contexts:
            context.close()


def _journey(live_server, held, holder, desk):
    holder.goto(f"{live_server.url}/my/licenses/{held.identifier}/")
    holder.get_by_role("button", name="生成亮证二维码").click()
    assert holder.get_by_role("img", name="亮证二维码").is_visible()
    link = holder.locator("code").inner_text()

    desk.goto(link)
    assert held.number not in desk.content()
    desk.get_by_label("查看方").fill("某某酒店前台")
    desk.get_by_role("button", name="查看证照").click()
    assert desk.get_by_text(held.number).is_visible()
    assert desk.get_by_text(held.holder_name).first.is_visible()

    desk.goto(link)
    assert desk.get_by_text("已被查看过").is_visible()

    holder.goto(f"{live_server.url}/my/licenses/{held.identifier}/")
    assert holder.get_by_role("cell", name="某某酒店前台").is_visible()
