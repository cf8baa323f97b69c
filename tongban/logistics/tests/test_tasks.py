"""Background work: the sweep books what waited and pulls quiet waybills' tracks."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from tongban.core import clock
from tongban.logistics import services, tasks
from tongban.logistics.models import Status
from tongban.logistics.tests.factories import posted_case

pytestmark = pytest.mark.django_db


def test_the_sweep_books_unbooked_waybills_and_refreshes_quiet_ones(courier):
    courier.down()
    waiting = services.ship_result(posted_case())
    courier.recover()
    quiet = services.ship_result(posted_case())
    courier.advance(quiet.number, "picked_up")  # the push is lost
    with time_machine.travel(clock.now() + datetime.timedelta(hours=7)):
        result = tasks.sweep.enqueue().return_value
    assert result == {"booked": 1, "waiting": 0, "refreshed": 1}
    waiting.refresh_from_db()
    quiet.refresh_from_db()
    assert (waiting.status, quiet.status) == (Status.BOOKED, Status.PICKED_UP)


def test_waybills_heard_from_lately_are_left_alone(courier):
    waybill = services.ship_result(posted_case())
    courier.advance(waybill.number, "picked_up")
    assert services.refresh_stale() == 0


def test_the_retry_command_reports_what_it_did(courier, capsys):
    courier.down()
    services.ship_result(posted_case())
    courier.recover()
    call_command("courier_retry")
    assert "已下单 1" in capsys.readouterr().out
