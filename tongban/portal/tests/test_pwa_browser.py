"""The PWA in Chromium: a guide opened once is readable offline (the anonymous copy, never
the signed-in page), a personal page offline shows the offline page listing the kept guides,
the manifest's icons are PNGs of their stated sizes, and the offline page passes axe."""

import io

import pytest
from PIL import Image

from tongban.cases.tests.factories import applicant_person, form_item
from tongban.tests.browser import axe_violations, describe, elder_mode, record_offsite, sign_in

WAIT_CONTROLLED = """async () => {
    await navigator.serviceWorker.ready;
    return !!navigator.serviceWorker.controller;
}"""
KEPT = """async (url) => {
    const cache = await caches.open("tongban-pages");
    const found = await cache.match(url);
    return found ? await found.text() : null;
}"""


def _sign_in(context, live_server, user):
    sign_in(context, live_server.url, user)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_guide_opened_once_is_readable_offline_and_personal_pages_are_not(
    phone_page, live_server
):
    page, context = phone_page, phone_page.context
    item, person = form_item(), applicant_person()
    name = item.current_guide.name
    _sign_in(context, live_server, person)
    offsite = record_offsite(page, live_server.url)
    guide_url = f"{live_server.url}/items/{item.implementation_code}/"

    page.goto(guide_url)
    assert page.evaluate(
        "() => !!document.querySelector('link[rel=manifest]') && 'serviceWorker' in navigator"
    )
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10_000)
    assert page.evaluate(WAIT_CONTROLLED)
    page.reload()  # this visit goes through the worker, which keeps the anonymous copy
    assert page.locator(".account-link").inner_text().startswith("我的")  # signed in online
    page.wait_for_function(f"async () => !!(await ({KEPT})({guide_url!r}))", timeout=10_000)
    kept = page.evaluate(KEPT, guide_url)
    assert name in kept and "我的(个人)" not in kept and "登录" in kept  # nothing personal

    context.set_offline(True)
    page.goto(guide_url)
    assert page.locator("h1").first.inner_text().strip().startswith(name)

    page.goto(f"{live_server.url}/my/cases/")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "当前无网络,已保存的办事指南仍可查看"
    )
    link = page.locator("#offline-guides a")
    link.first.wait_for()
    assert link.first.inner_text() == name
    assert not page.locator("#offline-guides-empty").is_visible()
    link.first.click()
    page.wait_for_url(guide_url)
    assert name in page.locator("h1").first.inner_text()

    context.set_offline(False)
    nothing = page.evaluate(
        """async () => {
            const found = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const r of await cache.keys()) found.push(new URL(r.url).pathname);
            }
            return found;
        }"""
    )
    personal = ("/my/", "/account", "/api/", "/cases/", "/payments/", "/apply/")
    assert not [path for path in nothing if any(p in path for p in personal)], nothing
    assert offsite == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_manifest_and_its_icons_load_in_the_browser(page, live_server):
    page.goto(live_server.url + "/")
    href = page.get_attribute("link[rel=manifest]", "href")
    manifest = page.request.get(live_server.url + href)
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["short_name"] == "通办" and body["start_url"] == "/"
    for icon in body["icons"]:
        fetched = page.request.get(live_server.url + icon["src"])
        assert fetched.ok, icon["src"]
        image = Image.open(io.BytesIO(fetched.body()))
        assert image.format == "PNG"
        assert "x".join(str(n) for n in image.size) == icon["sizes"]
    sw = page.request.get(live_server.url + "/sw.js")
    assert sw.headers["service-worker-allowed"] == "/"
    assert sw.headers["content-type"].startswith("application/javascript")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_the_offline_page_passes_axe(page, live_server, elder):
    if elder:
        elder_mode(page.context, live_server.url)
    page.goto(live_server.url + "/offline/")
    assert page.get_by_text("暂无。联网时打开过的办事指南会自动保存").is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
