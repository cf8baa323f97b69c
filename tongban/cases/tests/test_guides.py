"""The intake's guide cache: one query per item per few seconds, forgotten on publication."""

import pytest

from tongban.cases import guides
from tongban.cases.tests.factories import form_item
from tongban.catalog.models import Guide
from tongban.catalog.signals import guide_published
from tongban.errors import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.CASES_GUIDE_CACHE_SECONDS = 5
    guides.forget()
    yield
    guides.forget()


def test_second_read_within_the_window_asks_nothing_and_gets_its_own_copy(
    cached, django_assert_num_queries
):
    item = form_item()
    with django_assert_num_queries(1):
        first = guides.guide_in_force(item.implementation_code)
    with django_assert_num_queries(0):
        second = guides.guide_in_force(item.implementation_code)
    assert first.pk == second.pk == item.current_guide_id
    assert first is not second


def test_read_again_once_the_window_has_passed(cached, monkeypatch, django_assert_num_queries):
    item = form_item()
    guides.guide_in_force(item.implementation_code)
    later = guides.time.monotonic() + 6
    monkeypatch.setattr(guides.time, "monotonic", lambda: later)
    with django_assert_num_queries(1):
        guides.guide_in_force(item.implementation_code)


def test_a_publication_empties_the_cache(cached, django_assert_num_queries):
    item = form_item()
    guides.guide_in_force(item.implementation_code)
    guide_published.send(Guide, guide=item.current_guide, item=item, previous=None)
    with django_assert_num_queries(1):
        guides.guide_in_force(item.implementation_code)


def test_an_item_without_a_guide_in_force_is_not_found_and_not_cached(cached):
    with pytest.raises(NotFound):
        guides.guide_in_force("no-such-item")
    assert "no-such-item" not in guides._cache
