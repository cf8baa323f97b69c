"""The installable web app: the manifest and its icons, the service worker's headers and
rules, the offline page, and the head links (none on a kiosk)."""

import io
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from PIL import Image

from tongban.portal import pwa
from tongban.portal.modes import ui

pytestmark = pytest.mark.django_db


def test_manifest_names_the_county_and_lists_icons_of_their_sizes(client, settings):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["name"] == f"{settings.TONGBAN_COUNTY_NAME}政务服务网"
    assert manifest["short_name"] == "通办"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["lang"] == "zh-CN"
    assert manifest["theme_color"] and manifest["background_color"]
    purposes = set()
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        found = finders.find(icon["src"].removeprefix(settings.STATIC_URL).lstrip("/"))
        assert found, icon["src"]
        with open(found, "rb") as handle:
            image = Image.open(io.BytesIO(handle.read()))
        assert image.format == "PNG"
        width, height = (int(n) for n in icon["sizes"].split("x"))
        assert image.size == (width, height), icon
        purposes.add((width, icon["purpose"]))
    assert {(192, "any"), (512, "any"), (512, "maskable")} <= purposes


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert f'const VERSION = "{pwa.cache_version()}";' in script
    assert "&quot;" not in script and "{{" not in script and "{%" not in script
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", script).group(1))
    assert "/offline/" in precache and "/static/portal/portal.css" in precache
    assert "/static/portal/pwa/icon-512.png" in precache


def test_the_service_worker_keeps_guides_and_never_personal_pages(client):
    script = client.get("/sw.js").content.decode()
    assert 'if (request.method !== "GET") return;' in script
    assert 'credentials: "omit"' in script  # the kept copy is the anonymous page
    kept = re.findall(r"^\s*/(\^.*\$)/,$", script, flags=re.M)
    never = re.search(r"const NEVER = /(.*)/;$", script, flags=re.M).group(1)

    def is_kept(path: str) -> bool:
        return any(re.search(p, path) for p in kept) and not re.search(never, path)

    for path in ("/items/", "/items/X123/", "/items/X123/print/", "/search"):
        assert is_kept(path), path
    for path in (
        "/",
        "/items/X123/apply/",
        "/my/cases/",
        "/account/",
        "/workbench/",
        "/admin/",
        "/api/v1/items",
        "/payments/orders/1/",
        "/cases/N1/receipt.pdf",
        "/kiosk/",
        "/track/",
    ):
        assert not is_kept(path), path


def test_the_cache_version_follows_a_setting_when_given(settings):
    pwa.cache_version.cache_clear()
    settings.PWA_CACHE_VERSION = "2026-11-28"
    try:
        assert pwa.cache_version() == "2026-11-28"
    finally:
        pwa.cache_version.cache_clear()


def test_offline_page_says_guides_remain_readable(client):
    page = client.get("/offline/").content.decode()
    assert "当前无网络,已保存的办事指南仍可查看" in page
    assert 'id="offline-guides"' in page


def test_pages_link_the_manifest_and_the_registration(client):
    page = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'name="theme-color"' in page and 'rel="apple-touch-icon"' in page
    assert "/static/portal/pwa.js" in page


def test_a_kiosk_page_has_no_manifest_and_pwa_js_unregisters_there(rf):
    request = rf.get("/")
    request.kiosk_terminal = object()
    assert ui(request)["ui"]["kiosk"]
    head = render_to_string("portal/_pwa_head.html", ui(request))
    assert "manifest" not in head and "pwa.js" in head
    script = Path(finders.find("portal/pwa.js")).read_text(encoding="utf-8")
    kiosk = script.index('root.classList.contains("kiosk")')
    assert script.index("forget();", kiosk) < script.index("serviceWorker.register", kiosk)
