"""/api/v1/identity: who am I (session), sign-in codes (anonymous), kiosk verification
(gateway client with the identity:kiosk scope). Every answer masked."""

import datetime
import json

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, RequestFactory
from ninja.errors import HttpError

from tongban.gateway.tests.factories import keyed_client, signed_post
from tongban.identity import enterprises
from tongban.identity.apiauth import UserAuth
from tongban.identity.models import Level, PhoneCode
from tongban.identity.tests.factories import (
    PersonAccountFactory,
    agent_of,
    enterprise_of,
    last_code,
    verified_person,
)
from tongban.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 11, 27, 2, 0, tzinfo=datetime.UTC)
ME = "/api/v1/identity/me"
CODES = "/api/v1/identity/sms-codes"
KIOSK = "/api/v1/identity/kiosk-verifications"
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def clock():
    cache.clear()
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller
    cache.clear()


def test_me_needs_a_session(client):
    response = client.get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_me_is_masked_and_lists_the_enterprises_and_scopes(client):
    person = PersonFactory(name="王建国")
    user = verified_person(person=person, phone=PHONE)
    own = enterprise_of(user)
    other = enterprise_of(verified_person())
    agent_of(other, user, scopes=["view", "pay"])
    client.force_login(user)
    session = client.session
    session[enterprises.ACTING_SESSION_KEY] = other.pk
    session.save()

    body = client.get(ME).json()

    assert body["phone"] == "139****5678"
    assert body["id_number"] == f"{str(person.id_number)[:6]}********{str(person.id_number)[-4:]}"
    assert body["real_name_level"] == 2 and body["name"] == "王建国"
    found = {e["id"]: e for e in body["enterprises"]}
    assert found[own.pk]["role"] == "legal_rep" and len(found[own.pk]["scopes"]) == 4
    assert found[other.pk]["role"] == "agent" and found[other.pk]["scopes"] == ["pay", "view"]
    assert body["acting_enterprise"]["id"] == other.pk
    raw = json.dumps(body, ensure_ascii=False)
    assert PHONE not in raw and str(person.id_number) not in raw


def test_user_auth_checks_csrf_on_unsafe_methods():
    user = PersonAccountFactory()
    request = RequestFactory().post("/api/v1/identity/x", {})
    request.user = user
    request.COOKIES["sessionid"] = "s"

    with pytest.raises(HttpError) as error:
        UserAuth()(request)
    assert error.value.status_code == 403

    safe = RequestFactory().get("/api/v1/identity/me")
    safe.user = user
    assert UserAuth()(safe) == user


def test_sending_a_code_is_anonymous_masked_and_rate_limited(client):
    response = client.post(CODES, {"phone": PHONE}, content_type="application/json")

    assert response.status_code == 202
    assert response.json() == {"phone": "139****5678", "expires_in": 300, "resend_after": 60}
    again = client.post(CODES, {"phone": PHONE}, content_type="application/json")
    assert again.status_code == 429
    assert again["Retry-After"] == "60"
    assert again.json()["code"] == "rate_limited"
    assert PhoneCode.objects.count() == 1


def test_a_bad_phone_gets_422_on_its_field(client):
    response = client.post(CODES, {"phone": "12"}, content_type="application/json")

    assert response.status_code == 422
    assert "phone" in response.json()["fields"]


def kiosk_client(scopes=("identity:kiosk",), sensitivity=3):
    api_client, issued = keyed_client(max_sensitivity=sensitivity)
    api_client.scopes = list(scopes)
    api_client.save()
    return issued


def kiosk_body(person, code, phone=PHONE, name=None):
    return json.dumps(
        {
            "kiosk": "ZZ-KIOSK-07",
            "phone": phone,
            "code": code,
            "name": name or person.name,
            "id_number": str(person.id_number),
        }
    ).encode()


def test_a_kiosk_raises_the_person_to_l3(client):
    person = PersonFactory(name="王建国")
    user = PersonAccountFactory(phone=PHONE)
    issued = kiosk_client()
    client.post(CODES, {"phone": PHONE}, content_type="application/json")

    response = signed_post(Client(), KIOSK, issued, kiosk_body(person, last_code(PHONE)))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["real_name_level"] == 3 and body["method"] == "kiosk"
    assert body["kiosk"] == "ZZ-KIOSK-07" and body["phone"] == "139****5678"
    assert str(person.id_number) not in response.text
    user.refresh_from_db()
    assert user.real_name_level == Level.L3
    assert user.verifications.get(level=Level.L3).kiosk == "ZZ-KIOSK-07"


def test_a_kiosk_needs_the_persons_code(client):
    person = PersonFactory()
    PersonAccountFactory(phone=PHONE)
    issued = kiosk_client()

    response = signed_post(client, KIOSK, issued, kiosk_body(person, "123456"))

    assert response.status_code == 422
    assert "code" in response.json()["fields"]


def test_a_kiosk_mismatch_says_why(client):
    person = PersonFactory(name="王建国")
    PersonAccountFactory(phone=PHONE)
    issued = kiosk_client()
    client.post(CODES, {"phone": PHONE}, content_type="application/json")

    response = signed_post(
        Client(), KIOSK, issued, kiosk_body(person, last_code(PHONE), name="王建民")
    )

    assert response.status_code == 422
    assert response.json()["message"].startswith("姓名与身份证号码不一致")


@pytest.mark.parametrize(
    ("scopes", "sensitivity"), [(["gateway:ping"], 3), (["identity:kiosk"], 2)]
)
def test_the_kiosk_operation_needs_the_scope_and_sensitive_clearance(client, scopes, sensitivity):
    person = PersonFactory()
    issued = kiosk_client(scopes, sensitivity)

    response = signed_post(client, KIOSK, issued, kiosk_body(person, "123456"))

    assert response.status_code == 403


def test_the_kiosk_operation_refuses_anonymous_calls(client):
    response = client.post(KIOSK, {}, content_type="application/json")

    assert response.status_code == 401


def test_a_staff_session_counts_only_once_verified_by_totp(client):
    from tongban.identity.tests.helpers import verified_login
    from tongban.org.tests.factories import StaffFactory

    staff = StaffFactory()
    client.force_login(staff)
    assert client.get(ME).status_code == 401

    verified_login(client, staff)
    assert client.get(ME).json()["kind"] == "staff"
