"""The guide page's rendered text is kept per version and language (catalog/views.py
``guide_page``): found under load (docs/load.md), where it was the most requested page."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.catalog import services
from tongban.catalog.tests.factories import published_item
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cached(settings):
    settings.CATALOG_GUIDE_PAGE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _get(client, path: str):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(captured.captured_queries)


def test_a_second_visit_reads_one_row_and_shows_the_same_guide(client):
    item = published_item(name="食品经营许可", promised_days=7)
    path = f"/items/{item.implementation_code}/"
    first, first_queries = _get(client, path)
    again, queries = _get(client, path)
    assert queries == 1 < first_queries
    assert again.count("食品经营许可") == first.count("食品经营许可") > 1
    assert "承诺 7 个工作日" in again and 'name="csrfmiddlewaretoken"' in again


def test_a_new_version_in_force_shows_at_once(client, django_capture_on_commit_callbacks):
    manager = staff_with_role(StaffMembership.Role.CATALOG_ADMIN)
    item = published_item(by=manager, promised_days=10)
    path = f"/items/{item.implementation_code}/"
    assert "承诺 10 个工作日" in _get(client, path)[0]
    draft = services.start_revision(item, by=manager)
    services.update_draft(draft, by=manager, promised_days=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(services.submit(draft, by=manager), by=manager)
    page = _get(client, path)[0]
    assert "承诺 5 个工作日" in page and "承诺 10 个工作日" not in page


def test_an_english_visitor_gets_the_english_text(client):
    item = published_item()
    path = f"/items/{item.implementation_code}/"
    chinese = _get(client, path)[0]
    client.cookies["django_language"] = "en"
    english = _get(client, path)[0]
    assert "Application materials" in english and "Application materials" not in chinese
