"""Channel notices through the notice endpoint: verified, stored, applied at most once.

Each test posts what a channel could send (the sandbox signs it) through
``POST /payments/notify/sandbox/`` and checks the order, the workflow and the stored
``Callback``: a notice twice, forged, out of order, late, with the wrong amount, failed
then paid, paid then failed.
"""

import json

import pytest

from tongban.audit.models import AuditRecord
from tongban.cases.models import CaseEvent
from tongban.payments import services
from tongban.payments.models import Callback, PaymentOrder
from tongban.payments.tests.factories import only_task
from tongban.workflow.models import Task

pytestmark = pytest.mark.django_db
Outcome = Callback.Outcome
Status = PaymentOrder.Status
NOTIFY = "/payments/notify/sandbox/"


@pytest.fixture
def paying(waiting):
    case, clerk, order = waiting
    return case, clerk, services.start_payment(order, by=case.applicant)


def post(client, sandbox, body: dict, *, secret: str | None = None):
    headers, raw = sandbox.signed("http://testserver" + NOTIFY, body)
    if secret is not None:
        forger = type(sandbox)(sandbox.merchant_id, secret)
        headers, raw = forger.signed("http://testserver" + NOTIFY, body)
    sent = {k: v for k, v in headers.items() if k != "Content-Type"}
    return client.post(NOTIFY, data=raw, content_type="application/json", headers=sent)


def outcomes(order) -> list[str]:
    return list(order.callbacks.order_by("pk").values_list("outcome", flat=True))


def pay_steps(case) -> int:
    return CaseEvent.objects.filter(case=case, verb="pay").count()


def test_a_paid_notice_is_acknowledged_and_applied(client, paying, payment_sandbox):
    case, _clerk, order = paying
    payment_sandbox.drop_notices()
    body = payment_sandbox.notify(payment_sandbox.pay(order.number), "payment.paid")
    response = post(client, payment_sandbox, body)
    assert response.status_code == 200 and response.json()["code"] == "SUCCESS"
    order.refresh_from_db()
    assert order.status == Status.PAID and outcomes(order)[-1] == Outcome.APPLIED
    assert only_task(case).name == "Activity_conclude"


def test_a_repeated_notice_pays_once(paying, payment_sandbox):
    case, _clerk, order = paying
    payment_sandbox.set_repeat(3)
    payment_sandbox.pay(order.number)
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert outcomes(order) == [Outcome.APPLIED, Outcome.DUPLICATE, Outcome.DUPLICATE]
    assert [status for _id, status in payment_sandbox.deliveries] == [200, 200, 200]
    assert pay_steps(case) == 1
    assert Task.objects.filter(pk=order.task_id, status=Task.Status.COMPLETED).count() == 1
    assert AuditRecord.objects.filter(action="payments.paymentorder.pay").count() == 1


def test_a_forged_notice_is_refused_logged_and_changes_nothing(client, paying, payment_sandbox):
    case, _clerk, order = paying
    body = {
        "event_id": "EVT-FORGED",
        "event": "payment.paid",
        "sequence": 1,
        "number": order.number,
        "channel_order_id": order.channel_order_id,
        "status": "paid",
        "amount": order.amount,
        "paid_at": None,
        "reason": "",
    }
    response = post(client, payment_sandbox, body, secret="not-the-channel-secret")
    assert response.status_code == 401
    order.refresh_from_db()
    assert order.status == Status.PAYING
    stored = Callback.objects.get(event_id="EVT-FORGED")
    assert (stored.outcome, stored.signature_ok) == (Outcome.BAD_SIGNATURE, False)
    assert only_task(case).name == "Activity_pay"


def test_a_tampered_body_fails_its_signature(client, paying, payment_sandbox):
    _case, _clerk, order = paying
    payment_sandbox.drop_notices()
    body = payment_sandbox.notify(payment_sandbox.fail(order.number), "payment.failed")
    headers, raw = payment_sandbox.signed("http://testserver" + NOTIFY, body)
    raw = raw.replace(b'"failed"', b'"paid"', 2)
    sent = {k: v for k, v in headers.items() if k != "Content-Type"}
    response = client.post(NOTIFY, data=raw, content_type="application/json", headers=sent)
    assert response.status_code == 401
    order.refresh_from_db()
    assert order.status == Status.PAYING


def test_an_older_failed_notice_after_paid_changes_nothing(client, paying, payment_sandbox):
    """Out of order: the channel said failed (seq 1) then paid (seq 2); paid arrives first."""
    case, _clerk, order = paying
    payment_sandbox.drop_notices()
    failed = payment_sandbox.notify(payment_sandbox.orders[order.number], "payment.failed")
    failed = {**failed, "status": "failed", "reason": "超时"}
    paid = payment_sandbox.notify(payment_sandbox.pay(order.number), "payment.paid")
    assert post(client, payment_sandbox, paid).status_code == 200
    assert post(client, payment_sandbox, failed).status_code == 200
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert outcomes(order) == [Outcome.APPLIED, Outcome.STALE]
    assert pay_steps(case) == 1


def test_an_older_paid_notice_after_failed_never_pays(client, paying, payment_sandbox):
    """Out of order the other way: failed (newer) is applied first; the older paid notice
    arriving late never marks the failed payment as paid."""
    case, _clerk, order = paying
    payment_sandbox.drop_notices()
    paid = payment_sandbox.notify(payment_sandbox.orders[order.number], "payment.paid")
    paid = {**paid, "status": "paid", "amount": order.amount}
    failed = payment_sandbox.notify(payment_sandbox.fail(order.number), "payment.failed")
    assert post(client, payment_sandbox, failed).status_code == 200
    assert post(client, payment_sandbox, paid).status_code == 200
    order.refresh_from_db()
    assert order.status == Status.FAILED
    assert outcomes(order) == [Outcome.APPLIED, Outcome.STALE]
    assert only_task(case).name == "Activity_pay" and pay_steps(case) == 0


def test_a_late_paid_notice_after_failed_never_pays(client, paying, payment_sandbox):
    """Failed, then a newer paid notice: a failed order is never marked paid. The notice is
    kept and audited for finance (reconciliation shows the money if the channel took it)."""
    case, _clerk, order = paying
    payment_sandbox.fail(order.number)
    order.refresh_from_db()
    assert order.status == Status.FAILED
    payment_sandbox.orders[order.number]["status"] = "paying"  # the channel retried the debit
    payment_sandbox.pay(order.number)
    order.refresh_from_db()
    assert order.status == Status.FAILED
    assert outcomes(order) == [Outcome.APPLIED, Outcome.STALE]
    assert AuditRecord.objects.filter(
        action="payments.paymentorder.paid_after_failure", object_id=str(order.pk)
    ).exists()
    assert only_task(case).name == "Activity_pay"


def test_a_failed_notice_for_a_paid_order_is_ignored(client, paying, payment_sandbox):
    """Paid then failed (even a newer failed notice): a paid order never becomes failed."""
    _case, _clerk, order = paying
    payment_sandbox.pay(order.number)
    payment_sandbox.drop_notices()
    failed = payment_sandbox.notify(payment_sandbox.orders[order.number], "payment.paid")
    failed = {**failed, "event": "payment.failed", "status": "failed"}
    assert post(client, payment_sandbox, failed).status_code == 200
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert outcomes(order) == [Outcome.APPLIED, Outcome.STALE]


def test_a_late_repeat_of_an_old_notice_is_a_duplicate(client, paying, payment_sandbox):
    _case, _clerk, order = paying
    payment_sandbox.pay(order.number)
    first = payment_sandbox.notices[0]
    assert post(client, payment_sandbox, first).status_code == 200  # a day later, re-signed
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert outcomes(order) == [Outcome.APPLIED, Outcome.DUPLICATE]


def test_a_paid_notice_with_another_amount_does_not_pay(paying, payment_sandbox):
    case, _clerk, order = paying
    payment_sandbox.pay(order.number, amount=order.amount - 1)
    order.refresh_from_db()
    assert order.status == Status.PAYING
    assert outcomes(order) == [Outcome.AMOUNT_MISMATCH]
    assert AuditRecord.objects.filter(action="payments.paymentorder.amount_mismatch").exists()
    assert only_task(case).name == "Activity_pay"


def test_a_notice_for_an_unknown_order_is_kept(client, paying, payment_sandbox):
    body = {
        "event_id": "EVT-UNKNOWN",
        "event": "payment.paid",
        "sequence": 5,
        "number": "JF20260101000000000000",
        "channel_order_id": "X",
        "status": "paid",
        "amount": 100,
        "paid_at": None,
        "reason": "",
    }
    assert post(client, payment_sandbox, body).status_code == 200
    assert Callback.objects.get(event_id="EVT-UNKNOWN").outcome == Outcome.UNKNOWN_ORDER


def test_a_malformed_notice_is_refused(client, paying, payment_sandbox):
    response = post(client, payment_sandbox, {"event_id": "EVT-BAD", "event": "payment.paid"})
    assert response.status_code == 400
    assert Callback.objects.get(event_id="EVT-BAD").outcome == Outcome.INVALID


def test_an_unknown_channel_is_not_found(client, db):
    response = client.post("/payments/notify/nosuch/", data=json.dumps({}), content_type="x")
    assert response.status_code == 404
