"""Fixtures for the archives tests: files in a temporary MEDIA_ROOT, a concluded case."""

import pytest

from tongban.archives.tests.factories import concluded_case


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case():
    return concluded_case()
