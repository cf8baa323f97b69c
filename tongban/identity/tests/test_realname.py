"""Real-name levels: L2 online against the population base, L3 in person or at a kiosk, and
services that require a level."""

import datetime
import logging

import pytest
import time_machine
from django.http import HttpResponse
from django.test import RequestFactory

from tongban.audit.models import AuditRecord
from tongban.errors import Conflict, InvalidInput, PermissionDenied, RateLimited
from tongban.identity import realname
from tongban.identity.models import Level, RealNameVerification
from tongban.identity.tests.factories import PersonAccountFactory, verified_person
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import (
    CountyCenterFactory,
    DepartmentFactory,
    MembershipFactory,
    WindowFactory,
)
from tongban.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 11, 27, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def person():
    return PersonFactory(name="王建国")


@pytest.fixture
def account():
    return PersonAccountFactory()


def check_digit_wrong(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def test_a_match_raises_the_account_to_l2_and_binds_name_and_number(account, person):
    realname.verify_online(account, name="王建国", id_number=str(person.id_number).lower())

    account.refresh_from_db()
    assert account.real_name_level == Level.L2
    assert account.id_number == person.id_number
    assert (account.last_name, account.first_name) == ("王", "建国")
    assert account.get_full_name() == "王建国"
    verification = account.verifications.get(level=Level.L2)
    assert verification.method == RealNameVerification.Method.REGISTRY


@pytest.mark.parametrize(
    ("make", "field", "text"),
    [
        (lambda n: check_digit_wrong(n), "id_number", "校验位"),
        (lambda n: n[:10], "id_number", "18"),
        (lambda n: "610124199001010000"[:17] + "X", "id_number", None),
    ],
)
def test_a_bad_number_changes_nothing_and_says_why_in_chinese(account, person, make, field, text):
    with pytest.raises(InvalidInput) as error:
        realname.verify_online(account, name="王建国", id_number=make(str(person.id_number)))

    assert field in error.value.fields
    if text:
        assert text in error.value.message
    account.refresh_from_db()
    assert account.real_name_level == Level.L1 and not account.id_number
    assert not account.verifications.filter(level=Level.L2).exists()


def test_a_number_missing_from_the_base_is_refused(account):
    from tongban.registry.tests.factories import person_id_number

    with pytest.raises(InvalidInput) as error:
        realname.verify_online(account, name="王建国", id_number=person_id_number(99_999))

    assert error.value.message.startswith("人口库中没有该身份证号码的记录")


def test_a_name_that_does_not_match_is_refused_on_the_name(account, person):
    with pytest.raises(InvalidInput) as error:
        realname.verify_online(account, name="王建民", id_number=str(person.id_number))

    assert error.value.message.startswith("姓名与身份证号码不一致")
    assert "name" in error.value.fields
    account.refresh_from_db()
    assert account.real_name_level == Level.L1


def test_a_number_bound_to_another_account_is_refused(account, person):
    verified_person(person=person)

    with pytest.raises(Conflict) as error:
        realname.verify_online(account, name="王建国", id_number=str(person.id_number))
    assert "已绑定其他账号" in error.value.message


def test_at_most_five_attempts_a_day(account, person, clock):
    for _n in range(5):
        with pytest.raises(InvalidInput):
            realname.verify_online(account, name="李四", id_number=str(person.id_number))

    with pytest.raises(RateLimited) as error:
        realname.verify_online(account, name="王建国", id_number=str(person.id_number))
    assert "上限" in error.value.message
    assert error.value.retry_after == 14 * 3600
    clock.shift(datetime.timedelta(hours=14))
    realname.verify_online(account, name="王建国", id_number=str(person.id_number))


def test_every_outcome_is_audited_with_the_number_masked(account, person, caplog):
    caplog.set_level(logging.DEBUG)
    number = str(person.id_number)
    with pytest.raises(InvalidInput):
        realname.verify_online(account, name="李四", id_number=number)
    realname.verify_online(account, name="王建国", id_number=number)

    records = AuditRecord.objects.filter(action="identity.realname.check").order_by("pk")
    assert [r.changes["outcome"] for r in records] == ["name_mismatch", "match"]
    everything = " ".join(f"{r.changes} {r.note}" for r in AuditRecord.objects.all())
    assert number not in everything and number[6:14] not in everything
    assert f"{number[:6]}********{number[-4:]}" in everything
    assert number not in caplog.text


def test_an_l2_account_cannot_verify_online_again(person):
    user = verified_person(person=person)

    with pytest.raises(Conflict):
        realname.verify_online(user, name=person.name, id_number=str(person.id_number))


def test_staff_accounts_are_not_verified():
    from tongban.org.tests.factories import StaffFactory

    with pytest.raises(PermissionDenied):
        realname.verify_online(StaffFactory(real_name_level=1), name="x", id_number="x")


# L3 -----------------------------------------------------------------------------------------


@pytest.fixture
def window():
    return WindowFactory()


@pytest.fixture
def clerk(window):
    return MembershipFactory(
        role=StaffMembership.Role.CLERK, center=window.center, window=window
    ).user


def test_a_clerk_at_the_window_raises_to_l3_and_is_recorded(account, person, clerk, window):
    realname.verify_in_person(
        account, by=clerk, window=window, id_number=str(person.id_number), name="王建国"
    )

    account.refresh_from_db()
    assert account.real_name_level == Level.L3
    assert account.id_number == person.id_number
    record = account.verifications.get(level=Level.L3)
    assert record.method == RealNameVerification.Method.WINDOW
    assert (record.verified_by, record.window) == (clerk, window)
    audit = AuditRecord.objects.filter(action="identity.realname.check").get()
    assert audit.actor == clerk
    assert audit.changes["real_name_level"] == [1, 3]


def test_a_clerk_of_another_center_may_not(account, person, window):
    elsewhere = MembershipFactory(
        role=StaffMembership.Role.CLERK, center=CountyCenterFactory()
    ).user

    with pytest.raises(PermissionDenied):
        realname.verify_in_person(
            account, by=elsewhere, window=window, id_number=str(person.id_number), name="王建国"
        )
    assert account.verifications.filter(level=Level.L3).count() == 0


def test_a_clerk_placed_at_the_whole_center_may_use_its_windows(account, person, window):
    clerk = MembershipFactory(role=StaffMembership.Role.CLERK, center=window.center).user

    realname.verify_in_person(
        account, by=clerk, window=window, id_number=str(person.id_number), name="王建国"
    )
    assert account.real_name_level == Level.L3


def test_an_approver_at_the_center_may_not(account, person, window):
    approver = MembershipFactory(
        role=StaffMembership.Role.APPROVER, center=window.center, department=DepartmentFactory()
    ).user

    with pytest.raises(PermissionDenied):
        realname.verify_in_person(
            account, by=approver, window=window, id_number=str(person.id_number), name="王建国"
        )


def test_in_person_a_mismatch_is_refused(account, person, clerk, window):
    with pytest.raises(InvalidInput) as error:
        realname.verify_in_person(
            account, by=clerk, window=window, id_number=str(person.id_number), name="王建民"
        )
    assert "不一致" in error.value.message


def test_in_person_a_card_other_than_the_bound_number_is_refused(person, clerk, window):
    user = verified_person(person=person)
    other = PersonFactory(name="赵六")

    with pytest.raises(Conflict):
        realname.verify_in_person(
            user, by=clerk, window=window, id_number=str(other.id_number), name="赵六"
        )


def test_an_l2_account_is_raised_to_l3_in_person(person, clerk, window):
    user = verified_person(person=person)

    realname.verify_in_person(
        user, by=clerk, window=window, id_number=str(person.id_number), name=person.name
    )
    assert user.real_name_level == Level.L3


def test_a_kiosk_raises_to_l3_and_is_recorded(account, person):
    realname.verify_at_kiosk(
        account, kiosk="ZZ-KIOSK-07", id_number=str(person.id_number), name="王建国"
    )

    record = account.verifications.get(level=Level.L3)
    assert (record.method, record.kiosk, record.verified_by) == ("kiosk", "ZZ-KIOSK-07", None)


def test_compound_surnames_are_split_as_people_write_them():
    assert realname.split_name("欧阳修") == ("欧阳", "修")
    assert realname.split_name("王丽") == ("王", "丽")
    assert realname.split_name("司马") == ("司", "马")


# Requiring a level ---------------------------------------------------------------------------


def test_require_level_raises_a_403_with_a_chinese_message(account):
    realname.require_level(account, Level.L1)

    with pytest.raises(realname.LevelRequired) as error:
        realname.require_level(account, Level.L2)
    assert error.value.status == 403
    assert error.value.code == "level_required"
    assert "需要实名等级 L2" in error.value.message and "当前为 L1" in error.value.message
    assert isinstance(error.value, PermissionDenied)


def test_level_required_sends_the_anonymous_to_sign_in_and_the_low_to_verify(account):
    @realname.level_required(Level.L2)
    def view(request):
        return HttpResponse("ok")

    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/apply/")
    request.user = AnonymousUser()
    assert view(request)["Location"].startswith("/login/?next=/apply/")
    request.user = account
    assert view(request)["Location"] == "/account/realname/?required=2"
    request.user = verified_person()
    assert view(request).content == b"ok"


def test_a_walk_in_without_an_account_gets_one_at_l3_for_their_phone(person, clerk, window):
    from tongban.identity.models import User

    user = realname.register_at_window(
        phone="139 1111 2222",
        id_number=str(person.id_number),
        name="王建国",
        by=clerk,
        window=window,
    )
    assert (str(user.phone), user.real_name_level) == ("13911112222", Level.L3)
    assert AuditRecord.objects.filter(action="identity.user.create", actor=clerk).exists()
    again = realname.register_at_window(
        phone="13911112222", id_number=str(person.id_number), name="王建国", by=clerk, window=window
    )
    assert again.pk == user.pk and User.objects.filter(kind="person").count() == 1


def test_a_walk_in_with_a_wrong_name_or_a_stranger_clerk_opens_nothing(person, clerk, window):
    from tongban.identity.models import User

    with pytest.raises(InvalidInput):
        realname.register_at_window(
            phone="13911112222",
            id_number=str(person.id_number),
            name="李四",
            by=clerk,
            window=window,
        )
    stranger = MembershipFactory(role=StaffMembership.Role.CLERK, center=CountyCenterFactory()).user
    with pytest.raises(PermissionDenied):
        realname.register_at_window(
            phone="13911112222",
            id_number=str(person.id_number),
            name="王建国",
            by=stranger,
            window=window,
        )
    assert not User.objects.filter(kind="person").exists()
