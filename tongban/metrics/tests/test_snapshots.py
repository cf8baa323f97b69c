"""Daily snapshots: every indicator for the county, each department and each town, once
per day, and the command and periodic task that take them."""

import datetime

import pytest
from django.core.management import call_command

from tongban.audit.models import AuditRecord
from tongban.metrics import indicators, snapshots, tasks
from tongban.metrics.models import IndicatorSnapshot
from tongban.metrics.tests.test_indicators import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


DAY = datetime.date(2026, 3, 2)


def test_take_stores_every_indicator_for_every_scope(world):
    departments, towns = indicators.departments().count(), indicators.towns().count()
    written = snapshots.take(DAY)
    assert written == len(indicators.KEYS) * (1 + departments + towns)
    county = IndicatorSnapshot.objects.get(date=DAY, key="online_full", scope="county")
    assert (county.numerator, county.denominator, county.target) == (2, 3, 0.85)
    tax = IndicatorSnapshot.objects.get(
        date=DAY, key="online_full", scope="department", scope_code=world["tax"].code
    )
    assert (tax.numerator, tax.denominator) == (1, 2)
    town = IndicatorSnapshot.objects.get(
        date=DAY, key="village_proxy", scope="town", scope_code=world["town"].statistical_code
    )
    assert (town.numerator, town.denominator) == (1, 3)
    assert AuditRecord.objects.filter(action="metrics.snapshot.take").count() == 1


def test_taking_a_day_again_replaces_its_figures(world):
    snapshots.take(DAY)
    world["items"]["b"].is_active = False
    world["items"]["b"].save()
    snapshots.take(DAY)
    county = IndicatorSnapshot.objects.filter(date=DAY, key="online_full", scope="county")
    assert [(s.numerator, s.denominator) for s in county] == [(2, 2)]


def test_trends_read_the_series_in_date_order(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 10, 12))
    snapshots.take(DAY + datetime.timedelta(days=1))
    snapshots.take(DAY)
    found = snapshots.trends(["online_full"])
    assert found["dates"] == [DAY.isoformat(), (DAY + datetime.timedelta(days=1)).isoformat()]
    assert found["series"]["online_full"] == [round(2 / 3, 4)] * 2


def test_command_takes_the_snapshot_of_the_day_given(world):
    call_command("metrics_snapshot", "--date", DAY.isoformat(), "--no-schedule")
    assert IndicatorSnapshot.objects.filter(date=DAY, scope="county").count() == len(
        indicators.KEYS
    )


def test_daily_task_takes_today_and_queues_its_next_run(world, time_machine, monkeypatch):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 12))
    queued = []
    monkeypatch.setattr(tasks, "schedule_next", lambda: queued.append(True))
    tasks.snapshot_daily.call()
    assert IndicatorSnapshot.objects.filter(date=DAY, scope="county").exists()
    assert queued == [True]
