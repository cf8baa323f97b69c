"""Orders whose notice never came are settled by asking the channel (tasks.sweep)."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from tongban.cases.models import CaseEvent
from tongban.core import clock
from tongban.payments import services, tasks
from tongban.payments.models import PaymentOrder
from tongban.payments.tests.factories import case_at_payment, fee_item, only_task

pytestmark = pytest.mark.django_db
Status = PaymentOrder.Status


@pytest.fixture
def paying(waiting):
    case, clerk, order = waiting
    return case, clerk, services.start_payment(order, by=case.applicant)


def later(settings, seconds: int = 1):
    wait = settings.PAYMENTS_QUERY_AFTER_SECONDS + seconds
    return time_machine.travel(clock.now() + datetime.timedelta(seconds=wait), tick=False)


def test_a_payment_without_notice_is_settled_by_query(settings, paying, payment_sandbox):
    case, _clerk, order = paying
    payment_sandbox.drop_notices()
    payment_sandbox.pay(order.number)
    assert services.settle_due() == {}  # not yet due
    with later(settings):
        assert tasks.sweep() == {"applied": 1, "closed": 0}
    order.refresh_from_db()
    assert order.status == Status.PAID and order.callbacks.count() == 0
    assert only_task(case).name == "Activity_conclude"
    assert CaseEvent.objects.filter(case=case, verb="pay").count() == 1


def test_the_notice_arriving_after_the_query_changes_nothing(settings, paying, payment_sandbox):
    case, _clerk, order = paying
    payment_sandbox.drop_notices()
    payment_sandbox.pay(order.number)
    with later(settings):
        services.settle_due()
    payment_sandbox.drop_notices(False)
    payment_sandbox.send(payment_sandbox.notices[-1])
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert list(order.callbacks.values_list("outcome", flat=True)) == ["stale"]
    assert CaseEvent.objects.filter(case=case, verb="pay").count() == 1


def test_a_failed_payment_without_notice_is_settled_as_failed(settings, paying, payment_sandbox):
    _case, _clerk, order = paying
    payment_sandbox.drop_notices()
    payment_sandbox.fail(order.number)
    with later(settings):
        services.settle_due()
    order.refresh_from_db()
    assert order.status == Status.FAILED


def test_a_channel_down_loses_nothing_and_is_asked_again(settings, paying, payment_sandbox):
    case, _clerk, order = paying
    payment_sandbox.drop_notices()
    payment_sandbox.pay(order.number)
    payment_sandbox.go_down()
    with later(settings):
        assert services.settle_due() == {"unavailable": 1}
    order.refresh_from_db()
    assert order.status == Status.PAYING and order.last_queried_at is not None
    payment_sandbox.recover()
    with later(settings, 5):
        assert services.settle_due() == {}  # queried a moment ago: not again yet
    with later(settings, settings.PAYMENTS_QUERY_AFTER_SECONDS + 10):
        assert services.settle_due() == {"applied": 1}
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert only_task(case).name == "Activity_conclude"


def test_a_payment_still_in_progress_stays_paying(settings, paying, payment_sandbox):
    _case, _clerk, order = paying
    with later(settings):
        assert services.settle_due() == {"stale": 1}
    order.refresh_from_db()
    assert order.status == Status.PAYING


def test_starting_payment_while_the_channel_is_down_is_refused_and_kept(waiting, payment_sandbox):
    case, _clerk, order = waiting
    payment_sandbox.go_down()
    with pytest.raises(services.ChannelUnavailable):
        services.start_payment(order, by=case.applicant)
    order.refresh_from_db()
    assert order.status == Status.CREATED
    payment_sandbox.recover()
    assert services.start_payment(order, by=case.applicant).status == Status.PAYING


def test_the_settle_command_reports(settings, paying, payment_sandbox, capsys):
    _case, _clerk, order = paying
    payment_sandbox.drop_notices()
    payment_sandbox.pay(order.number)
    with later(settings):
        call_command("payments_settle")
    assert "applied 1" in capsys.readouterr().out
    order.refresh_from_db()
    assert order.status == Status.PAID


def test_a_channel_down_is_asked_once_a_sweep_and_the_rest_stay_due(
    settings, paying, payment_sandbox
):
    """After an outage the orders not yet tried settle at the next sweep, not 300 s later."""
    _case, _clerk, order = paying
    other = case_at_payment(fee_item())[0]
    second = services.start_payment(services.order_for(other), by=other.applicant)
    payment_sandbox.drop_notices()
    for each in (order, second):
        payment_sandbox.pay(each.number)
    payment_sandbox.go_down()
    with later(settings):
        assert services.settle_due() == {"unavailable": 1}  # one time-out, not one per order
    second.refresh_from_db()
    assert second.last_queried_at is None
    payment_sandbox.recover()
    with later(settings, 5):
        assert services.settle_due() == {"applied": 1}  # the untried one, at once
    second.refresh_from_db()
    assert second.status == Status.PAID
