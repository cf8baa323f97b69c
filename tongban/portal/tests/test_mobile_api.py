"""The API-only path a provincial mobile app follows (docs/mobile.md), end to end with API
calls only, as the person whose OIDC access token the app holds: find an item, read its
guide, apply, read the case, download the receipt, pay the fee in the payment sandbox, rate
the concluded case. The department's steps (accept, approve, conclude) are staff work done
through the services, as they would be at the workbench."""

import base64
import datetime

import pytest
from authlib.common.security import generate_token
from django.test import Client
from oauth2_provider.models import AccessToken

from tongban.cases import flow
from tongban.cases import services as cases
from tongban.cases.models import Case
from tongban.cases.tests.factories import applicant_person, approver_of, clerk_of
from tongban.catalog.search import reindex
from tongban.core import clock
from tongban.identity.tests.oidc_support import make_client
from tongban.payments.models import PaymentOrder
from tongban.payments.tests.conftest import payment_sandbox  # noqa: F401 (a fixture)
from tongban.payments.tests.factories import AMOUNT, fee_item, only_task

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def app_for(person) -> Client:
    """The provincial app: no cookie, only the person's access token from the platform's
    OIDC provider (what the app received after the person signed in there)."""
    application, _secret = make_client("陕西政务服务网移动端")
    raw = generate_token(40)
    AccessToken.objects.create(
        user=person,
        application=application,
        token=raw,
        expires=clock.now() + datetime.timedelta(hours=1),
        scope="openid profile cases payments",  # the API scopes of docs/sso.md §6
    )
    return Client(headers={"Authorization": f"Bearer {raw}"}, enforce_csrf_checks=True)


def test_a_mobile_app_applies_pays_and_rates_with_api_calls_only(payment_sandbox):  # noqa: F811
    item, person = fee_item(), applicant_person(phone="13800000001")
    reindex([item.pk])  # done by the catalog when a version comes into force
    app = app_for(person)

    # 1. find the item and read its guide (public, the token does no harm)
    found = app.get(f"{API}/items", {"q": item.current_guide.name}).json()
    code = item.implementation_code
    assert code in [row["implementation_code"] for row in found["items"]]
    guide = app.get(f"{API}/items/{code}").json()
    assert guide["name"] == item.current_guide.name
    assert [m["name"] for m in guide["materials"]] == ["申请人身份证明", "申请书"]

    # 2. apply: a first try without the upload names the material still needed, field by field
    form = {
        "item_code": code,
        "form_data": {"purpose": "手机申请"},
        "delivery": "window",
        "channel": "mobile",
    }
    missing = app.post(f"{API}/cases", form, content_type="application/json")
    assert missing.status_code == 422
    ((key, problems),) = missing.json()["fields"].items()
    spec = next(m["id"] for m in guide["materials"] if m["name"] == "申请书")
    assert key == f"materials.{spec}" and "申请书" in problems[0]
    pdf = base64.b64encode(b"%PDF-1.4\n% mobile\n").decode()
    upload = {"name": "申请书.pdf", "content_type": "application/pdf", "content_base64": pdf}
    body = {**form, "materials": [{"spec": spec, "file": upload}]}
    created = app.post(
        f"{API}/cases", body, content_type="application/json", headers={"Idempotency-Key": "m-1"}
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    again = app.post(
        f"{API}/cases", body, content_type="application/json", headers={"Idempotency-Key": "m-1"}
    )
    assert (again.status_code, again.json()["number"]) == (200, number)  # a retry files once
    assert created.json()["channel"] == "mobile"  # counted as 移动端 in the figures

    # 3. my cases and the case
    listed = app.get(f"{API}/cases").json()
    assert [row["number"] for row in listed["items"]] == [number]
    case_json = app.get(f"{API}/cases/{number}").json()
    assert case_json["status"] == "submitted" and case_json["receipt_url"] is None
    assert app.get(f"{API}/cases/{number}/receipt.pdf").status_code == 404  # not accepted yet

    # the department accepts and approves (staff work)
    case = Case.objects.get(number=number)
    clerk, approver = clerk_of(item), approver_of(item)
    case = cases.accept(case, by=clerk)
    for _step in range(2):
        case = flow.decide(case, only_task(case), by=approver, decision="approve")

    # 4. the receipt
    receipt = app.get(f"{API}/cases/{number}/receipt.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")

    # 5. pay the fee: the order, 去支付, the person pays at the channel's page
    (order,) = app.get(f"{API}/payments/orders").json()["items"]
    assert (order["case_number"], order["amount"]) == (number, AMOUNT)
    paying = app.post(f"{API}/payments/orders/{order['number']}/pay").json()
    assert paying["status"] == "paying" and paying["pay_url"].startswith(payment_sandbox.url)
    payment_sandbox.pay(order["number"])  # the channel notifies the platform
    paid = app.get(f"{API}/payments/orders/{order['number']}").json()
    assert paid["status"] == PaymentOrder.Status.PAID

    # the department concludes
    case.refresh_from_db()
    case = flow.decide(case, only_task(case), by=clerk, decision="")
    case.refresh_from_db()
    assert app.get(f"{API}/cases/{number}").json()["status"] == case.status == "concluded"

    # 6. rate the case from the app
    rating = {"case_number": number, "level": 5, "comment": "手机上就办完了", "channel": "mobile"}
    rated = app.post(f"{API}/reviews", rating, content_type="application/json")
    assert rated.status_code == 201, rated.content
    assert rated.json()["level"] == 5


def test_without_a_token_the_app_gets_401_and_another_persons_case_is_404():
    person, other = applicant_person(), applicant_person()
    assert Client().get(f"{API}/cases").status_code == 401
    bogus = Client(headers={"Authorization": "Bearer not-a-token"})
    assert bogus.get(f"{API}/cases").status_code == 401
    from tongban.cases.tests.factories import file_case, form_item

    case = file_case(form_item(), other)
    assert app_for(person).get(f"{API}/cases/{case.number}").status_code == 404
