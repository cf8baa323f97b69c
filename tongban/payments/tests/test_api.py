"""The payments API: a person's own orders, one order, 去支付 (provincial apps)."""

import pytest

from tongban.cases.tests.factories import applicant_person
from tongban.identity.tests.helpers import verified_login
from tongban.payments import services
from tongban.payments.models import PaymentOrder
from tongban.payments.tests.factories import AMOUNT, case_at_payment

pytestmark = pytest.mark.django_db
BASE = "/api/v1/payments/orders"


def test_a_person_lists_their_own_orders_newest_first_in_pages(client, payment_sandbox):
    person = applicant_person()
    numbers = [services.order_for(case_at_payment(applicant=person)[0]).number for _ in range(3)]
    case_at_payment()  # someone else's
    client.force_login(person)
    first = client.get(BASE, {"limit": 2}).json()
    assert [o["number"] for o in first["items"]] == numbers[::-1][:2]
    second = client.get(BASE, {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [o["number"] for o in second["items"]] == numbers[:1]
    assert second["next_cursor"] is None
    assert first["items"][0]["amount"] == AMOUNT and first["items"][0]["yuan"] == "50.50"


def test_one_order_is_read_by_its_payer_only(client, waiting):
    case, _clerk, order = waiting
    client.force_login(case.applicant)
    found = client.get(f"{BASE}/{order.number}").json()
    assert (found["case_number"], found["status"]) == (case.number, "created")
    assert [i["amount"] for i in found["items"]] == [4000, 1050]
    client.force_login(applicant_person())
    assert client.get(f"{BASE}/{order.number}").status_code == 404


def test_department_staff_read_the_order(client, waiting):
    _case, clerk, order = waiting
    verified_login(client, clerk)
    assert client.get(f"{BASE}/{order.number}").status_code == 200


def test_pay_returns_the_channels_pay_page(client, waiting, payment_sandbox):
    case, _clerk, order = waiting
    client.force_login(case.applicant)
    answer = client.post(f"{BASE}/{order.number}/pay").json()
    assert answer["status"] == "paying" and answer["pay_url"].startswith(payment_sandbox.url)
    assert PaymentOrder.objects.get(pk=order.pk).pay_url == answer["pay_url"]


def test_pay_while_the_channel_is_down_is_503(client, waiting, payment_sandbox):
    case, _clerk, order = waiting
    payment_sandbox.go_down()
    client.force_login(case.applicant)
    response = client.post(f"{BASE}/{order.number}/pay")
    assert response.status_code == 503
    assert response.json()["code"] == "channel_unavailable"


def test_staff_cannot_pay(client, waiting):
    _case, clerk, order = waiting
    verified_login(client, clerk)
    assert client.post(f"{BASE}/{order.number}/pay").status_code == 403


def test_the_anonymous_must_sign_in(client, waiting):
    assert client.get(BASE).status_code == 401


def test_staff_of_another_department_do_not_see_the_order_finance_and_supervisors_do(
    client, waiting
):
    from tongban.org.models import StaffMembership
    from tongban.org.tests.factories import DepartmentFactory, staff_with_role

    _case, _clerk, order = waiting
    Role = StaffMembership.Role
    elsewhere = staff_with_role(Role.CLERK, department=DepartmentFactory())
    verified_login(client, elsewhere)
    assert client.get(f"{BASE}/{order.number}").status_code == 404
    for role in (Role.FINANCE, Role.SUPERVISOR):
        verified_login(client, staff_with_role(role, department=DepartmentFactory()))
        assert client.get(f"{BASE}/{order.number}").status_code == 200
