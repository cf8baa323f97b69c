"""Tracking pushes through the callback endpoint: signed, repeated, out of order, late."""

import pytest
from django.urls import reverse

from tongban.audit.models import AuditRecord
from tongban.cases.models import CaseEvent
from tongban.cases.models import Status as CaseStatus
from tongban.logistics import services
from tongban.logistics.models import CourierCallback, Status, TrackingEvent
from tongban.logistics.tests.factories import posted_case, push, signed_headers
from tongban.notify.models import Message

pytestmark = pytest.mark.django_db
URL = reverse("logistics:notify", kwargs={"provider": "sandbox"})


@pytest.fixture
def waybill(courier):
    return services.ship_result(posted_case())


def send(client, body: bytes, **signing):
    headers = signed_headers(URL, body, **signing)
    return client.post(URL, body, content_type="application/json", **headers)


def outcomes() -> list[str]:
    return list(CourierCallback.objects.order_by("pk").values_list("outcome", flat=True))


def test_pushes_in_order_move_the_waybill_and_deliver_the_case(client, waybill):
    for sequence, code in enumerate(("PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "SIGNED"), 1):
        answer = send(client, push(waybill, sequence, code))
        assert answer.status_code == 200 and answer.json()["outcome"] == "applied"
    waybill.refresh_from_db()
    case = waybill.case
    case.refresh_from_db()
    assert waybill.status == Status.DELIVERED and waybill.last_sequence == 4
    assert case.status == CaseStatus.DELIVERED
    events = CaseEvent.objects.filter(case=case)
    assert events.get(verb="dispatch").note.endswith(waybill.number)
    assert events.get(verb="deliver").actor is None  # the system, not a person
    dispatched = Message.objects.filter(template_code="logistics.dispatched")
    assert dispatched.filter(channel="sms").count() == 1
    assert outcomes() == ["applied"] * 4
    assert AuditRecord.objects.filter(action="logistics.waybill.track").count() == 4


def test_a_push_sent_twice_is_recorded_once(client, waybill):
    body = push(waybill, 1, "PICKED_UP")
    assert send(client, body).json()["outcome"] == "applied"
    again = send(client, body)
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert TrackingEvent.objects.filter(waybill=waybill).count() == 1
    assert CaseEvent.objects.filter(case=waybill.case, verb="dispatch").count() == 1
    assert outcomes() == ["applied", "duplicate"]


def test_a_forged_push_changes_nothing_and_is_logged(client, waybill):
    answer = send(client, push(waybill, 1, "SIGNED"), secret="not-the-courier-secret")
    assert answer.status_code == 401
    waybill.refresh_from_db()
    assert waybill.status == Status.BOOKED
    assert not TrackingEvent.objects.exists()
    logged = CourierCallback.objects.get()
    assert (logged.outcome, logged.signature_ok) == ("bad_signature", False)
    assert logged.waybill_number == waybill.number


def test_a_push_signed_by_another_customer_is_refused(client, waybill):
    assert send(client, push(waybill, 1, "SIGNED"), key="SOMEONE-ELSE").status_code == 401


def test_a_push_with_its_body_changed_after_signing_is_refused(client, waybill):
    body = push(waybill, 1, "PICKED_UP")
    headers = signed_headers(URL, body)
    tampered = body.replace(b"PICKED_UP", b"SIGNED")
    answer = client.post(URL, tampered, content_type="application/json", **headers)
    assert answer.status_code == 401 and outcomes() == ["bad_signature"]


def test_an_older_push_arriving_late_never_moves_the_status_back(client, waybill):
    send(client, push(waybill, 1, "PICKED_UP"))
    send(client, push(waybill, 3, "OUT_FOR_DELIVERY"))
    late = send(client, push(waybill, 2, "IN_TRANSIT"))
    assert late.status_code == 200 and late.json()["outcome"] == "stale"
    waybill.refresh_from_db()
    assert (waybill.status, waybill.last_sequence) == (Status.OUT_FOR_DELIVERY, 3)
    shown = [e.sequence for e in services.events_of(waybill)]
    assert shown == [3, 2, 1]  # the late one is kept in the tracks, in its place


def test_a_late_push_after_delivery_leaves_the_case_delivered(client, waybill):
    send(client, push(waybill, 4, "SIGNED"))
    send(client, push(waybill, 3, "OUT_FOR_DELIVERY"))
    waybill.refresh_from_db()
    waybill.case.refresh_from_db()
    assert waybill.status == Status.DELIVERED
    assert waybill.case.status == CaseStatus.DELIVERED
    assert outcomes() == ["applied", "stale"]
    # Signed for with nothing before it: the result still counts as sent out.
    assert CaseEvent.objects.filter(case=waybill.case, verb="dispatch").count() == 1


def test_a_push_for_an_unknown_waybill_is_logged(client, waybill):
    waybill.number = "SX9999999999"
    answer = send(client, push(waybill, 1, "PICKED_UP"))
    assert answer.status_code == 404 and outcomes() == ["unknown"]


def test_a_malformed_push_is_refused_and_logged(client, waybill):
    answer = send(client, b'{"waybill_no": "%s", "sequence": "x"}' % waybill.number.encode())
    assert answer.status_code == 400 and outcomes() == ["invalid"]


def test_a_return_tells_the_applicant(client, waybill):
    send(client, push(waybill, 1, "PICKED_UP"))
    send(client, push(waybill, 2, "RETURNED"))
    waybill.refresh_from_db()
    waybill.case.refresh_from_db()
    assert waybill.status == Status.RETURNED
    assert waybill.case.status == CaseStatus.CONCLUDED
    assert Message.objects.filter(template_code="logistics.returned", channel="in_app").exists()


def test_the_callback_takes_only_post(client):
    assert client.get(URL).status_code == 405
