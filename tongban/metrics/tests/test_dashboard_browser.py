"""The dashboard in Chromium: the charts draw, and every request the page makes goes to the
platform itself (no CDN)."""

import pytest
from django.conf import settings
from django.test import Client

from tongban.identity.tests.helpers import verified_login
from tongban.metrics.tests.test_indicators import make_world
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role


@pytest.fixture
def world(transactional_db):
    return make_world()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_draws_its_charts_from_the_platform_only(page, live_server, world):
    client = Client()
    verified_login(client, staff_with_role(StaffMembership.Role.SUPERVISOR))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(live_server.url + "/metrics/")
    page.wait_for_selector("#metrics-bar canvas")

    assert page.locator("h1").inner_text().startswith("政务服务能力自评估")
    assert page.locator("#metrics-trend canvas").count() == 1
    assert page.locator(".metrics-card.is-short").count() >= 1
    assert any(url.endswith("/static/metrics/echarts.min.js") for url in requested)
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == []
