"""The finance API: reconciliations (finance staff, supervisors read), refunds (department
staff ask, finance staff decide)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from tongban.identity.tests.helpers import verified_login
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role
from tongban.payments import reconciliation, refunds
from tongban.payments.models import Reconciliation, Refund
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
API = "/api/v1/payments"


@pytest.fixture(autouse=True)
def next_morning():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 9, 0, tzinfo=BEIJING), tick=False):
        yield


def signed_in(user) -> Client:
    client = Client()
    verified_login(client, user)
    return client


def test_finance_runs_a_day_and_reads_the_report(finance, channel, item, payer):
    paid = make_order(item, payer, paid_at=PAID_AT)
    channel.lines = [line(paid, amount=4999)]
    client = signed_in(finance)
    answer = client.post(
        f"{API}/reconciliations",
        {"date": "2026-11-20", "provider": FAKE},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "discrepant" and body["channel_amount"] == 4999
    (item_found,) = body["discrepancies"]
    assert item_found["kind"] == "amount_mismatch" and item_found["order_number"] == paid.number
    again = client.get(f"{API}/reconciliations/{body['number']}").json()
    assert again["discrepancies"] == body["discrepancies"]
    resolved = client.post(
        f"{API}/reconciliations/{body['number']}/resolutions",
        {"discrepancy": item_found["id"], "resolution": "渠道手续费差异,已核实"},
        content_type="application/json",
    )
    assert resolved.status_code == 200 and resolved.json()["resolved"] is True


def test_the_list_is_newest_first_in_pages(finance, channel, django_assert_max_num_queries):
    for _ in range(3):
        reconciliation.reconcile(FAKE, DAY, by="system:test")
    client = signed_in(finance)
    with django_assert_max_num_queries(12):
        first = client.get(f"{API}/reconciliations", {"limit": 2}).json()
    ids = [int(r["number"]) for r in first["results"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 2
    rest = client.get(f"{API}/reconciliations", {"limit": 2, "cursor": first["next_cursor"]})
    assert [int(r["number"]) for r in rest.json()["results"]] == [min(ids) - 1]
    assert rest.json()["next_cursor"] is None


def test_supervisors_read_but_cannot_run(channel):
    reconciliation.reconcile(FAKE, DAY, by="system:test")
    client = signed_in(staff_with_role(Role.SUPERVISOR))
    assert len(client.get(f"{API}/reconciliations").json()["results"]) == 1
    answer = client.post(
        f"{API}/reconciliations", {"date": "2026-11-20"}, content_type="application/json"
    )
    assert answer.status_code == 403


def test_clerks_and_people_cannot_read_reconciliations(channel, clerk):
    found = reconciliation.reconcile(FAKE, DAY, by="system:test")
    assert signed_in(clerk).get(f"{API}/reconciliations").status_code == 403
    assert signed_in(clerk).get(f"{API}/reconciliations/{found.pk}").status_code == 403
    assert Client().get(f"{API}/reconciliations").status_code == 401


def test_a_clerk_asks_and_another_finance_officer_decides(paid_order, clerk, finance):
    answer = signed_in(clerk).post(
        f"{API}/refunds",
        {"order_number": paid_order.number, "amount": 1200, "reason": "多缴"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    number = answer.json()["number"]
    assert answer.json()["status"] == "requested"
    decided = signed_in(finance).post(
        f"{API}/refunds/{number}/decision",
        {"decision": "approve", "note": "同意"},
        content_type="application/json",
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "refunded" and decided.json()["decided_by"]


def test_refund_input_errors_are_422_with_chinese_first(paid_order, clerk):
    answer = signed_in(clerk).post(
        f"{API}/refunds",
        {"order_number": paid_order.number, "amount": 999999, "reason": "多缴"},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json()["fields"]["amount"][0].startswith("退费金额超过可退金额")


def test_another_departments_clerk_finds_no_order(paid_order):
    outsider = staff_with_role(Role.CLERK, department=DepartmentFactory())
    answer = signed_in(outsider).post(
        f"{API}/refunds",
        {"order_number": paid_order.number, "amount": 100, "reason": "x"},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert not Refund.objects.exists()


def test_the_requester_cannot_decide_and_a_clerk_cannot_decide(paid_order, clerk, finance):
    refund = refunds.request_refund(paid_order, amount=100, reason="x", by=clerk)
    answer = signed_in(clerk).post(
        f"{API}/refunds/{refund.number}/decision",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert answer.status_code == 403
    both = staff_with_role(Role.CLERK, department=paid_order.department)
    StaffMembership.objects.create(user=both, department=paid_order.department, role=Role.FINANCE)
    own = refunds.request_refund(paid_order, amount=100, reason="y", by=both)
    refused = signed_in(both).post(
        f"{API}/refunds/{own.number}/decision",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and "双人复核" in refused.json()["message"]


def test_the_refund_list_is_scoped_to_the_department(paid_order, clerk, finance):
    refunds.request_refund(paid_order, amount=100, reason="x", by=clerk)
    outsider = staff_with_role(Role.CLERK, department=DepartmentFactory())
    assert signed_in(outsider).get(f"{API}/refunds").json()["results"] == []
    assert len(signed_in(clerk).get(f"{API}/refunds").json()["results"]) == 1
    waiting = signed_in(finance).get(f"{API}/refunds", {"status": "requested"}).json()
    assert len(waiting["results"]) == 1


def test_a_reconciliation_number_that_is_not_one_is_404(finance):
    assert signed_in(finance).get(f"{API}/reconciliations/ZZ2026").status_code == 404
    assert not Reconciliation.objects.exists()


def test_a_channel_that_cannot_give_its_statement_is_503(finance, channel):
    channel.statement_down = True
    answer = signed_in(finance).post(
        f"{API}/reconciliations",
        {"date": "2026-11-20", "provider": FAKE},
        content_type="application/json",
    )
    assert answer.status_code == 503 and answer.json()["code"] == "channel_unavailable"
    assert not Reconciliation.objects.exists()
