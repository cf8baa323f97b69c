"""The payment channel out of reach for 300 s while payers pay at it: nothing lost, nothing
charged twice (issue 12; the live run is ``proof.faults_outage``).

The platform's provider points at a closed port (connection refused) and the channel's
notices cannot reach the platform, while the sandbox keeps taking payments. The clock is
controlled (time-machine): the settle sweep runs at its interval, as the worker would.
"""

import datetime
import socket

import pytest
import time_machine

from tongban.cases.models import CaseEvent
from tongban.core import clock
from tongban.payments import services, tasks
from tongban.payments.models import PaymentOrder
from tongban.payments.tests.factories import case_at_payment, fee_item, only_task

pytestmark = pytest.mark.django_db
Status = PaymentOrder.Status
OUTAGE = datetime.timedelta(seconds=300)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def refused(url, headers, body) -> int:
    raise ConnectionRefusedError(111, "Connection refused")


class Partition:
    """The platform and the channel cut from each other; the payers still reach it."""

    def __init__(self, settings, sandbox):
        self.settings, self.sandbox = settings, sandbox
        self.providers, self.deliver = settings.PAYMENTS_PROVIDERS, sandbox.deliver

    def cut(self) -> None:
        config = self.providers["sandbox"]
        dead = {**config, "url": f"http://127.0.0.1:{closed_port()}"}
        self.settings.PAYMENTS_PROVIDERS = {**self.providers, "sandbox": dead}
        self.sandbox.deliver = refused

    def heal(self) -> None:
        self.settings.PAYMENTS_PROVIDERS = self.providers
        self.sandbox.deliver = self.deliver


@pytest.fixture
def cases(payment_sandbox):
    item = fee_item()
    return [case_at_payment(item)[0] for _n in range(4)]


def test_payments_made_while_the_channel_is_out_of_reach_all_end_paid_once(
    settings, payment_sandbox, cases
):
    start = clock.now() + datetime.timedelta(minutes=2)  # the payments opened before
    partition = Partition(settings, payment_sandbox)
    opened = [services.start_payment(services.order_for(c), by=c.applicant) for c in cases[:2]]
    waiting = [services.order_for(c) for c in cases[2:]]
    with time_machine.travel(start, tick=False) as traveller:
        partition.cut()
        for order in opened:  # the payers pay at the channel; its notices do not arrive
            payment_sandbox.pay(order.number)
        assert {status for _event, status in payment_sandbox.deliveries} == {0}
        for order in waiting:  # 去支付 while the channel is away: refused, kept as it was
            with pytest.raises(services.ChannelUnavailable):
                services.start_payment(order, by=order.payer)
        sweeps = []
        for second in range(0, 300, 30):  # sweeps during the outage (any phase)
            traveller.move_to(start + datetime.timedelta(seconds=second))
            sweeps.append(tasks.sweep())
        assert all(PaymentOrder.objects.get(pk=o.pk).status == Status.PAYING for o in opened)
        assert any(sweep.get("unavailable") for sweep in sweeps)

        partition.heal()
        back = start + OUTAGE
        for order in waiting:
            traveller.move_to(back)
            order = services.start_payment(order, by=order.payer)
            payment_sandbox.pay(order.number)  # the notice arrives now
        drained = None
        for second in range(0, 1200, 30):  # the worker's sweep, looked at every 30 s
            traveller.move_to(back + datetime.timedelta(seconds=second))
            tasks.sweep()
            if all(services.order_for(c).status == Status.PAID for c in cases):
                drained = second
                break

    assert drained is not None
    limit = settings.PAYMENTS_QUERY_AFTER_SECONDS + tasks.interval().total_seconds()
    assert drained <= limit  # the last query before the recovery counts from its own time
    for case in cases:
        assert PaymentOrder.objects.filter(case=case).count() == 1  # no second order
        assert CaseEvent.objects.filter(case=case, verb="pay").count() == 1
        assert only_task(case).name == "Activity_conclude"
    charged = [o for o in payment_sandbox.orders.values() if o["status"] == "paid"]
    assert sorted(o["number"] for o in charged) == sorted(
        services.order_for(c).number for c in cases
    )
    assert all(o["paid_amount"] == o["amount"] for o in charged)


def test_a_notice_sent_again_after_the_query_settled_the_order_changes_nothing(
    settings, payment_sandbox, cases
):
    case = cases[0]
    partition = Partition(settings, payment_sandbox)
    order = services.start_payment(services.order_for(case), by=case.applicant)
    partition.cut()
    payment_sandbox.pay(order.number)
    partition.heal()
    wait = datetime.timedelta(seconds=settings.PAYMENTS_QUERY_AFTER_SECONDS + 1)
    with time_machine.travel(clock.now() + wait, tick=False):
        assert tasks.sweep()["applied"] == 1
    payment_sandbox.send(payment_sandbox.notices[-1])  # the channel's own retry, same event

    order.refresh_from_db()
    assert order.status == Status.PAID
    assert list(order.callbacks.values_list("outcome", flat=True)) == ["stale"]
    assert CaseEvent.objects.filter(case=case, verb="pay").count() == 1
