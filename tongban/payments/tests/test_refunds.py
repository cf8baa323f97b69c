"""Refunds: asked for by the order's department, decided by finance (four eyes), paid back
by the channel; partial and full refunds; notices repeated or out of order."""

import datetime

import pytest
import time_machine

from tongban.audit.models import AuditRecord
from tongban.cases.models import CaseEvent
from tongban.errors import Conflict, InvalidInput, PermissionDenied
from tongban.notify.models import Message
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role
from tongban.payments import refunds
from tongban.payments.models import Callback, PaymentOrder, Refund
from tongban.payments.providers.base import Notice, RefundAnswer
from tongban.payments.tests import conftest_finance as fin
from tongban.payments.tests.conftest_finance import FAKE, make_order

pytestmark = pytest.mark.django_db

# The shared fixtures (tests/conftest.py belongs to the orders side).
channel = fin.channel
clerk = fin.clerk
finance = fin.finance
item = fin.item
other_finance = fin.other_finance
paid_order = fin.paid_order
payer = fin.payer
Role = StaffMembership.Role
Outcome = Callback.Outcome


def ask(order, by, amount=2000, reason="重复缴费"):
    return refunds.request_refund(order, amount=amount, reason=reason, by=by)


def notice(refund, status="refunded", event_id="EVT1", sequence=1):
    answer = RefundAnswer(refund.number, "FRX1", status)
    return Notice(event_id=event_id, event=f"refund.{status}", refund=answer, sequence=sequence)


def test_the_departments_clerk_asks_and_the_case_history_and_payer_hear_of_it(paid_order, clerk):
    refund = ask(paid_order, clerk)
    assert refund.status == Refund.Status.REQUESTED and refund.amount == 2000
    event = CaseEvent.objects.get(case=paid_order.case, verb="refund")
    assert refund.number in event.note and "20.00" in event.note
    assert AuditRecord.objects.filter(action="payments.refund.request").count() == 1
    sent = Message.objects.filter(recipient=paid_order.payer, template_code=refunds.NOTICE_TEMPLATE)
    assert {m.channel for m in sent} == {"in_app", "sms"}


def test_a_clerk_of_another_department_may_not_ask(paid_order):
    outsider = staff_with_role(Role.CLERK, department=DepartmentFactory())
    with pytest.raises(PermissionDenied):
        ask(paid_order, outsider)
    assert not Refund.objects.exists()


def test_finance_staff_may_not_ask_they_decide(paid_order, finance):
    with pytest.raises(PermissionDenied):
        ask(paid_order, finance)


def test_only_a_paid_order_is_refunded(item, payer, channel, clerk):
    order = make_order(item, payer, status=PaymentOrder.Status.PAYING)
    with pytest.raises(Conflict):
        ask(order, clerk)


def test_reason_and_a_positive_amount_are_required_with_chinese_first(paid_order, clerk):
    with pytest.raises(InvalidInput) as refused:
        refunds.request_refund(paid_order, amount=0, reason="  ", by=clerk)
    assert set(refused.value.fields) == {"amount", "reason"}
    assert refused.value.fields["reason"][0].startswith("请填写退费原因 / ")


def test_requests_never_add_up_to_more_than_was_paid(paid_order, clerk):
    ask(paid_order, clerk, amount=3000)
    with pytest.raises(InvalidInput) as refused:
        ask(paid_order, clerk, amount=2001)
    assert "20.00" in refused.value.fields["amount"][0]
    assert ask(paid_order, clerk, amount=2000).amount == 2000


def test_a_rejected_request_frees_its_amount(paid_order, clerk, finance):
    first = ask(paid_order, clerk, amount=5000)
    refunds.reject(first, by=finance, note="材料不符")
    assert ask(paid_order, clerk, amount=5000).status == Refund.Status.REQUESTED


def test_four_eyes_the_requester_never_decides_their_own_refund(paid_order, channel):
    both = staff_with_role(Role.CLERK, department=paid_order.department)
    StaffMembership.objects.create(user=both, department=paid_order.department, role=Role.FINANCE)
    refund = ask(paid_order, both)
    with pytest.raises(PermissionDenied) as refused:
        refunds.approve(refund, by=both)
    assert "双人复核" in refused.value.message
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REQUESTED and channel.refund_calls == []


def test_clerks_cannot_decide(paid_order, clerk):
    refund = ask(paid_order, clerk)
    other = staff_with_role(Role.APPROVER, department=paid_order.department)
    with pytest.raises(PermissionDenied):
        refunds.approve(refund, by=other)


def test_a_partial_refund_keeps_the_order_paid(paid_order, clerk, finance, channel):
    refund = refunds.approve(ask(paid_order, clerk, amount=2000), by=finance, note="同意")
    assert refund.status == Refund.Status.REFUNDED and refund.channel_refund_id
    assert channel.refund_calls == [(paid_order.number, refund.number, 2000)]
    paid_order.refresh_from_db()
    assert paid_order.status == PaymentOrder.Status.PAID and paid_order.refunded_amount == 2000
    verbs = list(
        AuditRecord.objects.filter(action__startswith="payments.refund.").values_list(
            "action", flat=True
        )
    )
    assert {"payments.refund.request", "payments.refund.approve"} <= set(verbs)
    assert "payments.refund.complete" in verbs


def test_the_whole_amount_refunded_makes_the_order_refunded(paid_order, clerk, finance):
    refunds.approve(ask(paid_order, clerk, amount=2000), by=finance)
    refunds.approve(ask(paid_order, clerk, amount=3000), by=finance)
    paid_order.refresh_from_db()
    assert paid_order.status == PaymentOrder.Status.REFUNDED
    assert paid_order.refunded_amount == 5000
    with pytest.raises(Conflict):
        ask(paid_order, clerk, amount=1)


def test_a_rejection_needs_a_reason_and_sends_nothing(paid_order, clerk, finance, channel):
    refund = ask(paid_order, clerk)
    with pytest.raises(InvalidInput):
        refunds.reject(refund, by=finance, note="")
    refund = refunds.reject(refund, by=finance, note="非本部门收费")
    assert refund.status == Refund.Status.REJECTED and channel.refund_calls == []
    with pytest.raises(Conflict):
        refunds.approve(refund, by=finance)


def test_a_channel_that_is_down_leaves_it_approved_and_the_retry_sends_it(
    paid_order, clerk, finance, channel
):
    channel.refund_mode = "down"
    refund = refunds.approve(ask(paid_order, clerk), by=finance)
    assert refund.status == Refund.Status.APPROVED
    channel.refund_mode = "refunded"
    assert refunds.retry_approved()["sent"] == 0  # not due yet
    with time_machine.travel(refund.decided_at + datetime.timedelta(minutes=6)):
        found = refunds.retry_approved()
    assert found == {"sent": 1, "refunded": 1, "failed": 0, "waiting": 0}
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDED
    # The same refund number both times: the channel's idempotency key.
    assert {call[1] for call in channel.refund_calls} == {refund.number}
    assert len(channel.refund_calls) == 2


def test_a_refused_refund_fails_and_the_payer_hears(paid_order, clerk, finance, channel):
    channel.refund_mode = "refuse"
    refund = refunds.approve(ask(paid_order, clerk), by=finance)
    assert refund.status == Refund.Status.FAILED and "拒绝" in refund.failure_reason
    paid_order.refresh_from_db()
    assert paid_order.refunded_amount == 0
    assert Message.objects.filter(idempotency_key__startswith=f"payments:refund:{refund.pk}:fail")


def test_a_processing_refund_is_completed_by_its_notice_and_the_repeat_is_a_duplicate(
    paid_order, clerk, finance, channel
):
    channel.refund_mode = "processing"
    refund = refunds.approve(ask(paid_order, clerk), by=finance)
    assert refund.status == Refund.Status.APPROVED
    assert refunds.on_notice(FAKE, notice(refund)) == Outcome.APPLIED
    assert refunds.on_notice(FAKE, notice(refund)) == Outcome.DUPLICATE
    paid_order.refresh_from_db()
    assert paid_order.refunded_amount == 2000  # counted once
    assert CaseEvent.objects.filter(case=paid_order.case, verb="refund").count() == 3


def test_an_older_notice_arriving_after_the_final_one_changes_nothing(
    paid_order, clerk, finance, channel
):
    channel.refund_mode = "processing"
    refund = refunds.approve(ask(paid_order, clerk), by=finance)
    assert refunds.on_notice(FAKE, notice(refund, "refunded", "E2", 2)) == Outcome.APPLIED
    assert refunds.on_notice(FAKE, notice(refund, "processing", "E1", 1)) == Outcome.STALE
    assert refunds.on_notice(FAKE, notice(refund, "failed", "E0", 0)) == Outcome.STALE
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDED


def test_a_notice_of_a_refund_nobody_knows_or_of_another_channel(paid_order, clerk, finance):
    refund = ask(paid_order, clerk)
    stranger = RefundAnswer("TF-NOPE", "X", "refunded")
    assert refunds.on_notice(FAKE, Notice("E", "refund.refunded", refund=stranger)) == (
        Outcome.UNKNOWN_ORDER
    )
    assert refunds.on_notice("sandbox", notice(refund)) == Outcome.UNKNOWN_ORDER
    # Still requested (never sent): a notice cannot pay it back.
    assert refunds.on_notice(FAKE, notice(refund)) == Outcome.STALE


# --- through the sandbox channel over HTTP ----------------------------------------------


def test_a_refund_goes_through_the_sandbox_and_its_notice_is_a_duplicate(
    waiting, payment_sandbox, finance
):
    from tongban.payments import services

    case, clerk, order = waiting
    order = services.start_payment(order, by=case.applicant)
    payment_sandbox.pay(order.number)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID
    refund = refunds.request_refund(order, amount=order.paid_amount, reason="不予受理", by=clerk)
    # The sandbox would post its refund notice from its own thread while answering (another
    # database connection); hold it and post it from here afterwards.
    payment_sandbox.drop_notices(True)
    refund = refunds.approve(refund, by=finance, note="同意")
    assert refund.status == Refund.Status.REFUNDED
    assert refund.channel_refund_id.startswith("SBXR")
    assert payment_sandbox.refunds[refund.number]["amount"] == order.paid_amount
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.REFUNDED
    # The sandbox's signed refund notice: received, and it changes nothing.
    payment_sandbox.drop_notices(False)
    payment_sandbox.send(payment_sandbox.notices[-1])
    heard = Callback.objects.filter(event="refund.refunded")
    assert [c.outcome for c in heard] == [Outcome.DUPLICATE]
