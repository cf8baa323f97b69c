"""The Content-Security-Policy in Chromium: walking the main pages (portal, sign-in, license
verification, the staff admin and the metrics dashboard) triggers no CSP violation.

The policy is active in the test settings too (csp.middleware.CSPMiddleware), so every other
browser test would also break on an inline script; this one reports what was blocked."""

import pytest
from django.core.cache import cache

from tongban.cases.tests.factories import form_item
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role
from tongban.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Recorded before any page script runs: each violation the browser reports.
RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`
));
"""


@pytest.fixture(autouse=True)
def fresh_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def walk(page, base: str, paths: list[str]) -> list[str]:
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(RECORD)
    seen = []
    for path in paths:
        response = page.goto(base + path)
        assert response.status < 400, (path, response.status)
        assert "content-security-policy" in response.headers, path
        page.wait_for_load_state("load")
        seen += [f"{path}: {v}" for v in page.evaluate("window.__csp")]
    return seen + console


def test_portal_pages_raise_no_csp_violation(page, live_server):
    item = form_item(name="城乡居民养老保险", department=DepartmentFactory(short_name="医疗保障局"))
    paths = ["/", "/items/", f"/items/{item.implementation_code}/", "/login/", "/licenses/verify/"]

    assert walk(page, live_server.url, paths) == []


def test_admin_and_dashboard_raise_no_csp_violation(page, live_server):
    staff = staff_with_role(StaffMembership.Role.SYSTEM_ADMIN)
    sign_in(page.context, live_server.url, staff, staff=True)
    paths = ["/admin/", "/admin/catalog/serviceitem/", "/admin/audit/auditrecord/"]

    assert walk(page, live_server.url, paths) == []


def test_the_walk_reports_an_inline_script(page, live_server):
    page.route(
        live_server.url + "/inline/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": "script-src 'self'"},
            body="<!doctype html><script>document.title = 'ran'</script>",
        ),
    )

    assert walk(page, live_server.url, ["/inline/"]) != []
