"""Opening an order at the 缴费 step, starting payment, paying, expiry (payments.services)."""

import datetime

import pytest
import time_machine

from tongban.audit.models import AuditRecord
from tongban.cases import flow
from tongban.cases.models import CaseEvent, Status
from tongban.errors import Conflict, NotFound, PermissionDenied
from tongban.notify.models import Message
from tongban.payments import services
from tongban.payments.models import PaymentOrder
from tongban.payments.tests.factories import AMOUNT, case_at_payment, only_task
from tongban.workflow.models import Task

pytestmark = pytest.mark.django_db


def test_a_case_reaching_payment_gets_an_order_for_its_fee_items(payment_sandbox):
    case, _clerk = case_at_payment()
    order = services.order_for(case)
    assert order.status == PaymentOrder.Status.CREATED
    assert order.amount == AMOUNT and order.payer == case.applicant
    assert [(i["name"], i["amount"]) for i in order.items] == [
        ("证书工本费", 4000),
        ("邮寄费", 1050),
    ]
    task = only_task(case)
    assert (task.name, task.system, order.task_id) == ("Activity_pay", "payments", task.pk)
    assert case.status == Status.APPROVED
    assert Message.objects.filter(recipient=case.applicant, template_code="payments.due").exists()
    assert AuditRecord.objects.filter(action="payments.paymentorder.open").exists()


def test_a_case_without_fees_gets_no_order(payment_sandbox):
    from tongban.cases.tests.factories import form_item

    case, _clerk = case_at_payment(item=form_item())
    assert services.order_for(case) is None
    assert only_task(case).name == "Activity_conclude"


def test_no_one_can_do_the_payment_task_by_hand(waiting):
    case, clerk, _order = waiting
    with pytest.raises((PermissionDenied, NotFound, Conflict)):
        flow.decide(case, only_task(case), by=clerk, decision="")


def test_start_payment_opens_the_order_at_the_channel_once(waiting, payment_sandbox):
    case, _clerk, order = waiting
    started = services.start_payment(order, by=case.applicant)
    assert started.status == PaymentOrder.Status.PAYING
    assert started.pay_url.startswith(payment_sandbox.url + "/pay/")
    assert len(started.pay_code) == 20 and started.pay_code.startswith("6101")
    again = services.start_payment(started, by=case.applicant)
    assert again.pay_url == started.pay_url
    assert len(payment_sandbox.orders) == 1


def test_only_the_payer_may_start_payment(waiting):
    from tongban.cases.tests.factories import applicant_person

    _case, clerk, order = waiting
    for someone in (applicant_person(), clerk):
        with pytest.raises(PermissionDenied):
            services.start_payment(order, by=someone)


def test_paid_in_the_sandbox_completes_the_payment_step(waiting, payment_sandbox):
    case, clerk, order = waiting
    order = services.start_payment(order, by=case.applicant)
    payment_sandbox.pay(order.number)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID
    assert order.paid_amount == AMOUNT and order.paid_at is not None
    assert Task.objects.get(pk=order.task_id).status == Task.Status.COMPLETED
    task = only_task(case)
    assert task.name == "Activity_conclude"
    assert CaseEvent.objects.filter(case=case, verb="pay").count() == 1
    assert Message.objects.filter(recipient=case.applicant, template_code="payments.paid").exists()
    case = flow.decide(case, task, by=clerk, decision="", reasons="发证")
    assert case.status == Status.CONCLUDED


def test_a_failed_order_is_followed_by_a_new_one(waiting, payment_sandbox):
    case, _clerk, order = waiting
    order = services.start_payment(order, by=case.applicant)
    payment_sandbox.fail(order.number)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.FAILED
    assert services.payable(order)
    new = services.start_payment(order, by=case.applicant)
    assert new.number != order.number and new.status == PaymentOrder.Status.PAYING
    payment_sandbox.pay(new.number)
    assert only_task(case).name == "Activity_conclude"


def test_a_paid_order_cannot_be_paid_again(waiting, payment_sandbox):
    case, _clerk, order = waiting
    order = services.start_payment(order, by=case.applicant)
    payment_sandbox.pay(order.number)
    with pytest.raises(Conflict):
        services.start_payment(order, by=case.applicant)


def test_an_expired_order_is_closed_and_the_case_gets_a_new_one(waiting, payment_sandbox):
    case, _clerk, order = waiting
    order = services.start_payment(order, by=case.applicant)
    later = order.expires_at + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert services.close_expired() == 1
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.CLOSED
    assert payment_sandbox.orders[order.number]["status"] == "closed"
    new = services.order_for(case)
    assert new.pk != order.pk and new.status == PaymentOrder.Status.CREATED
    assert new.task_id == order.task_id


def test_opening_again_for_the_same_case_keeps_its_live_order(waiting):
    case, _clerk, order = waiting
    task = Task.objects.get(pk=order.task_id)
    assert services.open_order(task).pk == order.pk
    assert PaymentOrder.objects.filter(case=case).count() == 1


def test_a_payment_step_with_nothing_to_bill_does_not_hold_the_case(
    payment_sandbox, django_capture_on_commit_callbacks
):
    from tongban.cases import services as cases
    from tongban.cases.tests.factories import (
        applicant_person,
        approver_of,
        clerk_of,
        file_case,
        form_item,
    )
    from tongban.workflow import bindings

    item = form_item()
    bindings.bind(item.implementation_code, "standard_fee", by="system:test")
    case = cases.accept(file_case(item, applicant_person()), by=clerk_of(item))
    approver = approver_of(item)
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    with django_capture_on_commit_callbacks(execute=True):
        case = flow.decide(case, only_task(case), by=approver, decision="approve")
    assert services.order_for(case) is None
    assert only_task(case).name == "Activity_conclude"
