"""The kiosk in Chromium on a touch screen: sign in with the ID card on the (simulated)
reader, apply by taps only, see the receipt; and the 60 s idle clearing under a controlled
clock. axe-core on the start and application screens (normal and elderly mode)."""

import pytest
from django.core import signing
from django.test import Client

from tongban.cases.models import Case, Channel
from tongban.kiosk import services
from tongban.tests.browser import axe_violations, describe, elder_mode, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def enrol(page, live_server, terminal):
    value = signing.dumps(terminal.code, salt=services.SALT)
    page.context.add_cookies([{"name": services.COOKIE, "value": value, "url": live_server.url}])


def sign_in_by_card(page, live_server, reader, person):
    page.goto(live_server.url + "/kiosk/")
    reader.place(person.get_full_name(), str(person.id_number))
    page.get_by_role("link", name="刷身份证登录").tap()
    page.wait_for_url("**/kiosk/menu/")


def tap_digits(page, key: str, digits: str):
    for digit in digits:
        page.locator(f'[data-pad-for="f-{key}"] [data-key="{digit}"]').tap()


def test_a_person_applies_on_the_kiosk_by_touch_only(
    touch_page, live_server, reader, terminal, person, kiosk_item, notice_templates
):
    page = touch_page
    enrol(page, live_server, terminal)
    page.goto(live_server.url + "/kiosk/")
    assert page.locator("html").get_attribute("class").split() == ["kiosk"]
    assert page.locator(".site-nav").count() == 0  # the kiosk chrome, not the site header
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "kiosk")

    sign_in_by_card(page, live_server, reader, person)
    assert page.get_by_role("heading", level=1).inner_text() == "王小明,您好"
    page.get_by_role("link", name=kiosk_item.current_guide.name).tap()
    page.wait_for_url(f"**/kiosk/apply/{kiosk_item.implementation_code}/")
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    page.get_by_text("城乡居民", exact=True).tap()
    tap_digits(page, "contact_phone", "139000012345")  # one digit too many: kept to 11
    page.locator('[data-pad-for="f-contact_phone"] [data-key="back"]').tap()
    tap_digits(page, "contact_phone", "8")
    tap_digits(page, "start", "20260101")
    assert page.locator("#f-start-shown").inner_text() == "2026-01-01"
    page.get_by_text("本人承诺所填内容真实").tap()
    page.get_by_role("button", name="提交申请").tap()

    page.wait_for_url("**/kiosk/cases/*/")
    case = Case.objects.get(applicant=person)
    assert case.channel == Channel.KIOSK
    assert case.form_data["contact_phone"] == "13900001238"
    assert case.form_data["start"] == "2026-01-01" and case.form_data["category"] == "resident"
    assert page.locator("#case-number").inner_text() == case.number
    assert page.get_by_role("button", name="打印回执").is_visible()
    page.emulate_media(media="print")
    assert page.locator("#kiosk-receipt").is_visible()
    assert not page.locator(".kiosk-header").is_visible()
    assert not page.get_by_role("button", name="打印回执").is_visible()

    page.emulate_media(media="screen")
    elder_mode(page.context, live_server.url)
    page.goto(f"{live_server.url}/kiosk/apply/{kiosk_item.implementation_code}/")
    assert page.locator("html").get_attribute("class").split() == ["elder", "kiosk"]
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_an_idle_kiosk_clears_itself_after_60_seconds(
    touch_page, live_server, reader, terminal, person
):
    page = touch_page
    elder_mode(page.context, live_server.url)
    enrol(page, live_server, terminal)
    page.clock.install()
    sign_in_by_card(page, live_server, reader, person)
    page.evaluate(
        """async () => {
            localStorage.setItem('draft', '王小明');
            sessionStorage.setItem('step', '2');
            const cache = await caches.open('kiosk-test');
            await cache.put('/kiosk/x', new Response('王小明'));
        }"""
    )
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")

    page.clock.fast_forward(46_000)
    warning = page.get_by_role("alertdialog")
    assert warning.is_visible() and "即将自动退出" in warning.inner_text()
    page.get_by_role("button", name="继续使用").tap()
    assert not warning.is_visible()
    assert page.url.endswith("/kiosk/menu/")

    page.clock.fast_forward(61_000)
    page.wait_for_url(live_server.url + "/kiosk/")
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "欢迎使用政务服务自助终端"
    stores = page.evaluate(
        "async () => [localStorage.length, sessionStorage.length, (await caches.keys()).length]"
    )
    assert stores == [0, 0, 0]
    content = page.content()
    assert "王小明" not in content and str(person.id_number) not in content
    client = Client()
    client.cookies["sessionid"] = session["value"]
    client.cookies[services.COOKIE] = signing.dumps(terminal.code, salt=services.SALT)
    assert client.get("/kiosk/menu/").status_code == 302  # the old session signs nobody in
    assert page.locator("html").get_attribute("class").split() == ["elder", "kiosk"]
    violations = axe_violations(page)
    assert violations == [], describe(violations)
