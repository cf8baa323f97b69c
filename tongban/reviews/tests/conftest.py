"""Fixtures for the reviews tests: files in a temporary MEDIA_ROOT, a movable clock, the
notify templates."""

import datetime

import pytest
import time_machine

ZHOUZHI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture(autouse=True)
def media(settings, tmp_path, notice_templates):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


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
