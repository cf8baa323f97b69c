"""The kiosk's services, middleware and card reader: enrolment cookie, ID-card sign-in
(known, unknown, the same placement twice, reader down), the end of a session, and which
guides the kiosk can take."""

import pytest
from django.test import Client
from django.urls import reverse

from tongban.audit.models import AuditRecord
from tongban.catalog.tests.factories import published_item
from tongban.identity.models import Level
from tongban.kiosk import services
from tongban.kiosk.providers import registry
from tongban.kiosk.providers.base import ReaderError
from tongban.kiosk.providers.reader_http import HttpCardReader
from tongban.kiosk.tests.conftest import FORM, SECRET

pytestmark = pytest.mark.django_db


def enrolled(terminal) -> Client:
    client = Client()
    client.cookies[services.COOKIE] = services.signing.dumps(terminal.code, salt=services.SALT)
    return client


def place(reader, person):
    return reader.place(person.get_full_name(), str(person.id_number))


# --- the reader ------------------------------------------------------------------------------


def test_the_provider_reads_the_card_on_the_sandbox_reader(reader, terminal, person):
    provider = registry.get()
    assert provider.read(terminal) is None
    placed = place(reader, person)

    card = provider.read(terminal)

    assert (card.read_id, card.name, card.id_number) == (
        placed.read_id,
        "王小明",
        str(person.id_number),
    )
    assert str(person.id_number) not in repr(card)


def test_a_request_signed_with_the_wrong_key_is_refused(reader, terminal, person):
    place(reader, person)
    terminal.reader_url = reader.url
    wrong = HttpCardReader("reader_http", {"timeout": 2})  # signs with the terminal's own key

    with pytest.raises(ReaderError, match="401"):
        wrong.read(terminal)
    assert reader.refused == 1


def test_the_terminal_key_signs_for_the_http_reader(reader, terminal, person):
    terminal.reader_url = reader.url
    terminal.reader_secret = SECRET
    place(reader, person)

    assert HttpCardReader("reader_http", {"timeout": 2}).read(terminal).name == "王小明"


def test_a_reader_that_is_down_or_unreachable_is_an_error(reader, terminal):
    reader.down()
    with pytest.raises(ReaderError):
        registry.get().read(terminal)
    terminal.reader_url = "http://127.0.0.1:9"
    with pytest.raises(ReaderError):
        HttpCardReader("reader_http", {"timeout": 1}).read(terminal)


# --- enrolment and the middleware -----------------------------------------------------------


def test_the_middleware_knows_an_enrolled_terminal_in_one_query(
    terminal, rf, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser

    from tongban.kiosk.middleware import KioskMiddleware

    request = rf.get("/")
    request.COOKIES[services.COOKIE] = services.signing.dumps(terminal.code, salt=services.SALT)
    request.user = AnonymousUser()
    request.session = {}
    with django_assert_num_queries(1):
        KioskMiddleware(lambda r: None)(request)
    assert request.kiosk_terminal == terminal
    page = enrolled(terminal).get(reverse("kiosk:guides"))
    assert page.status_code == 200 and b'class=" kiosk"' in page.content


def test_a_forged_or_disabled_terminal_cookie_is_no_kiosk(terminal):
    client = Client()
    client.cookies[services.COOKIE] = terminal.code  # not signed
    assert client.get(reverse("kiosk:guides")).status_code == 403
    terminal.is_active = False
    terminal.save()
    assert enrolled(terminal).get(reverse("kiosk:guides")).status_code == 403


def test_a_system_administrator_enrols_the_browser(terminal, client):
    from tongban.org.models import StaffMembership
    from tongban.org.tests.factories import staff_with_role

    admin = staff_with_role(StaffMembership.Role.SYSTEM_ADMIN)
    client.force_login(admin)
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=admin, name="t")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    assert terminal.code in client.get(reverse("kiosk:enroll")).content.decode()
    response = client.post(reverse("kiosk:enroll"), {"terminal": terminal.pk})

    assert response.status_code == 302
    cookie = response.cookies[services.COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) > 365 * 86400
    assert services.terminal_from_cookie(cookie.value) == terminal
    assert AuditRecord.objects.filter(action="kiosk.enroll", actor=admin).exists()
    assert "_auth_user_id" not in client.session  # the staff session ends on the terminal


# --- signing in by card ---------------------------------------------------------------------


def test_a_card_on_the_reader_signs_its_holder_in_for_a_kiosk_session(reader, terminal, person):
    client = enrolled(terminal)
    assert client.get(reverse("kiosk:card")).json()["status"] == "waiting"
    place(reader, person)

    answer = client.get(reverse("kiosk:card")).json()

    assert answer == {"status": "signed_in", "message": "", "next": reverse("kiosk:menu")}
    session = client.session
    assert session[services.SESSION_KEY] == terminal.code
    assert session.get_expiry_age() == 60
    assert client.get(reverse("kiosk:menu")).status_code == 200
    record = AuditRecord.objects.get(action="kiosk.sign_in")
    assert record.actor == person and str(person.id_number) not in str(record.changes)
    person.refresh_from_db()
    assert person.real_name_level == Level.L2  # signing in by card raises nothing


def test_an_unknown_card_gets_a_clear_message(reader, terminal):
    from tongban.registry.tests.factories import PersonFactory

    stranger = PersonFactory(name="李四")
    reader.place("李四", str(stranger.id_number))

    answer = enrolled(terminal).get(reverse("kiosk:card")).json()

    assert answer["status"] == "unknown" and "未找到与该身份证对应的账号" in answer["message"]
    assert AuditRecord.objects.filter(action="kiosk.card_unknown").exists()


def test_a_card_whose_name_differs_signs_nobody_in(reader, terminal, person):
    reader.place("王大明", str(person.id_number))
    assert enrolled(terminal).get(reverse("kiosk:card")).json()["status"] == "unknown"


def test_the_same_placement_never_signs_in_twice(reader, terminal, person):
    place(reader, person)
    client = enrolled(terminal)
    client.get(reverse("kiosk:card"))
    client.post(reverse("kiosk:end"))

    again = enrolled(terminal).get(reverse("kiosk:card")).json()

    assert again["status"] == "used" and "取下身份证" in again["message"]
    place(reader, person)  # taken off and put back: a new placement
    assert enrolled(terminal).get(reverse("kiosk:card")).json()["status"] == "signed_in"


def test_the_reader_down_is_said_in_chinese(reader, terminal):
    reader.down()
    answer = enrolled(terminal).get(reverse("kiosk:card")).json()
    assert answer["status"] == "error" and "读卡器暂时无法使用" in answer["message"]


def test_ending_signs_out_flushes_and_records(reader, terminal, person):
    place(reader, person)
    client = enrolled(terminal)
    client.get(reverse("kiosk:card"))
    old_key = client.session.session_key

    response = client.post(reverse("kiosk:end"), {"reason": "idle"}, HTTP_ACCEPT="application/json")

    assert response.json()["status"] == "ended"
    assert client.get(reverse("kiosk:menu")).status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=old_key).exists()
    record = AuditRecord.objects.get(action="kiosk.sign_out")
    assert record.changes["reason"] == "idle"


def test_a_kiosk_session_seen_without_its_terminal_is_ended(reader, terminal, person):
    place(reader, person)
    client = enrolled(terminal)
    client.get(reverse("kiosk:card"))
    del client.cookies[services.COOKIE]

    response = client.get(reverse("identity:account"))

    assert response.status_code == 302  # to sign in: the session is gone
    assert AuditRecord.objects.get(action="kiosk.sign_out").changes["reason"] == "elsewhere"


# --- what the kiosk offers ------------------------------------------------------------------


def test_the_kiosk_offers_items_it_can_take_and_not_others(kiosk_item):
    needs_text = published_item(
        name="需要文字",
        form_schema={
            "fields": [{"key": "why", "type": "text", "label": "申请事由", "required": True}]
        },
    )
    needs_upload = published_item(name="需要上传")  # 申请书: an upload

    offered = services.kiosk_items()

    assert kiosk_item in offered
    assert needs_text not in offered and needs_upload not in offered


def test_field_controls():
    controls = [services.field_control(f, {"name": {}}) for f in FORM["fields"]]
    assert controls == ["prefilled", "text", "choice", "numpad", "numpad", "text", "check"]


def test_production_refuses_the_simulated_reader(settings):
    from tongban.kiosk.checks import reader_configured

    settings.PRODUCTION = True
    settings.KIOSK_READER_PROVIDER = "sandbox"
    assert [e.id for e in reader_configured()] == ["kiosk.E002"]
    settings.KIOSK_READER_PROVIDER = "reader_http"
    assert reader_configured() == []
