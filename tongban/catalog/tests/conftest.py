"""Fixtures shared by the catalog's tests."""

import pytest

from tongban.catalog.tests.factories import published_item


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish an item as the services do, running what waits for the commit (the index)."""

    def make(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return published_item(**kwargs)

    return make
