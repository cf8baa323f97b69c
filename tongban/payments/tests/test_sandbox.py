"""The channel client (``channel_http``) against the sandbox payment service, over HTTP."""

import datetime
import json
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from tongban.core import clock
from tongban.payments.providers import registry
from tongban.payments.providers.base import (
    BadSignature,
    OrderRequest,
    PermanentError,
    RetryableError,
)

ZHOUZHI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def channel(payment_sandbox):
    return registry.get("sandbox")


def request(number: str = "JF2026030200000001", amount: int = 5050) -> OrderRequest:
    return OrderRequest(
        number=number,
        amount=amount,
        subject="测试事项 ZZ001",
        payer_name="王小明",
        department_code="harness",
        items=[{"code": "A", "name": "工本费", "amount": amount}],
        notify_url="http://testserver/payments/notify/sandbox/",
        return_url="http://testserver/payments/x/return/",
        expires_at=clock.now() + datetime.timedelta(hours=72),
    )


def control(sandbox, name: str, **data) -> int:
    body = json.dumps(data).encode()
    with urllib.request.urlopen(f"{sandbox.url}/control/{name}", data=body, timeout=5) as r:
        return r.status


def test_an_order_is_created_once_per_number(channel, payment_sandbox):
    first = channel.create_order(request())
    again = channel.create_order(request())
    assert first == again
    assert first.pay_code.startswith("6101") and len(first.pay_code) == 20
    assert len(payment_sandbox.orders) == 1
    with pytest.raises(PermanentError):
        channel.create_order(request(amount=1))


def test_query_follows_the_payment(channel, payment_sandbox):
    channel.create_order(request())
    payment_sandbox.drop_notices()
    assert channel.query("JF2026030200000001").status == "paying"
    payment_sandbox.pay("JF2026030200000001")
    state = channel.query("JF2026030200000001")
    assert (state.status, state.amount) == ("paid", 5050) and state.paid_at is not None
    with pytest.raises(PermanentError):
        channel.query("JF-NOSUCH")


def test_a_closed_order_cannot_be_paid_on_the_pay_page(channel, payment_sandbox):
    answer = channel.create_order(request())
    payment_sandbox.drop_notices()
    assert channel.close("JF2026030200000001").status == "closed"
    with urllib.request.urlopen(answer.pay_url, timeout=5) as page:
        html = page.read().decode()
    assert "支付成功" not in html and "closed" in html


def test_refunds_are_idempotent_by_refund_number(channel, payment_sandbox):
    channel.create_order(request())
    payment_sandbox.drop_notices()
    payment_sandbox.pay("JF2026030200000001")
    first = channel.refund("JF2026030200000001", "TF1", 1000, "多缴")
    assert channel.refund("JF2026030200000001", "TF1", 1000, "多缴") == first
    assert first.status == "refunded"
    with pytest.raises(PermanentError):
        channel.refund("JF2026030200000001", "TF2", 5000, "超额")


def test_the_statement_lists_the_days_payments_and_refunds(channel, payment_sandbox):
    channel.create_order(request())
    channel.create_order(request("JF2026030200000002", 2000))
    channel.create_order(request("JF2026030200000003", 3000))
    payment_sandbox.drop_notices()
    for number in ("JF2026030200000001", "JF2026030200000002", "JF2026030200000003"):
        payment_sandbox.pay(number)
    channel.refund("JF2026030200000001", "TF1", 1000, "多缴")
    control(payment_sandbox, "tamper_statement", number="JF2026030200000002", amount=1999)
    control(payment_sandbox, "omit_statement_line", number="JF2026030200000003")
    control(payment_sandbox, "extra_statement_line", number="JF-EXTRA", amount=700)
    text, lines = channel.statement(timezone.localdate(clock.now()))
    assert text.splitlines()[0] == "number,channel_order_id,kind,amount_fen,time,refund_number"
    found = {(line.number, line.kind): line.amount for line in lines}
    assert found == {
        ("JF2026030200000001", "payment"): 5050,
        ("JF2026030200000002", "payment"): 1999,
        ("JF2026030200000001", "refund"): 1000,
        ("JF-EXTRA", "payment"): 700,
    }
    _text, none = channel.statement(timezone.localdate(clock.now()) - datetime.timedelta(days=1))
    assert none == []


def test_a_wrong_secret_is_refused(settings, payment_sandbox):
    config = settings.PAYMENTS_PROVIDERS["sandbox"]
    settings.PAYMENTS_PROVIDERS = {
        **settings.PAYMENTS_PROVIDERS,
        "sandbox": {**config, "app_secret": "wrong"},
    }
    with pytest.raises(PermanentError, match="401"):
        registry.get("sandbox").create_order(request())
    assert payment_sandbox.refused == 1 and not payment_sandbox.orders


def test_a_channel_down_is_retryable(channel, payment_sandbox):
    control(payment_sandbox, "down")
    with pytest.raises(RetryableError):
        channel.create_order(request())
    control(payment_sandbox, "recover")
    assert channel.create_order(request()).pay_url


def test_an_unconfigured_channel_is_retryable(settings):
    settings.PAYMENTS_PROVIDERS = {
        **settings.PAYMENTS_PROVIDERS,
        "channel_http": {**settings.PAYMENTS_PROVIDERS["channel_http"], "url": ""},
    }
    with pytest.raises(RetryableError):
        registry.get("channel_http").query("JF1")


def test_notices_are_signed_and_verified_by_the_client(channel, payment_sandbox):
    channel.create_order(request())
    payment_sandbox.drop_notices()
    body = payment_sandbox.pay("JF2026030200000001") and payment_sandbox.notices[-1]
    headers, raw = payment_sandbox.signed("http://testserver/payments/notify/sandbox/", body)
    notice = channel.parse_notice(headers, raw)
    assert (notice.event, notice.state.status, notice.state.amount) == (
        "payment.paid",
        "paid",
        5050,
    )
    with pytest.raises(BadSignature):
        channel.parse_notice(headers, raw.replace(b"5050", b"5051"))
    with pytest.raises(BadSignature):
        channel.parse_notice({**headers, "AppKey": "someone"}, raw)


def test_the_pay_page_pays_and_sends_the_person_back(channel, payment_sandbox):
    answer = channel.create_order(request())
    delivered = []
    payment_sandbox.deliver = lambda url, headers, body: delivered.append(json.loads(body)) or 200
    with urllib.request.urlopen(answer.pay_url, timeout=5) as page:
        html = page.read().decode()
    assert "支付成功" in html and "50.50" in html and answer.pay_code in html
    form = urllib.request.Request(answer.pay_url, data=b"action=paid", method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(form, timeout=5)
    assert redirect.value.code == 303
    assert redirect.value.headers["Location"] == "http://testserver/payments/x/return/"
    assert [n["event"] for n in delivered] == ["payment.paid"]


def test_repeat_sends_each_notice_again_with_the_same_event_id(channel, payment_sandbox):
    channel.create_order(request())
    delivered = []
    payment_sandbox.deliver = lambda url, headers, body: delivered.append(json.loads(body)) or 200
    control(payment_sandbox, "repeat", times=2)
    control(payment_sandbox, "pay", number="JF2026030200000001")
    assert len(delivered) == 2 and delivered[0]["event_id"] == delivered[1]["event_id"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_an_unconfigured_channel_accepts_no_notice(settings):
    from tongban.core import httpsign

    settings.PAYMENTS_PROVIDERS = {
        **settings.PAYMENTS_PROVIDERS,
        "channel_http": {"type": "channel_http", "url": "", "merchant_id": "", "app_secret": ""},
    }
    body = b'{"event_id": "E1", "event": "payment.paid"}'
    headers = httpsign.headers("", "", "POST", "/payments/notify/channel_http/", body)
    with pytest.raises(BadSignature):
        registry.get("channel_http").parse_notice(headers, body)
