"""The finance desk and the refund request form: who reaches them, what they show, the
report's Excel export."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tongban.audit.models import AuditRecord
from tongban.identity.tests.factories import verified_person
from tongban.identity.tests.helpers import verified_login
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role
from tongban.payments import reconciliation, refunds
from tongban.payments.models import Discrepancy, Reconciliation, Refund
from tongban.payments.tests import conftest_finance as fin
from tongban.payments.tests.conftest_finance import FAKE, line, make_order

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
BEIJING = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 11, 20)
PAID_AT = datetime.datetime(2026, 11, 20, 10, 30, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def next_morning():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 9, 0, tzinfo=BEIJING), tick=False):
        yield


def signed_in(user) -> Client:
    client = Client()
    verified_login(client, user)
    return client


@pytest.fixture
def report(item, payer, channel):
    """A day with one matched payment and one seeded amount mismatch."""
    good = make_order(item, payer, amount=5000, paid_at=PAID_AT)
    bad = make_order(item, payer, amount=3000, paid_at=PAID_AT)
    channel.lines = [line(good), line(bad, amount=2500)]
    return reconciliation.reconcile(FAKE, DAY, by="system:test"), bad


def test_finance_staff_see_the_desk_and_run_a_day(finance, channel, item, payer):
    paid = make_order(item, payer, paid_at=PAID_AT)
    channel.lines = [line(paid)]
    client = signed_in(finance)
    desk = client.get(reverse("payments:finance_desk"))
    assert desk.status_code == 200 and "按日对账" in desk.content.decode()
    answer = client.post(reverse("payments:finance_run"), {"date": "2026-11-20", "provider": FAKE})
    found = Reconciliation.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("payments:finance_report", args=[found.pk])
    page = client.get(answer["Location"]).content.decode()
    assert "账务相符" in page and "50.00" in page


def test_running_today_is_refused_with_a_message(finance, channel):
    client = signed_in(finance)
    answer = client.post(
        reverse("payments:finance_run"), {"date": "2026-11-21", "provider": FAKE}, follow=True
    )
    assert "只能对已结束的日期对账" in answer.content.decode()
    assert not Reconciliation.objects.exists()


def test_the_report_lists_the_discrepancy_and_finance_resolve_it(report, finance):
    found, bad = report
    client = signed_in(finance)
    url = reverse("payments:finance_report", args=[found.pk])
    page = client.get(url).content.decode()
    assert bad.number in page and "金额不符" in page and "25.00" in page and "30.00" in page
    item = found.discrepancies.get()
    answer = client.post(
        reverse("payments:finance_resolve", args=[found.pk]),
        {"discrepancy": item.pk, "resolution": "渠道少记,已联系更正"},
    )
    assert answer.status_code == 302
    item.refresh_from_db()
    assert item.resolved and item.resolved_by == finance
    assert "渠道少记,已联系更正" in client.get(url).content.decode()


def test_the_excel_export_opens_and_has_the_rows(report, finance):
    found, bad = report
    answer = signed_in(finance).get(reverse("payments:finance_report_xlsx", args=[found.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(answer.content))
    summary = {row[0]: row[1] for row in book["对账汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["平账笔数"] == 1 and summary["渠道净额(元)"] == "75.00"
    rows = list(book["差错明细"].iter_rows(values_only=True))
    assert rows[0][:2] == ("差错类型", "订单号")
    assert rows[1][:5] == ("金额不符", bad.number, bad.channel_order_id, "30.00", "25.00")
    assert len(rows) == 2
    assert AuditRecord.objects.filter(action="payments.reconciliation.export").count() == 1


def test_supervisors_read_reports_but_neither_run_nor_resolve(report):
    found, _bad = report
    client = signed_in(staff_with_role(Role.SUPERVISOR))
    page = client.get(reverse("payments:finance_report", args=[found.pk])).content.decode()
    assert "标记已处理" not in page
    run = client.post(reverse("payments:finance_run"), {"date": "2026-11-20"})
    assert run.status_code == 403
    item = found.discrepancies.get()
    resolve = client.post(
        reverse("payments:finance_resolve", args=[found.pk]),
        {"discrepancy": item.pk, "resolution": "x"},
    )
    assert resolve.status_code == 403
    assert not Discrepancy.objects.filter(resolved=True).exists()


@pytest.mark.parametrize("role", [Role.CLERK, Role.APPROVER, Role.DEPT_ADMIN])
def test_department_staff_cannot_reach_the_finance_desk(report, role, item):
    found, _bad = report
    client = signed_in(staff_with_role(role, department=item.department))
    for name, args in [
        ("payments:finance_desk", []),
        ("payments:finance_report", [found.pk]),
        ("payments:finance_report_xlsx", [found.pk]),
        ("payments:finance_refunds", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name


def test_people_are_sent_to_sign_in_and_cannot_reach_the_desk(report):
    client = Client()
    client.force_login(verified_person())
    answer = client.get(reverse("payments:finance_desk"))
    assert answer.status_code == 302 and "login" in answer["Location"]
    assert Client().get(reverse("payments:finance_refunds")).status_code == 302


def test_the_clerk_asks_for_a_refund_from_the_order(paid_order, clerk):
    client = signed_in(clerk)
    url = reverse("payments:refund_request", args=[paid_order.number])
    page = client.get(url).content.decode()
    assert paid_order.number in page and "50.00" in page
    answer = client.post(url, {"amount": "12.50", "reason": "多缴"})
    assert answer.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount, refund.requested_by) == (1250, clerk)
    refused = client.post(url, {"amount": "40", "reason": "再退"}).content.decode()
    assert "37.50" in refused and Refund.objects.count() == 1
    odd = client.post(url, {"amount": "1.234", "reason": "x"}).content.decode()
    assert "大于零" in odd


def test_staff_of_another_department_get_no_refund_form(paid_order):
    client = signed_in(staff_with_role(Role.CLERK, department=DepartmentFactory()))
    url = reverse("payments:refund_request", args=[paid_order.number])
    assert client.get(url).status_code == 404
    assert client.post(url, {"amount": "1", "reason": "x"}).status_code == 404
    assert signed_in(staff_with_role(Role.FINANCE)).get(url).status_code == 403


def test_the_refund_queue_approves_and_rejects(paid_order, clerk, finance, other_finance, channel):
    first = refunds.request_refund(paid_order, amount=1000, reason="多缴", by=clerk)
    second = refunds.request_refund(paid_order, amount=500, reason="重复", by=clerk)
    client = signed_in(finance)
    queue = client.get(reverse("payments:finance_refunds")).content.decode()
    assert first.number in queue and second.number in queue and "批准" in queue
    decide = reverse("payments:finance_refund_decide", args=[first.number])
    assert client.post(decide, {"decision": "approve", "note": "同意"}).status_code == 302
    client.post(
        reverse("payments:finance_refund_decide", args=[second.number]),
        {"decision": "reject", "note": "不符合退费条件"},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Refund.Status.REFUNDED and first.decided_by == finance
    assert second.status == Refund.Status.REJECTED
    again = client.post(decide, {"decision": "reject", "note": "x"}, follow=True)
    assert "不能再审批" in again.content.decode()


def test_the_requester_sees_no_decision_buttons_on_their_own_refund(paid_order, channel):
    both = staff_with_role(Role.CLERK, department=paid_order.department)
    StaffMembership.objects.create(user=both, department=paid_order.department, role=Role.FINANCE)
    refund = refunds.request_refund(paid_order, amount=1000, reason="多缴", by=both)
    client = signed_in(both)
    queue = client.get(reverse("payments:finance_refunds")).content.decode()
    assert "须由其他财务人员审批" in queue
    answer = client.post(
        reverse("payments:finance_refund_decide", args=[refund.number]),
        {"decision": "approve"},
        follow=True,
    )
    assert "双人复核" in answer.content.decode()
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REQUESTED
