"""Fixtures for the licenses tests: files in a temporary MEDIA_ROOT, a movable clock, a fresh
cache (rate-limit counters, signature checks)."""

import datetime

import pytest
import time_machine
from django.core.cache import cache

from tongban.licenses import verification

ZHOUZHI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    verification.forget_signature_status()
    yield
    verification.forget_signature_status()


@pytest.fixture
def travel():
    """``travel(2026, 9, 30)``: the platform's clock at 10:00 in Zhouzhi that day."""
    travellers = []

    def go(year: int, month: int, day: int):
        while travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(
            datetime.datetime(year, month, day, 10, 0, tzinfo=ZHOUZHI), tick=False
        )
        traveller.start()
        travellers.append(traveller)

    yield go
    while travellers:
        travellers.pop().stop()
