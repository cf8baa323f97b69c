"""Person sign-in by phone and SMS code (or an optional password), without HTTP."""

import datetime
import logging

import pytest
import time_machine
from django.db import connection

from tongban.audit.models import AuditRecord
from tongban.errors import InvalidInput, PermissionDenied, RateLimited
from tongban.identity import accounts, signin
from tongban.identity.models import Level, PhoneCode, RealNameVerification, User
from tongban.identity.tests.factories import PersonAccountFactory, last_code, verified_person
from tongban.org.tests.factories import StaffFactory
from tongban.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
# 10:00 in Zhouzhi.
START = datetime.datetime(2026, 11, 27, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_code_is_sent_by_sms_and_stored_only_as_a_keyed_hash():
    row = accounts.send_code(PHONE)

    code = last_code(PHONE)
    assert len(code) == 6
    assert code not in row.code_hash
    assert PHONE not in row.phone_hash
    assert row.expires_at - row.created_at == datetime.timedelta(minutes=5)


def test_the_first_sign_in_creates_a_level_1_account_named_apart_from_the_phone():
    accounts.send_code(PHONE)

    user = accounts.sign_in_with_code(PHONE, last_code(PHONE))

    assert user.kind == User.Kind.PERSON
    assert user.phone == PHONE
    assert PHONE not in user.username and PHONE[-4:] not in user.username
    assert user.real_name_level == Level.L1
    assert not user.has_usable_password()
    verification = RealNameVerification.objects.get(user=user)
    assert (verification.level, verification.method) == (Level.L1, "sms")


def test_the_second_sign_in_finds_the_same_account():
    accounts.send_code(PHONE)
    first = accounts.sign_in_with_code(PHONE, last_code(PHONE))
    clock_moves = datetime.timedelta(minutes=2)
    with time_machine.travel(START + clock_moves, tick=False):
        accounts.send_code("139 1234 5678")
        second = accounts.sign_in_with_code("+86 13912345678", last_code(PHONE))

    assert second.pk == first.pk
    assert User.objects.count() == 1


def test_a_code_works_once():
    accounts.send_code(PHONE)
    code = last_code(PHONE)
    accounts.sign_in_with_code(PHONE, code)

    with pytest.raises(InvalidInput) as error:
        accounts.sign_in_with_code(PHONE, code)
    assert "已失效" in error.value.message


def test_a_code_expires_after_five_minutes(clock):
    accounts.send_code(PHONE)
    code = last_code(PHONE)
    clock.shift(datetime.timedelta(minutes=5, seconds=1))

    with pytest.raises(InvalidInput) as error:
        accounts.sign_in_with_code(PHONE, code)
    assert error.value.fields["code"][0].startswith("验证码已失效")


def test_a_code_still_works_just_before_it_expires(clock):
    accounts.send_code(PHONE)
    clock.shift(datetime.timedelta(minutes=4, seconds=59))

    assert accounts.sign_in_with_code(PHONE, last_code(PHONE)).phone == PHONE


def test_a_new_code_replaces_the_old_one(clock):
    accounts.send_code(PHONE)
    old = last_code(PHONE)
    clock.shift(datetime.timedelta(seconds=61))
    accounts.send_code(PHONE)

    with pytest.raises(InvalidInput):
        accounts.check_code(PHONE, old)
    accounts.check_code(PHONE, last_code(PHONE))


def test_a_second_code_within_sixty_seconds_is_refused_with_the_wait(clock):
    accounts.send_code(PHONE)
    clock.shift(datetime.timedelta(seconds=45))

    with pytest.raises(RateLimited) as error:
        accounts.send_code(PHONE)
    assert error.value.retry_after == 15
    assert "15 秒" in error.value.message
    assert PhoneCode.objects.count() == 1


def test_eleven_codes_a_day_are_refused_until_midnight(clock):
    for _n in range(10):
        accounts.send_code(PHONE)
        clock.shift(datetime.timedelta(minutes=1))

    with pytest.raises(RateLimited) as error:
        accounts.send_code(PHONE)
    # 10:10 local: 13 h 50 min to midnight.
    assert error.value.retry_after == 13 * 3600 + 50 * 60
    clock.shift(datetime.timedelta(hours=14))
    accounts.send_code(PHONE)  # the next day


def test_the_limit_is_per_phone():
    accounts.send_code(PHONE)

    accounts.send_code("13912345679")  # no wait for another phone


def test_wrong_codes_are_counted_and_the_fifth_kills_the_code():
    accounts.send_code(PHONE)
    code = last_code(PHONE)
    messages = []
    for _n in range(5):
        with pytest.raises(InvalidInput) as error:
            accounts.sign_in_with_code(PHONE, wrong(code))
        messages.append(error.value.message)

    assert messages[0] == "验证码错误,还可尝试 4 次"
    assert messages[3] == "验证码错误,还可尝试 1 次"
    assert "错误次数过多" in messages[4]
    with pytest.raises(InvalidInput):
        accounts.sign_in_with_code(PHONE, code)  # the right code is dead too
    assert PhoneCode.objects.get().attempts == 5
    assert not User.objects.exists()


def test_a_malformed_phone_is_refused_on_its_field():
    with pytest.raises(InvalidInput) as error:
        accounts.send_code("1234")
    assert "phone" in error.value.fields


def test_staff_cannot_sign_in_with_a_code():
    StaffFactory(phone=PHONE)
    accounts.send_code(PHONE)

    with pytest.raises(PermissionDenied) as error:
        accounts.sign_in_with_code(PHONE, last_code(PHONE))
    assert "管理后台" in error.value.message


def test_a_password_is_optional_and_then_signs_in():
    user = PersonAccountFactory(phone=PHONE)
    user.set_unusable_password()
    user.save()
    with pytest.raises(InvalidInput):
        accounts.sign_in_with_password(PHONE, "")

    accounts.set_password(user, "Kiwi-orchard-2026")

    assert accounts.sign_in_with_password(PHONE, "Kiwi-orchard-2026").pk == user.pk
    assert AuditRecord.objects.filter(action="identity.user.set_password").exists()


def test_a_weak_password_is_refused_with_the_validators_messages():
    user = PersonAccountFactory(phone=PHONE)

    with pytest.raises(InvalidInput) as error:
        accounts.set_password(user, "12345678")
    assert error.value.fields["password"]


def test_five_wrong_passwords_lock_the_phone_by_its_blind_index():
    PersonAccountFactory(phone=PHONE)
    for _n in range(4):
        with pytest.raises(InvalidInput):
            accounts.sign_in_with_password(PHONE, "wrong")

    with pytest.raises(PermissionDenied) as error:
        accounts.sign_in_with_password(PHONE, "wrong")
    assert error.value.code == "locked"
    key = accounts.phone_index(PHONE)
    assert signin.is_locked(key)
    assert not signin.is_locked(PHONE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT username FROM identity_signinfailure")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored == [key]


def test_a_locked_phone_can_still_sign_in_by_code():
    user = PersonAccountFactory(phone=PHONE)
    for _n in range(5):
        with pytest.raises((InvalidInput, PermissionDenied)):
            accounts.sign_in_with_password(PHONE, "wrong")
    accounts.send_code(PHONE)

    assert accounts.sign_in_with_code(PHONE, last_code(PHONE)).pk == user.pk


def test_phone_and_id_number_are_not_readable_in_the_users_table():
    person = PersonFactory()
    user = verified_person(person=person, phone=PHONE)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM identity_user WHERE id = %s", [user.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert PHONE not in row
    assert str(person.id_number) not in row
    assert str(person.id_number)[-8:] not in row


def test_nothing_sensitive_reaches_the_log_or_the_audit_trail(caplog):
    caplog.set_level(logging.DEBUG)
    accounts.send_code(PHONE)
    code = last_code(PHONE)
    with pytest.raises(InvalidInput):
        accounts.sign_in_with_code(PHONE, wrong(code))
    accounts.sign_in_with_code(PHONE, code)

    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert PHONE not in logged and code not in logged
    trail = " ".join(f"{r.changes} {r.note} {r.object_repr}" for r in AuditRecord.objects.all())
    assert PHONE not in trail and code not in trail
    assert "139****5678" in trail


def test_the_demo_persons_and_enterprise_load_once():
    from tongban.identity import demo
    from tongban.identity.models import Agent, EnterpriseAccount
    from tongban.org import demo as org_demo

    org_demo.load()
    summary = demo.load()
    again = demo.load()

    assert demo.is_loaded()
    levels = {username: level for username, _phone, level, _name in again.persons}
    assert levels == {"demo_l1": 1, "demo_l2": 2, "demo_rep": 3, "demo_agent": 2}
    rep = User.objects.get(username="demo_rep")
    enterprise = EnterpriseAccount.objects.get()
    assert enterprise.legal_rep == rep
    assert enterprise.legal_entity.legal_rep_id_hash == rep.id_number_hash
    assert Agent.objects.get().user.username == "demo_agent"
    window_check = rep.verifications.get(level=Level.L3)
    assert window_check.verified_by.username == "clerk" and window_check.window.number == "A01"
    assert "13800000003" in str(summary) and "demo_rep" in str(summary)
    note = AuditRecord.objects.filter(action="identity.demo.load").last().note
    assert "13800000003" not in note and "138****0003" in note
    assert User.objects.filter(username__startswith="demo_").count() == 4
