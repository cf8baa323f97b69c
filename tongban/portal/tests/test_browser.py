"""The home page and elderly mode in Chromium: axe-core in normal and elderly mode, the
switch, and the guide's text size and target size in elderly mode."""

import pytest
from django.core.cache import cache

from tongban.cases.tests.factories import form_item
from tongban.org.tests.factories import DepartmentFactory, TownCenterFactory
from tongban.tests.browser import axe_violations, describe, elder_mode, record_offsite, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a person reads on a guide page, and what they press.
GUIDE_TEXT = (
    ".guide-head h1 ~ *, .guide-dept, .badges li, .info-table th, .info-table td,"
    " .stack-table td, .guide-section p, .steps li, .toc a, .breadcrumb"
)
TARGETS = (
    "button, .button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select,"
    " .site-nav a, .toc a, .mode-switch button, .header-call, .hotline"
)


@pytest.fixture(autouse=True)
def fresh_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def smallest(page, selector: str, measure: str) -> list[tuple[float, str]]:
    """(size, description) of every visible element matching ``selector``, smallest first."""
    return page.evaluate(
        """([selector, measure]) => [...document.querySelectorAll(selector)]
            .filter(e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')
            .map(e => [measure === 'font' ? parseFloat(getComputedStyle(e).fontSize)
                                          : e.getBoundingClientRect().height,
                       e.tagName + '.' + e.className + ' ' + e.innerText.slice(0, 20)])
            .sort((a, b) => a[0] - b[0])""",
        [selector, measure],
    )


def test_home_page_in_normal_and_elder_mode_has_no_axe_violations(page, live_server):
    TownCenterFactory(division_name="楼观镇")
    form_item(name="城乡居民养老保险", department=DepartmentFactory(short_name="医疗保障局"))
    offsite = record_offsite(page, live_server.url)

    page.goto(live_server.url + "/")

    assert page.title() == "周至县政务服务网 · 通办"
    assert page.locator("h1").inner_text() == "一网通办 · 只进一扇门 · 最多跑一次"
    assert page.get_by_text("楼观镇").is_visible()
    assert page.get_by_role("link", name="医疗保障局 1 项").is_visible()
    assert page.locator("#home-q").is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "home", full_page=True)

    # The switch in the header turns elderly mode on for this page and the next.
    page.get_by_role("button", name="长辈版").click()
    page.wait_for_load_state()
    assert "elder" in page.evaluate("document.documentElement.className")
    assert page.get_by_role("link", name="帮办代办预约 请工作人员帮您办").is_visible()
    assert not page.get_by_text("楼观镇").is_visible()  # the network is a secondary part
    assert page.locator(".site-header .header-call").is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "elder-home")
    page.goto(live_server.url + "/items/")
    assert "elder" in page.evaluate("document.documentElement.className")
    page.get_by_role("button", name="退出长辈版").click()
    page.wait_for_load_state()
    assert "elder" not in page.evaluate("document.documentElement.className")
    assert offsite == []


def test_elder_guide_text_is_at_least_24px_and_targets_48px(page, live_server):
    item = form_item(name="高龄津贴申领")
    elder_mode(page.context, live_server.url)

    page.goto(f"{live_server.url}/items/{item.implementation_code}/")

    assert "elder" in page.evaluate("document.documentElement.className")
    fonts = smallest(page, GUIDE_TEXT, "font")
    assert len(fonts) > 20 and fonts[0][0] >= 24, fonts[:5]
    body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body >= 24
    targets = smallest(page, TARGETS, "height")
    assert len(targets) > 5 and targets[0][0] >= 47.5, targets[:5]
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    screenshot(page, "elder-guide")


def test_normal_guide_keeps_16px_text_and_44px_targets(page, live_server):
    item = form_item(name="高龄津贴申领")

    page.goto(f"{live_server.url}/items/{item.implementation_code}/")

    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == 16
    buttons = smallest(page, "button, .button, .mode-switch button", "height")
    assert buttons[0][0] >= 43.5, buttons[:3]


def test_tables_collapse_on_a_phone(phone_page, live_server):
    item = form_item(name="高龄津贴申领")

    phone_page.goto(f"{live_server.url}/items/{item.implementation_code}/")

    display = phone_page.evaluate(
        "getComputedStyle(document.querySelector('.materials-table td')).display"
    )
    assert display == "flow-root"
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width


def test_home_fits_a_phone_in_both_modes(phone_page, live_server):
    form_item(name="城乡居民养老保险")

    phone_page.goto(live_server.url + "/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    elder_mode(phone_page.context, live_server.url)
    phone_page.goto(live_server.url + "/")

    assert "elder" in phone_page.evaluate("document.documentElement.className")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    tiles = smallest(phone_page, ".elder-tiles a", "height")
    assert len(tiles) == 4 and tiles[0][0] >= 96
    screenshot(phone_page, "elder-home-phone", full_page=True)


def test_signed_in_home_shows_my_cases_without_axe_violations(
    page, live_server, client, notice_templates
):
    from tongban.cases.tests.factories import applicant_person, file_case

    item = form_item(name="城乡居民养老保险")
    person = applicant_person()
    case = file_case(item, person)
    client.force_login(person)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    elder_mode(page.context, live_server.url)

    page.goto(live_server.url + "/")

    mine = page.locator(".mine")
    assert mine.get_by_role("link", name="城乡居民养老保险").get_attribute("href") == (
        f"/my/cases/{case.number}/"
    )
    assert mine.get_by_text("未读消息").is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
