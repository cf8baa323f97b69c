"""Daily reconciliation: matched, missing on either side, amount and status mismatches, the
callback that never arrived settled, re-runs, resolving, the task and the command."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from tongban.audit.models import AuditRecord
from tongban.errors import Conflict, InvalidInput, PermissionDenied
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role
from tongban.payments import finance_tasks, reconciliation, refunds
from tongban.payments.models import Discrepancy, PaymentOrder, Reconciliation, Refund, Statement
from tongban.payments.providers.base import PaymentState, StatementLine
from tongban.payments.tests import conftest_finance as fin
from tongban.payments.tests.conftest_finance import FAKE, line, make_order, refund_line

pytestmark = pytest.mark.django_db

# The shared fixtures (tests/conftest.py belongs to the orders side).
channel = fin.channel
clerk = fin.clerk
finance = fin.finance
item = fin.item
other_finance = fin.other_finance
payer = fin.payer
Role = StaffMembership.Role
Kind = Discrepancy.Kind
BEIJING = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 11, 20)
PAID_AT = datetime.datetime(2026, 11, 20, 10, 30, tzinfo=BEIJING)
NEXT_MORNING = datetime.datetime(2026, 11, 21, 2, 0, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def next_morning():
    with time_machine.travel(NEXT_MORNING, tick=False):
        yield


def order(item, payer, amount=5000, **kwargs):
    kwargs.setdefault("paid_at", PAID_AT)
    return make_order(item, payer, amount=amount, **kwargs)


def run(by="system:test"):
    return reconciliation.reconcile(FAKE, DAY, by=by)


def kinds(found) -> dict[str, str]:
    return {d.order_number: d.kind for d in found.discrepancies.all()}


def test_a_balanced_day_matches_every_line_and_keeps_the_statement(item, payer, channel):
    first, second = order(item, payer, 5000), order(item, payer, 1250)
    channel.lines = [line(first), line(second)]
    found = run()
    assert found.status == Reconciliation.Status.BALANCED
    assert (found.matched_count, found.matched_amount) == (2, 6250)
    assert (found.platform_count, found.platform_amount) == (2, 6250)
    assert (found.channel_count, found.channel_amount) == (2, 6250)
    statement = Statement.objects.get(provider=FAKE, date=DAY)
    assert first.number in statement.content and len(statement.sha256) == 64
    assert AuditRecord.objects.filter(action="payments.reconciliation.run").exists()


def test_a_seeded_amount_mismatch_is_found(item, payer, channel):
    right, wrong = order(item, payer, 5000), order(item, payer, 3000)
    channel.lines = [line(right), line(wrong, amount=2990)]
    found = run()
    assert found.status == Reconciliation.Status.DISCREPANT
    assert found.matched_count == 1
    mismatch = found.discrepancies.get()
    assert (mismatch.kind, mismatch.order_number) == (Kind.AMOUNT_MISMATCH, wrong.number)
    assert (mismatch.platform_amount, mismatch.channel_amount) == (3000, 2990)
    assert mismatch.order == wrong and not mismatch.resolved


def test_a_payment_missing_from_the_statement_is_short(item, payer, channel):
    kept, missing = order(item, payer), order(item, payer)
    channel.lines = [line(kept)]
    found = run()
    assert kinds(found) == {missing.number: Kind.MISSING_ON_CHANNEL}
    assert found.platform_count == 2 and found.channel_count == 1


def test_a_line_the_platform_does_not_know_is_long(item, payer, channel):
    known = order(item, payer)
    stray = StatementLine("JFNOSUCHORDER01", "FKSTRAY", "payment", 800, PAID_AT)
    channel.lines = [line(known), stray]
    found = run()
    item_found = found.discrepancies.get()
    assert (item_found.kind, item_found.order_number) == (Kind.MISSING_ON_PLATFORM, stray.number)
    assert item_found.channel_amount == 800 and item_found.order is None
    assert found.channel_amount == 5800 and found.platform_amount == 5000


def test_a_payment_whose_callback_never_arrived_is_settled_by_reconciliation(item, payer, channel):
    waiting = order(item, payer, status=PaymentOrder.Status.PAYING)
    assert waiting.paid_at is None
    channel.states[waiting.number] = PaymentState(
        waiting.number, waiting.channel_order_id, "paid", amount=5000, paid_at=PAID_AT
    )
    channel.lines = [
        StatementLine(waiting.number, waiting.channel_order_id, "payment", 5000, PAID_AT)
    ]
    found = run()
    waiting.refresh_from_db()
    assert waiting.status == PaymentOrder.Status.PAID and waiting.paid_amount == 5000
    settled = found.discrepancies.get()
    assert settled.kind == Kind.MISSING_ON_PLATFORM and settled.resolved
    assert "补记" in settled.note and settled.resolved_at is not None
    assert found.matched_count == 1


def test_an_unpaid_order_the_channel_cannot_confirm_stays_a_discrepancy(item, payer, channel):
    waiting = order(item, payer, status=PaymentOrder.Status.PAYING)
    channel.lines = [
        StatementLine(waiting.number, waiting.channel_order_id, "payment", 5000, PAID_AT)
    ]
    found = run()  # the fake channel's query knows nothing of it
    open_item = found.discrepancies.get()
    assert open_item.kind == Kind.MISSING_ON_PLATFORM and not open_item.resolved
    assert open_item.order == waiting


def test_a_closed_order_the_channel_was_paid_for_is_a_status_mismatch(item, payer, channel):
    closed = order(item, payer, status=PaymentOrder.Status.CLOSED)
    channel.lines = [
        StatementLine(closed.number, closed.channel_order_id, "payment", 5000, PAID_AT)
    ]
    assert kinds(run()) == {closed.number: Kind.STATUS_MISMATCH}


def test_refunds_of_the_day_are_matched_by_refund_number(item, payer, channel, clerk, finance):
    paid = order(item, payer, 5000)
    with time_machine.travel(PAID_AT + datetime.timedelta(hours=2), tick=False):
        refund = refunds.approve(
            refunds.request_refund(paid, amount=1500, reason="多缴", by=clerk), by=finance
        )
    assert refund.status == Refund.Status.REFUNDED
    channel.lines = [line(paid), refund_line(refund)]
    found = run()
    assert found.status == Reconciliation.Status.BALANCED
    assert (found.matched_count, found.matched_amount) == (2, 3500)
    assert found.platform_amount == found.channel_amount == 3500


def test_a_refund_whose_notice_never_came_is_completed_from_the_statement(
    item, payer, channel, clerk, finance
):
    paid = order(item, payer, 5000)
    channel.refund_mode = "processing"
    with time_machine.travel(PAID_AT + datetime.timedelta(hours=2), tick=False):
        refund = refunds.approve(
            refunds.request_refund(paid, amount=5000, reason="不予受理", by=clerk), by=finance
        )
    assert refund.status == Refund.Status.APPROVED
    channel.lines = [
        line(paid),
        StatementLine(paid.number, paid.channel_order_id, "refund", 5000, PAID_AT, refund.number),
    ]
    found = run()
    refund.refresh_from_db()
    paid.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDED
    assert paid.status == PaymentOrder.Status.REFUNDED
    settled = found.discrepancies.get()
    assert settled.kind == Kind.MISSING_ON_PLATFORM and settled.resolved


def test_a_refund_amount_mismatch_is_found(item, payer, channel, clerk, finance):
    paid = order(item, payer, 5000)
    with time_machine.travel(PAID_AT + datetime.timedelta(hours=1), tick=False):
        refund = refunds.approve(
            refunds.request_refund(paid, amount=1000, reason="多缴", by=clerk), by=finance
        )
    channel.lines = [line(paid), refund_line(refund, amount=1100)]
    mismatch = run().discrepancies.get()
    assert mismatch.kind == Kind.AMOUNT_MISMATCH
    assert (mismatch.platform_amount, mismatch.channel_amount) == (-1000, -1100)


def test_a_rerun_reuses_the_statement_and_records_a_changed_file(item, payer, channel):
    paid = order(item, payer)
    channel.lines = [line(paid, amount=4000)]
    first = run()
    channel.lines = [line(paid)]
    second = run()
    assert Statement.objects.filter(provider=FAKE, date=DAY).count() == 1
    assert first.statement_id == second.statement_id
    assert first.status == Reconciliation.Status.DISCREPANT
    assert second.status == Reconciliation.Status.BALANCED
    assert AuditRecord.objects.filter(action="payments.statement.replace").count() == 1
    third = run()
    assert AuditRecord.objects.filter(action="payments.statement.replace").count() == 1
    assert Reconciliation.objects.filter(date=DAY).count() == 3 and third.pk > second.pk


def test_a_day_not_yet_over_is_refused(channel):
    with pytest.raises(InvalidInput):
        reconciliation.reconcile(FAKE, DAY + datetime.timedelta(days=1), by="system:test")


def test_only_finance_staff_run_it(channel, clerk, finance):
    with pytest.raises(PermissionDenied):
        run(by=clerk)
    with pytest.raises(PermissionDenied):
        run(by=staff_with_role(Role.SUPERVISOR))
    assert run(by=finance).run_by == finance.get_username()


def test_finance_staff_resolve_a_discrepancy_once(item, payer, channel, finance):
    paid = order(item, payer)
    channel.lines = [line(paid, amount=1)]
    mismatch = run().discrepancies.get()
    with pytest.raises(PermissionDenied):
        reconciliation.resolve(mismatch, by=staff_with_role(Role.SUPERVISOR), resolution="看过")
    with pytest.raises(InvalidInput):
        reconciliation.resolve(mismatch, by=finance, resolution=" ")
    done = reconciliation.resolve(mismatch, by=finance, resolution="渠道已更正对账单")
    assert done.resolved and done.resolved_by == finance
    with pytest.raises(Conflict):
        reconciliation.resolve(mismatch, by=finance, resolution="again")
    assert AuditRecord.objects.filter(action="payments.discrepancy.resolve").count() == 1


def test_orders_paid_on_another_day_or_another_channel_are_not_counted(item, payer, channel):
    order(item, payer, paid_at=PAID_AT - datetime.timedelta(days=1))
    late = order(item, payer, paid_at=datetime.datetime(2026, 11, 20, 23, 59, tzinfo=BEIJING))
    elsewhere = order(item, payer)
    PaymentOrder.objects.filter(pk=elsewhere.pk).update(provider="sandbox")
    channel.lines = [line(late)]
    found = run()
    assert found.status == Reconciliation.Status.BALANCED and found.platform_count == 1


def test_reconciling_a_busy_day_is_a_few_queries(
    item, payer, channel, django_assert_max_num_queries
):
    orders = [order(item, payer, 100 + n) for n in range(30)]
    channel.lines = [line(o) for o in orders[:-1]] + [line(orders[-1], amount=1)]
    with django_assert_max_num_queries(20):
        found = run()
    assert found.matched_count == 29 and found.discrepancies.count() == 1


def test_the_daily_task_reconciles_yesterday_once(item, payer, channel, settings):
    settings.PAYMENTS_PROVIDER = FAKE
    paid = order(item, payer)
    channel.lines = [line(paid)]
    first = finance_tasks.reconcile_due()
    assert first.date == DAY and first.status == Reconciliation.Status.BALANCED
    assert first.run_by == reconciliation.SYSTEM
    assert finance_tasks.reconcile_due() is None


def test_the_next_daily_run_is_at_the_configured_hour(settings):
    settings.PAYMENTS_RECONCILE_HOUR = 3
    at = finance_tasks.next_reconcile_at().astimezone(BEIJING)
    assert (at.date(), at.hour) == (DAY + datetime.timedelta(days=1), 3)
    settings.PAYMENTS_RECONCILE_HOUR = 1
    assert finance_tasks.next_reconcile_at().astimezone(BEIJING).day == 22


def test_the_command_reconciles_a_date_and_fails_on_discrepancies(item, payer, channel, capsys):
    paid = order(item, payer)
    channel.lines = [line(paid)]
    call_command("payments_reconcile", "--date", DAY.isoformat(), "--provider", FAKE)
    assert "balanced" in capsys.readouterr().out
    channel.lines = []
    with pytest.raises(SystemExit):
        call_command("payments_reconcile", "--date", DAY.isoformat(), "--provider", FAKE)
    assert Reconciliation.objects.filter(date=DAY).count() == 2


# --- through the sandbox channel over HTTP ----------------------------------------------


def test_the_sandbox_statement_with_a_seeded_mismatch_and_a_lost_callback(
    payment_sandbox, settings
):
    from tongban.payments import services
    from tongban.payments.tests.factories import case_at_payment

    with time_machine.travel(PAID_AT, tick=False):
        orders = []
        for _ in range(3):
            case, _clerk = case_at_payment()
            orders.append(services.start_payment(services.order_for(case), by=case.applicant))
        tampered, lost, fine = orders
        payment_sandbox.pay(tampered.number)
        payment_sandbox.pay(fine.number)
        payment_sandbox.drop_notices(True)
        payment_sandbox.pay(lost.number)  # the channel has it; no callback comes
    payment_sandbox.tamper_statement(tampered.number, 1)
    lost.refresh_from_db()
    assert lost.status == PaymentOrder.Status.PAYING
    found = reconciliation.reconcile("sandbox", DAY, by="system:test")
    lost.refresh_from_db()
    assert lost.status == PaymentOrder.Status.PAID
    assert kinds(found) == {
        tampered.number: Kind.AMOUNT_MISMATCH,
        lost.number: Kind.MISSING_ON_PLATFORM,
    }
    assert found.discrepancies.get(kind=Kind.MISSING_ON_PLATFORM).resolved
    assert found.matched_count == 2 and found.channel_count == 3


def test_the_daily_task_waits_for_a_channel_that_is_down(channel, settings):
    settings.PAYMENTS_PROVIDER = FAKE
    channel.statement_down = True
    assert finance_tasks.reconcile_yesterday.call() == "retry"
    assert not Reconciliation.objects.exists()
    channel.statement_down = False
    assert finance_tasks.reconcile_yesterday.call() == "balanced"
    assert finance_tasks.reconcile_yesterday.call() == "done"
