"""我的空间 in a browser: every section of a person with a case, a license, a message and a
rating, checked with axe-core in normal and elderly mode, nothing requested off-site; the
inbox too. Takes the documentation's picture (docs/screenshots/space.png)."""

import pytest

from tongban.cases.models import Case
from tongban.cases.tests.factories import file_case, form_item
from tongban.core import clock
from tongban.licenses.tests.factories import LicenseFactory
from tongban.registry.tests.space_factories import person_account
from tongban.reviews import services as reviews
from tongban.tests.browser import (
    axe_violations,
    describe,
    elder_mode,
    record_offsite,
    screenshot,
    sign_in,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _context(browser, live_server, user, *, elder: bool):
    context = browser.new_context(locale="zh-CN")
    sign_in(context, live_server.url, user)
    if elder:
        elder_mode(context, live_server.url)
    return context


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_my_space_and_inbox_pass_axe_in_normal_and_elderly_mode(
    browser, live_server, notice_templates
):
    item = form_item()
    me = person_account()
    case = file_case(item, me)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CONCLUDED, concluded_at=clock.now())
    case.refresh_from_db()
    reviews.rate(me, case=case, level=2, channel="web", comment="等候时间长")
    file_case(item, me)
    LicenseFactory(holder_user=me)

    for elder in (False, True):
        context = _context(browser, live_server, me, elder=elder)
        page = context.new_page()
        offsite = record_offsite(page, live_server.url)
        page.goto(f"{live_server.url}/my/space/")
        assert page.locator("#cases-title").is_visible()
        assert page.locator(f"text={case.number}").first.is_visible()
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        if not elder:
            screenshot(page, "space")
        page.goto(f"{live_server.url}/my/messages/")
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        assert offsite == []
        context.close()
