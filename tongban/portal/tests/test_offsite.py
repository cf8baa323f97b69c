"""No page asks anything of another site: fonts, scripts, styles, images, icons, prefetches and
the service worker's fetches all come from the platform itself (the county's network may be
cut off from the internet, and a citizen's visit is nobody else's business).

One browser walks the pages of the accessibility sweep (normal mode, plus the elderly home
page) and records every request outside the live server. See docs/accessibility.md.
"""

import pytest

from tongban.cases.tests.factories import applicant_person, file_case, form_item
from tongban.catalog.tests.test_pages import every_element_item
from tongban.licenses.tests.factories import LicenseFactory
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role
from tongban.portal.tests.test_accessibility import PHONE
from tongban.tests.browser import elder_mode, record_offsite, sign_in


def visit(page, url: str) -> None:
    response = page.goto(url, wait_until="networkidle")
    assert response.status == 200, f"{url}: {response.status}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_requests_anything_outside_the_platform(page, live_server, notice_templates):
    from tongban.metrics.tests.test_indicators import make_world

    guide = every_element_item()
    item = form_item()
    person = applicant_person(phone=PHONE)
    case = file_case(item, person)
    LicenseFactory(holder_user=person)
    make_world()
    base = live_server.url
    offsite = record_offsite(page, base)
    # requests a service worker makes belong to the context, not to the page
    page.context.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((base, "data:", "blob:"))
            else offsite.append(request.url)
        ),
    )
    seen = []

    for path in ["/", "/search?q=食品经营", f"/items/{guide.implementation_code}/", "/track/"]:
        visit(page, base + path)
        seen.append(path)
    page.locator("input[name=number]").fill(case.number)
    page.locator("input[name=secret]").fill(PHONE)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state("networkidle")

    sign_in(page.context, live_server.url, person)
    for path in [
        f"/items/{item.implementation_code}/apply/",
        f"/my/cases/{case.number}/",
        "/my/licenses/",
        "/my/space/",
    ]:
        visit(page, base + path)
        seen.append(path)

    page.context.clear_cookies()
    supervisor = staff_with_role(StaffMembership.Role.SUPERVISOR)
    sign_in(page.context, live_server.url, supervisor, staff=True)
    visit(page, base + "/metrics/")
    page.wait_for_selector("#metrics-bar canvas")

    page.context.clear_cookies()
    elder_mode(page.context, base)
    visit(page, base + "/")
    assert "elder" in page.evaluate("document.documentElement.className")

    assert sorted(set(offsite)) == [], f"requested outside {base} while visiting {seen}"
