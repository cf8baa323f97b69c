import datetime
import json
import urllib.request

import pytest
from django.core import mail
from django.test import override_settings

from tongban.core import httpsign as signing
from tongban.notify import delivery, services
from tongban.notify.models import Channel, DeliveryAttempt, Message, ProviderCircuit
from tongban.notify.providers import registry
from tongban.notify.providers.base import Outgoing, PermanentError
from tongban.notify.tests.conftest import PHONE
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import UserFactory, staff_with_role

pytestmark = pytest.mark.django_db
Status = Message.Status
SECONDS = datetime.timedelta(seconds=1)


@pytest.fixture
def send_sms(notice, django_capture_on_commit_callbacks):
    def send(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            [message] = services.send(None, "case.accepted", notice, address=PHONE, **kwargs)
        message.refresh_from_db()
        return message

    return send


def test_an_sms_goes_through_the_http_api_of_the_sandbox(sandbox, send_sms, clock):
    message = send_sms()
    assert message.status == Status.SENT and message.attempts == 1
    [received] = sandbox.messages
    assert received["phone"] == PHONE
    assert received["content"] == "王丽您好,您的个体工商户登记已受理。"
    assert received["client_msg_id"] == message.uid.hex
    assert message.provider == "sandbox" and message.provider_message_id == received["message_id"]


def test_an_email_goes_through_django_mail(notice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.send(
            UserFactory(email="wl@example.cn"), "case.accepted", notice, channels=[Channel.EMAIL]
        )
    [sent] = mail.outbox
    assert sent.subject == "办件已受理:个体工商户登记" and sent.to == ["wl@example.cn"]
    assert Message.objects.get().status == Status.SENT


def test_a_task_run_twice_sends_once(sandbox, send_sms, clock):
    message = send_sms()
    assert delivery.deliver(message.pk) == "skipped"
    Message.objects.filter(pk=message.pk).update(status=Status.SENDING)
    assert delivery.deliver(message.pk) == "skipped"  # claimed by another worker
    assert sandbox.calls == 1


def test_the_provider_deduplicates_a_retried_call(sandbox, settings):
    provider = registry.get("sandbox")
    outgoing = Outgoing(PHONE, "", "验证码 1234", "identity.sms_code", "retried-call-1")
    assert provider.send(outgoing) == provider.send(outgoing)
    assert len(sandbox.messages) == 1 and sandbox.duplicates == 1


def test_a_bad_signature_is_refused_permanently(sandbox, settings):
    settings.NOTIFY_PROVIDERS["sandbox"] = {
        **settings.NOTIFY_PROVIDERS["sandbox"],
        "app_secret": "x",
    }
    with pytest.raises(PermanentError) as caught:
        registry.get("sandbox").send(Outgoing(PHONE, "", "内容", "t", "bad-signature"))
    assert not caught.value.retryable and sandbox.refused == 1


def test_down_then_back_retries_with_backoff_and_sends_once(sandbox, send_sms, clock):
    sandbox.fail()
    message = send_sms()
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    wait = message.next_attempt_at - datetime.datetime.now(datetime.UTC)
    assert 5 * SECONDS <= wait <= 10 * SECONDS  # base 10 s, jittered between half and full
    clock.shift(10)
    assert delivery.deliver_due() == 0
    message.refresh_from_db()
    wait = message.next_attempt_at - datetime.datetime.now(datetime.UTC)
    assert 10 * SECONDS <= wait <= 20 * SECONDS  # doubled
    sandbox.recover()
    clock.shift(20)
    assert delivery.deliver_due() == 1
    assert delivery.deliver_due() == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 3)
    assert len(sandbox.messages) == 1 and sandbox.duplicates == 0
    assert list(message.attempt_log.values_list("ok", flat=True)) == [False, False, True]


@override_settings(NOTIFY_CIRCUIT_FAILURES=3, NOTIFY_CIRCUIT_COOLDOWN_SECONDS=60)
def test_the_circuit_opens_then_half_opens(sandbox, send_sms, clock):
    sandbox.fail()
    messages = [send_sms() for _ in range(5)]
    circuit = ProviderCircuit.objects.get(provider="sandbox")
    assert circuit.state == circuit.State.OPEN and sandbox.calls == 3
    assert [m.attempts for m in messages] == [1, 1, 1, 0, 0]  # deferred, provider not called
    clock.shift(61)
    delivery.deliver_due()
    circuit.refresh_from_db()
    assert circuit.state == circuit.State.OPEN and sandbox.calls == 4  # one probe, failed
    sandbox.recover()
    clock.shift(61)
    delivery.deliver_due()  # the probe succeeds and closes the circuit
    clock.shift(600)
    delivery.deliver_due()
    circuit.refresh_from_db()
    assert circuit.state == circuit.State.CLOSED and circuit.failures == 0
    assert Message.objects.filter(status=Status.SENT).count() == 5
    assert len(sandbox.messages) == 5 and sandbox.duplicates == 0


@override_settings(NOTIFY_MAX_ATTEMPTS=2)
def test_exhausted_retries_go_dead_alert_admins_and_can_be_resent(
    sandbox, send_sms, clock, django_capture_on_commit_callbacks
):
    admin = staff_with_role(StaffMembership.Role.SYSTEM_ADMIN)
    sandbox.fail()
    message = send_sms()
    clock.shift(30)
    delivery.deliver_due()
    message.refresh_from_db()
    assert message.status == Status.DEAD and "503" in message.last_error
    assert list(services.dead_letters()) == [message]
    [alert] = services.inbox(admin)
    assert f"消息 {message.pk}" in alert.body and "2 次尝试" in alert.body
    sandbox.recover()
    with django_capture_on_commit_callbacks(execute=True):
        services.resend(message, by=admin)
    message.refresh_from_db()
    assert message.status == Status.SENT and len(sandbox.messages) == 1
    with pytest.raises(services.Conflict):
        services.resend(message, by=admin)


def test_a_refused_number_fails_at_once_without_retries(
    sandbox, notice, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [message] = services.send(None, "case.accepted", notice, address="12345")
    message.refresh_from_db()
    assert message.status == Status.FAILED and "INVALID_PHONE" in message.last_error
    assert DeliveryAttempt.objects.count() == 1 and message in services.dead_letters()


def _signed_receipt(client, settings, body: dict, secret=None):
    config = settings.NOTIFY_PROVIDERS["sandbox"]
    raw = json.dumps(body).encode()
    path = "/notify/receipts/sandbox"
    headers = signing.headers(config["app_key"], secret or config["app_secret"], "POST", path, raw)
    return client.post(
        path,
        raw,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


def test_a_signed_receipt_marks_the_message_delivered(sandbox, send_sms, client, settings, clock):
    message = send_sms()
    body = {
        "client_msg_id": message.uid.hex,
        "message_id": message.provider_message_id,
        "status": "DELIVERED",
        "delivered_at": 1772416800,
    }
    assert _signed_receipt(client, settings, body, secret="wrong").status_code == 401
    assert _signed_receipt(client, settings, body).json() == {"code": "OK"}
    message.refresh_from_db()
    assert message.status == Status.DELIVERED and message.delivered_at is not None
    assert _signed_receipt(client, settings, body).status_code == 200  # again: no change


def test_the_sandbox_page_and_controls(sandbox):
    def post(path, data=b"{}"):
        urllib.request.urlopen(urllib.request.Request(sandbox.url + path, data=data)).close()

    post("/control/fail")
    assert sandbox.failing
    post("/control/slow", json.dumps({"seconds": 0.01}).encode())
    post("/control/recover")
    assert not sandbox.failing and sandbox.delay == 0
    sandbox.accept({"phone": PHONE, "client_msg_id": "x1", "content": "您的验证码是 4321"})
    page = urllib.request.urlopen(sandbox.url + "/").read().decode()
    assert "短信沙箱" in page and "您的验证码是 4321" in page
