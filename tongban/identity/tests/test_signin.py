"""Staff sign-in to /admin/: password + TOTP code, and lock-out after 5 failures."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.audit.models import AuditRecord
from tongban.identity import demo, signin
from tongban.identity.models import SignInFailure
from tongban.identity.tests.helpers import totp_device_for
from tongban.org import demo as org_demo
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import PASSWORD, StaffFactory, staff_with_role

pytestmark = pytest.mark.django_db
LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
START = datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff():
    user = staff_with_role(StaffMembership.Role.SYSTEM_ADMIN)
    totp_device_for(user)
    return user


def code(user) -> str:
    device = signin.totp_device(user)
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def wrong(user) -> str:
    return f"{(int(code(user)) + 500_000) % 1_000_000:06d}"


def sign_in(client, user, password=PASSWORD, token=""):
    return client.post(
        LOGIN,
        {"username": user.username, "password": password, "otp_token": token, "next": INDEX},
    )


def signed_in(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session and client.get(INDEX).status_code == 200


def test_the_login_page_asks_for_the_code_in_chinese(client):
    page = client.get(LOGIN).text

    assert "动态验证码" in page
    assert 'name="otp_token"' in page


def test_the_password_alone_is_refused(client, staff):
    response = sign_in(client, staff)

    assert response.status_code == 200
    assert "请输入 6 位动态验证码" in response.text
    assert PASSWORD not in response.text  # not echoed back into the page
    assert not signed_in(client)


def test_an_empty_password_is_asked_for_without_counting_a_failure(client, staff):
    response = sign_in(client, staff, password="", token=code(staff))

    assert "尚未绑定" not in response.text
    assert not signed_in(client)
    assert not SignInFailure.objects.exists()


def test_password_and_the_right_code_sign_in_and_open_the_admin(client, staff):
    response = sign_in(client, staff, token=code(staff))

    assert response.status_code == 302
    assert response.url == INDEX
    assert client.get(INDEX).status_code == 200


def test_a_wrong_code_is_refused(client, staff):
    response = sign_in(client, staff, token=wrong(staff))

    assert "动态验证码错误" in response.text
    assert not signed_in(client)
    assert SignInFailure.objects.get(username=staff.username).failures == 1


def test_a_session_signed_in_without_a_code_opens_nothing(client, staff):
    client.force_login(staff)

    response = client.get(INDEX)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_staff_without_a_device_cannot_sign_in_and_are_told_whom_to_ask(client):
    user = staff_with_role(StaffMembership.Role.CLERK)

    response = sign_in(client, user, token="123456")

    assert "尚未绑定动态验证码" in response.text
    assert "请联系系统管理员" in response.text
    assert not signed_in(client)


def test_five_failures_lock_the_account_until_the_time_named(client, staff, clock):
    for attempt in range(5):
        if attempt % 2:
            sign_in(client, staff, password="wrong-password")
        else:
            sign_in(client, staff, token=wrong(staff))
        clock.shift(datetime.timedelta(seconds=20))  # past django-otp's own throttle

    until = START + datetime.timedelta(seconds=80, minutes=15)
    assert signin.locked_until(staff.username) == until
    response = sign_in(client, staff, token=code(staff))  # the right password and code

    assert "已被锁定" in response.text
    assert timezone.localtime(until).strftime("%Y-%m-%d %H:%M") in response.text
    assert not signed_in(client)
    lock = AuditRecord.objects.get(action="identity.signin.lock")
    assert lock.object_repr == staff.username


def test_the_fifth_failure_already_shows_the_lock(client, staff):
    for _ in range(4):
        sign_in(client, staff, password="wrong-password")

    response = sign_in(client, staff, password="wrong-password")

    assert "已被锁定" in response.text


def test_after_the_lock_period_sign_in_works_and_resets_the_count(client, staff, clock):
    for _ in range(5):
        sign_in(client, staff, password="wrong-password")
    assert signin.is_locked(staff.username)

    clock.shift(datetime.timedelta(minutes=15, seconds=1))
    response = sign_in(client, staff, token=code(staff))

    assert response.status_code == 302
    assert signed_in(client)
    assert not SignInFailure.objects.filter(username=staff.username).exists()
    unlock = AuditRecord.objects.get(action="identity.signin.unlock")
    assert unlock.note == "lock expired"


def test_success_resets_the_count(client, staff, clock):
    for _ in range(4):
        sign_in(client, staff, password="wrong-password")
    sign_in(client, staff, token=code(staff))
    client.logout()
    clock.shift(datetime.timedelta(seconds=31))  # a new code: each one is accepted once

    for _ in range(4):
        sign_in(client, staff, password="wrong-password")

    assert not signin.is_locked(staff.username)


def test_unknown_usernames_are_counted_and_locked_alike(client):
    for _ in range(5):
        client.post(LOGIN, {"username": "nobody", "password": "x", "otp_token": "123456"})

    assert signin.is_locked("nobody")


@pytest.mark.parametrize("minutes", [30])
def test_the_lock_lasts_the_configured_minutes(client, staff, settings, minutes):
    settings.IDENTITY_LOCKOUT_MINUTES = minutes
    for _ in range(5):
        sign_in(client, staff, password="wrong-password")

    assert signin.locked_until(staff.username) == START + datetime.timedelta(minutes=minutes)


def test_an_administrator_can_unlock(staff):
    for _ in range(5):
        signin.record_failure(staff.username)

    signin.reset(staff.username, by="manage.py")

    assert not signin.is_locked(staff.username)
    unlock = AuditRecord.objects.get(action="identity.signin.unlock")
    assert unlock.note == "unlocked by an administrator"


def test_enroll_totp_creates_a_confirmed_device_and_prints_its_uri(capsys):
    user = StaffFactory(username="wangli")

    call_command("enroll_totp", "wangli")

    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    out = capsys.readouterr().out
    assert "otpauth://totp/" in out
    assert device.config_url in out
    assert AuditRecord.objects.filter(action="identity.totp.enroll").count() == 1


def test_enroll_totp_refuses_a_second_device_unless_replacing():
    user = StaffFactory(username="wangli")
    call_command("enroll_totp", "wangli", stdout=io.StringIO())

    with pytest.raises(CommandError, match="--replace"):
        call_command("enroll_totp", "wangli")
    call_command("enroll_totp", "wangli", "--replace", stdout=io.StringIO())

    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_demo_staff_sign_in_with_the_demo_code(client):
    org_demo.load()
    assert not demo.is_loaded()
    demo.load()
    demo.load()  # idempotent
    assert demo.is_loaded()
    assert TOTPDevice.objects.filter(name=demo.DEMO_DEVICE_NAME).count() == len(org_demo.DEMO_STAFF)

    out = io.StringIO()
    call_command("demo_totp", stdout=out, stderr=io.StringIO())
    shown = out.getvalue().strip()
    response = client.post(
        LOGIN, {"username": "sysadmin", "password": "Tongban@2026", "otp_token": shown}
    )

    assert shown == demo.current_code()
    assert response.status_code == 302
    assert client.get(INDEX).status_code == 200
