"""The person pages (sign-in, 我的, real name, enterprises) and the clerk's in-person page."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tongban.audit.models import AuditRecord
from tongban.identity import enterprises
from tongban.identity.models import Agent, Level, PhoneCode, User
from tongban.identity.tests.factories import (
    PersonAccountFactory,
    agent_of,
    enterprise_of,
    last_code,
    verified_person,
)
from tongban.identity.tests.helpers import verified_login
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import PASSWORD, MembershipFactory, StaffFactory, WindowFactory
from tongban.registry.tests.factories import LegalEntityFactory, PersonFactory

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 11, 27, 2, 0, tzinfo=datetime.UTC)
PHONE = "13912345678"
LOGIN = reverse("identity:login")
ACCOUNT = reverse("identity:account")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def send(client, phone=PHONE):
    return client.post(LOGIN, {"phone": phone, "action": "send"})


def test_the_login_page_is_chinese_with_labelled_fields(client):
    page = client.get(LOGIN).text

    assert "获取验证码" in page and "短信验证码" in page and "密码登录" in page
    assert '<label for="id_phone"' in page and 'id="id_phone"' in page
    assert '<label for="id_code"' in page
    assert '<label for="pw_password"' in page
    assert page.count('id="id_phone"') == 1 and page.count('id="pw_phone"') == 1


def test_sign_in_by_code_creates_the_account_and_lands_on_my_page(client):
    response = send(client)
    assert "验证码已发送至 139****5678" in response.text
    assert PHONE not in response.text.replace(f'value="{PHONE}"', "")  # only in its own field

    response = client.post(
        LOGIN, {"phone": PHONE, "code": last_code(PHONE), "action": "code", "next": ACCOUNT}
    )

    assert response.status_code == 302 and response["Location"] == ACCOUNT
    page = client.get(ACCOUNT).text
    assert "139****5678" in page and "L1 手机号已验证" in page
    assert "我的(个人)" in page  # the header


def test_a_wrong_code_is_shown_on_the_code_field(client):
    send(client)

    response = client.post(LOGIN, {"phone": PHONE, "code": "000000", "action": "code"})

    assert "验证码错误,还可尝试 4 次" in response.text
    assert "_auth_user_id" not in client.session


def test_asking_again_too_soon_shows_the_wait(client, clock):
    send(client)
    clock.shift(datetime.timedelta(seconds=20))

    response = send(client)

    assert "请 40 秒后再试" in response.text
    assert PhoneCode.objects.count() == 1


def test_sign_in_with_the_optional_password(client):
    user = PersonAccountFactory(phone=PHONE)

    response = client.post(LOGIN, {"phone": PHONE, "password": PASSWORD, "action": "password"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_password_is_refused_without_echoing_it(client):
    PersonAccountFactory(phone=PHONE)

    response = client.post(LOGIN, {"phone": PHONE, "password": "Nope-123", "action": "password"})

    assert "手机号或密码错误" in response.text and "Nope-123" not in response.text


def test_staff_cannot_sign_in_on_the_person_page(client):
    StaffFactory(phone=PHONE)

    response = client.post(LOGIN, {"phone": PHONE, "password": PASSWORD, "action": "password"})
    assert "_auth_user_id" not in client.session
    send(client)
    response = client.post(LOGIN, {"phone": PHONE, "code": last_code(PHONE), "action": "code"})
    assert "管理后台" in response.text
    assert "_auth_user_id" not in client.session


def test_an_offsite_next_is_ignored(client):
    PersonAccountFactory(phone=PHONE)

    response = client.post(
        LOGIN,
        {"phone": PHONE, "password": PASSWORD, "action": "password", "next": "https://evil.test/"},
    )
    assert response["Location"] == ACCOUNT


def test_logout_is_a_post(client):
    client.force_login(PersonAccountFactory())
    assert client.get(reverse("identity:logout")).status_code == 405

    client.post(reverse("identity:logout"))
    assert "_auth_user_id" not in client.session


def test_my_pages_send_the_anonymous_to_sign_in(client):
    response = client.get(ACCOUNT)
    assert response["Location"] == f"{LOGIN}?next={ACCOUNT}"


def test_staff_are_not_served_the_person_pages(client):
    client.force_login(StaffFactory())
    assert client.get(ACCOUNT).status_code == 403


def test_setting_a_password(client):
    user = PersonAccountFactory()
    user.set_unusable_password()
    user.save()
    client.force_login(user)

    response = client.post(
        reverse("identity:password"),
        {"password": "Kiwi-orchard-2026", "password2": "Kiwi-orchard-2026"},
    )

    assert response["Location"] == ACCOUNT
    user.refresh_from_db()
    assert user.check_password("Kiwi-orchard-2026")
    assert "_auth_user_id" in client.session  # still signed in


# Real name -----------------------------------------------------------------------------------


def test_realname_success_and_failure_messages(client):
    person = PersonFactory(name="王建国")
    user = PersonAccountFactory()
    client.force_login(user)
    url = reverse("identity:realname")

    response = client.post(url, {"name": "王建民", "id_number": str(person.id_number)})
    assert "姓名与身份证号码不一致" in response.text
    assert "今日还可尝试 4 次" in response.text
    number = str(person.id_number)
    assert number not in response.text.replace(f'value="{number}"', "")

    response = client.post(url, {"name": "王建国", "id_number": str(person.id_number)})
    assert response["Location"] == ACCOUNT
    page = client.get(ACCOUNT).text
    assert "L2 姓名与身份证号码经人口库比对一致" in page
    assert f"{str(person.id_number)[:6]}********" in page


def test_realname_check_digit_message_on_the_page(client):
    person = PersonFactory()
    client.force_login(PersonAccountFactory())
    number = str(person.id_number)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")

    response = client.post(reverse("identity:realname"), {"name": "x", "id_number": wrong})

    assert "校验位" in response.text


# Enterprises -----------------------------------------------------------------------------------


def test_enrol_add_an_agent_and_revoke(client):
    rep = verified_person()
    entity = LegalEntityFactory(legal_rep_id_number=str(rep.id_number))
    client.force_login(rep)

    client.post(reverse("identity:enroll"), {"uscc": entity.uscc})
    page = client.get(reverse("identity:enterprises")).text
    assert entity.name in page and "您是法定代表人" in page

    enterprise = rep.represented_enterprises.get()
    agent_user = verified_person()
    prefix = f"e{enterprise.pk}"
    client.post(
        reverse("identity:add_agent", args=[enterprise.pk]),
        {
            f"{prefix}-phone": str(agent_user.phone),
            f"{prefix}-scopes": ["apply", "view"],
            f"{prefix}-expires_on": "2027-05-01",
        },
    )
    agent = Agent.objects.get(user=agent_user)
    assert agent.scopes == ["apply", "view"]
    assert agent_user.masked_phone in client.get(reverse("identity:enterprises")).text

    client.post(reverse("identity:revoke_agent", args=[enterprise.pk, agent.pk]))
    agent.refresh_from_db()
    assert agent.revoked_at is not None
    assert AuditRecord.objects.filter(action__startswith="identity.agent.").count() == 2


def test_an_agent_cannot_manage_agents_through_the_pages(client):
    rep = verified_person()
    enterprise = enterprise_of(rep)
    agent_user = verified_person()
    agent = agent_of(enterprise, agent_user)
    client.force_login(agent_user)

    page = client.get(reverse("identity:enterprises")).text
    assert "您是经办人" in page and "添加经办人" not in page
    response = client.post(reverse("identity:revoke_agent", args=[enterprise.pk, agent.pk]))
    assert response.status_code == 403
    agent.refresh_from_db()
    assert agent.revoked_at is None


def test_switching_identity_shows_in_the_header(client):
    rep = verified_person()
    enterprise = enterprise_of(rep)
    client.force_login(rep)

    client.post(reverse("identity:switch_acting"), {"enterprise": enterprise.pk})

    assert client.session[enterprises.ACTING_SESSION_KEY] == enterprise.pk
    assert f"我的({enterprise.legal_entity.name})" in client.get(ACCOUNT).text
    client.post(reverse("identity:switch_acting"), {"enterprise": ""})
    assert enterprises.ACTING_SESSION_KEY not in client.session


def test_switching_to_a_stranger_enterprise_is_refused(client):
    enterprise = enterprise_of(verified_person())
    client.force_login(verified_person())

    client.post(reverse("identity:switch_acting"), {"enterprise": enterprise.pk})

    assert enterprises.ACTING_SESSION_KEY not in client.session


# The clerk's page --------------------------------------------------------------------------


@pytest.fixture
def window():
    return WindowFactory()


@pytest.fixture
def clerk(window):
    return MembershipFactory(
        role=StaffMembership.Role.CLERK, center=window.center, window=window
    ).user


def test_the_clerk_raises_an_account_to_l3(client, clerk, window):
    person = PersonFactory(name="王建国")
    user = PersonAccountFactory(phone=PHONE)
    verified_login(client, clerk)
    url = reverse("identity:in_person")

    page = client.get(url, {"phone": PHONE}).text
    assert "139****5678" in page and PHONE not in page.replace(f'value="{PHONE}"', "")

    response = client.post(
        url,
        {
            "phone": PHONE,
            "name": "王建国",
            "id_number": str(person.id_number),
            "window": window.pk,
            "confirmed": "on",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.real_name_level == Level.L3
    record = user.verifications.get(level=Level.L3)
    assert (record.verified_by, record.window) == (clerk, window)


def test_the_clerk_must_confirm_the_card(client, clerk, window):
    person = PersonFactory()
    user = PersonAccountFactory(phone=PHONE)
    verified_login(client, clerk)

    response = client.post(
        reverse("identity:in_person"),
        {
            "phone": PHONE,
            "name": person.name,
            "id_number": str(person.id_number),
            "window": window.pk,
        },
    )

    assert "请确认已当面核对身份证原件" in response.text
    user.refresh_from_db()
    assert user.real_name_level == Level.L1


def test_the_clerk_page_needs_a_totp_verified_session(client, clerk):
    url = reverse("identity:in_person")
    assert client.get(url)["Location"].startswith(reverse("admin:login"))

    client.force_login(clerk)
    assert client.get(url)["Location"].startswith(reverse("admin:login"))


def test_staff_without_a_clerk_place_and_persons_are_refused(client):
    url = reverse("identity:in_person")
    verified_login(client, MembershipFactory(role=StaffMembership.Role.APPROVER).user)
    assert client.get(url).status_code == 403


def test_an_unknown_phone_is_reported(client, clerk):
    verified_login(client, clerk)

    page = client.get(reverse("identity:in_person"), {"phone": PHONE}).text

    assert "没有使用该手机号的个人账号" in page
    assert not User.objects.filter(kind=User.Kind.PERSON).exists()


# Admin ---------------------------------------------------------------------------------------


@pytest.fixture
def sysadmin(client):
    user = MembershipFactory(role=StaffMembership.Role.SYSTEM_ADMIN).user
    verified_login(client, user)
    return user


def test_the_account_admin_shows_phone_and_id_number_masked(client, sysadmin):
    person = PersonFactory()
    user = verified_person(person=person, phone=PHONE)
    user.verifications.create(level=Level.L2, method="registry")

    listing = client.get(reverse("admin:identity_user_changelist")).text
    page = client.get(reverse("admin:identity_user_change", args=[user.pk])).text

    assert "139****5678" in listing and PHONE not in listing
    number = str(person.id_number)
    assert f"{number[:6]}********{number[-4:]}" in page and number not in page
    assert "实名核验记录" in page and "人口库比对" in page


def test_unlocking_from_the_admin_is_audited(client, sysadmin):
    from tongban.identity import accounts, signin
    from tongban.identity.models import SignInFailure

    PersonAccountFactory(phone=PHONE)
    key = accounts.phone_index(PHONE)
    for _n in range(5):
        signin.record_failure(key)
    assert signin.is_locked(key)
    row = SignInFailure.objects.get()

    response = client.post(
        reverse("admin:identity_signinfailure_changelist"),
        {"action": "unlock", "_selected_action": [row.pk]},
    )

    assert response.status_code == 302
    assert not signin.is_locked(key)
    record = AuditRecord.objects.filter(action="identity.signin.unlock").get()
    assert record.actor == sysadmin


def test_enterprise_accounts_and_agents_are_read_only_in_the_admin(client, sysadmin):
    enterprise = enterprise_of(verified_person())
    agent_of(enterprise, verified_person())

    assert client.get(reverse("admin:identity_enterpriseaccount_changelist")).status_code == 200
    assert client.get(reverse("admin:identity_agent_changelist")).status_code == 200
    assert client.get(reverse("admin:identity_agent_add")).status_code == 403


def test_only_the_representative_reaches_the_agent_forms(client):
    enterprise = enterprise_of(verified_person())
    agent = agent_of(enterprise, verified_person())
    client.force_login(verified_person())

    assert client.post(reverse("identity:add_agent", args=[enterprise.pk])).status_code == 403
    revoke = reverse("identity:revoke_agent", args=[enterprise.pk, agent.pk])
    assert client.post(revoke).status_code == 403
