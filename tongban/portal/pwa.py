"""The portal as an installable web app (PWA): the manifest, the service worker and the
offline page (docs/mobile.md).

The service worker is served from the site root (``/sw.js``) so that it controls every page.
It keeps guides readable offline and nothing personal: guide pages, their print pages and the
catalog's browse and search pages are cached as the anonymous visitor sees them (fetched again
without cookies), the offline page and the portal's CSS, JS and icons are precached, and
every other request (personal pages, staff pages, the API, payments, every POST) goes to the
network untouched. The cache name carries a hash of the precached files, so a deploy that
changes them replaces the old cache.
"""

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME = "#b3140f"  # --red in portal.css
BACKGROUND = "#ffffff"
ICONS = (
    ("portal/pwa/icon-192.png", 192, "any"),
    ("portal/pwa/icon-512.png", 512, "any"),
    ("portal/pwa/icon-maskable-512.png", 512, "maskable"),
)
PRECACHED = (
    "portal/portal.css",
    "portal/portal.js",
    "portal/pwa.js",
    "portal/pwa/apple-touch-icon.png",
    *(name for name, _size, _purpose in ICONS),
)
SW_TEMPLATE = "portal/sw.js"
OFFLINE_TEMPLATE = "portal/offline.html"


@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request):
    """``/manifest.webmanifest``: the web app manifest (application/manifest+json)."""
    county = settings.TONGBAN_COUNTY_NAME
    body = {
        "name": f"{county}政务服务网",
        "short_name": "通办",
        "description": f"{county}一体化政务服务平台:办事指南、在线申请、办件查询",
        "lang": "zh-CN",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": [
            {"src": static(name), "sizes": f"{size}x{size}", "type": "image/png", "purpose": use}
            for name, size, use in ICONS
        ],
    }
    text = json.dumps(body, ensure_ascii=False, indent=2)
    return HttpResponse(text, content_type="application/manifest+json; charset=utf-8")


@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request):
    """``/sw.js``: the service worker, from the root so that its scope is the whole site."""
    context = {
        "version": cache_version(),
        "offline_url": reverse("portal:offline"),
        "precache": json.dumps([reverse("portal:offline"), *(static(n) for n in PRECACHED)]),
        "static_prefix": json.dumps(static("")),
    }
    response = HttpResponse(
        render_to_string(SW_TEMPLATE, context), content_type="application/javascript"
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    """The page the service worker shows for a page it cannot fetch and has not kept."""
    return render(request, OFFLINE_TEMPLATE)


@lru_cache(maxsize=1)
def cache_version() -> str:
    """The cache's version: ``PWA_CACHE_VERSION`` when set, else a hash of the precached
    files, the service worker and the offline page (a deploy that changes any renews it)."""
    configured = getattr(settings, "PWA_CACHE_VERSION", "")
    if configured:
        return str(configured)
    digest = hashlib.sha256()
    for name in PRECACHED:
        found = finders.find(name)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    for template in (SW_TEMPLATE, OFFLINE_TEMPLATE):
        digest.update(get_template(template).template.source.encode())
    return digest.hexdigest()[:12]
