"""The whole flow through HTTP: the case waits at 缴费, the person pays on the sandbox's pay
page, the sandbox's notice reaches the live server over real HTTP, the workflow moves on and
the clerk concludes. Then the pages one by one (the panel, the order page, refusals)."""

import http.client
import urllib.request
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.cases.models import Status
from tongban.cases.tests.factories import applicant_person, approver_of, clerk_of, file_case
from tongban.identity.tests.helpers import verified_login
from tongban.payments import services
from tongban.payments.models import PaymentOrder
from tongban.payments.tests.factories import case_at_payment, fee_item, only_task
from tongban.workflow.models import Task


def act(client, case, action, **data):
    url = reverse("portal:workbench_act", args=[case.number, action])
    return client.post(url, data)


def click(pay_url: str, action: str) -> http.client.HTTPResponse:
    """The person's browser posts the sandbox pay page's form (no redirect followed)."""
    url = urlsplit(pay_url)
    connection_ = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection_.request(
        "POST",
        url.path,
        body=f"action={action}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return connection_.getresponse()


@pytest.mark.django_db(transaction=True)
def test_a_fee_case_waits_is_paid_through_the_sandbox_and_moves_on(
    live_sandbox, client, notice_templates
):
    item = fee_item()
    person = applicant_person()
    case = file_case(item, person)
    clerk, approver = clerk_of(item), approver_of(item)
    staff = client.__class__()
    verified_login(staff, clerk)
    assert act(staff, case, "accept").status_code == 302
    case.refresh_from_db()
    verified_login(staff, approver)
    for _step in range(2):
        act(staff, case, "decide", task=only_task(case).pk, decision="approve")
    case.refresh_from_db()
    assert case.status == Status.APPROVED
    task = only_task(case)
    assert task.name == "Activity_pay"
    order = services.order_for(case)

    client.force_login(person)
    page = client.get(reverse("portal:my_case", args=[case.number]))
    assert order.number in page.content.decode() and "去支付" in page.content.decode()
    detail = client.get(reverse("payments:order", args=[order.number])).content.decode()
    assert "50.50" in detail and "去支付" in detail
    response = client.post(reverse("payments:pay", args=[order.number]))
    assert response.status_code == 302
    pay_url = response["Location"]
    assert pay_url.startswith(live_sandbox.url + "/pay/")
    with urllib.request.urlopen(pay_url, timeout=10) as sandbox_page:
        assert "支付成功" in sandbox_page.read().decode()

    answer = click(pay_url, "paid")
    assert answer.status == 303
    assert answer.getheader("Location").startswith(live_sandbox_return(order))
    assert live_sandbox.deliveries == [(live_sandbox.notices[0]["event_id"], 200)]
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID
    assert Task.objects.get(pk=task.pk).status == Task.Status.COMPLETED
    conclude = only_task(case)
    assert conclude.name == "Activity_conclude"

    back = client.get(reverse("payments:return", args=[order.number]))
    assert "缴费成功" in back.content.decode()

    verified_login(staff, clerk)
    act(staff, case, "decide", task=conclude.pk, decision="", reasons="发证")
    case.refresh_from_db()
    assert case.status == Status.CONCLUDED


def live_sandbox_return(order) -> str:
    from django.conf import settings

    return settings.PAYMENTS_PUBLIC_URL + reverse("payments:return", args=[order.number])


@pytest.mark.django_db
def test_the_applicant_panel_shows_the_order_and_the_pay_button(client, waiting):
    case, _clerk, order = waiting
    client.force_login(case.applicant)
    html = client.get(reverse("portal:my_case", args=[case.number])).content.decode()
    for text in (order.number, "50.50", "证书工本费", "40.00", "待缴费", "去支付"):
        assert text in html
    assert "渠道交易号" not in html


@pytest.mark.django_db
def test_the_workbench_panel_shows_the_channel_side(client, waiting, payment_sandbox):
    case, clerk, order = waiting
    order = services.start_payment(order, by=case.applicant)
    payment_sandbox.set_repeat(2)
    payment_sandbox.pay(order.number)
    verified_login(client, clerk)
    html = client.get(reverse("portal:workbench_case", args=[case.number])).content.decode()
    for text in (order.number, order.pay_code, order.channel_order_id, "已缴费", "2 次"):
        assert text in html
    assert "去支付" not in html


@pytest.mark.django_db
def test_the_panel_takes_at_most_two_queries(rf, waiting):
    from django.template import Context, Template

    case, _clerk, _order = waiting
    request = rf.get("/")
    request.user = case.applicant
    template = Template("{% load payments %}{% payment_panel case 'applicant' %}")
    with CaptureQueriesContext(connection) as queries:
        html = template.render(Context({"case": case, "request": request}))
    assert "去支付" in html and len(queries) <= 2


@pytest.mark.django_db
def test_the_order_page_is_the_payers_only(client, waiting):
    case, clerk, order = waiting
    url = reverse("payments:order", args=[order.number])
    client.force_login(case.applicant)
    assert "去支付" in client.get(url).content.decode()
    client.force_login(applicant_person())
    assert client.get(url).status_code == 404
    client.force_login(clerk)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_paying_while_the_channel_is_down_says_so(client, waiting, payment_sandbox):
    case, _clerk, order = waiting
    payment_sandbox.go_down()
    client.force_login(case.applicant)
    response = client.post(reverse("payments:pay", args=[order.number]))
    assert response.status_code == 503 and "支付渠道暂不可用" in response.content.decode()


@pytest.mark.django_db
def test_coming_back_before_the_notice_asks_the_channel(client, waiting, payment_sandbox):
    case, _clerk, order = waiting
    order = services.start_payment(order, by=case.applicant)
    payment_sandbox.drop_notices()
    payment_sandbox.pay(order.number)
    client.force_login(case.applicant)
    html = client.get(reverse("payments:return", args=[order.number])).content.decode()
    assert "缴费成功" in html
    assert only_task(case).name == "Activity_conclude"


@pytest.mark.django_db
def test_a_case_without_order_shows_no_panel(client, payment_sandbox):
    from tongban.cases.tests.factories import form_item

    case, _clerk = case_at_payment(item=form_item())
    client.force_login(case.applicant)
    html = client.get(reverse("portal:my_case", args=[case.number])).content.decode()
    assert "缴费订单号" not in html
