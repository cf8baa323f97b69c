import datetime

import pytest
import time_machine
from django.utils import timezone

from tongban.core.pii.reveal import reveal
from tongban.errors import InvalidInput, NotFound, PermissionDenied
from tongban.identity import access
from tongban.identity.models import Level, RealNameVerification
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    StaffFactory,
    TownCenterFactory,
    VillageCenterFactory,
    WindowFactory,
)
from tongban.registry import services, spaces
from tongban.registry.tests.factories import PersonFactory
from tongban.registry.tests.space_factories import (
    agent,
    clerk,
    enterprise,
    person_account,
    read_id_number,
    unverified_account,
)

pytestmark = pytest.mark.django_db


def test_the_person_space_shows_the_registry_record_masked():
    person = PersonFactory(name="李建华", phone="13912345678", division="610124101201")
    town = TownCenterFactory(statistical_code="610124101", division_name="哑柏镇")
    VillageCenterFactory(parent=town, statistical_code="610124101201", division_name="第一村(演示)")
    user = person_account(person)

    profile = spaces.person_space(user).profile

    number = str(person.id_number)
    assert profile.name == "李*华"
    assert profile.id_number == number[:6] + "********" + number[-4:]
    assert profile.phone == "139****5678"
    assert profile.address == "陕西省西安市****"
    assert (profile.sex, profile.birth_date) == ("男", person.birth_date)
    assert (profile.town, profile.village) == ("哑柏镇", "第一村")


def test_a_division_the_service_network_does_not_know_shows_no_name():
    user = person_account(PersonFactory(division="610124199299"))

    profile = spaces.person_space(user).profile

    assert (profile.division, profile.town, profile.village) == ("610124199299", "", "")


def test_a_person_below_l2_has_no_space():
    with pytest.raises(spaces.RealNameRequired) as raised:
        spaces.person_space(unverified_account(Level.L1))

    assert "实名认证" in raised.value.message
    assert isinstance(raised.value, PermissionDenied)


def test_an_l2_account_without_a_registry_record_is_told_so():
    user = person_account()
    services.find_person(str(user.id_number)).delete()

    with pytest.raises(NotFound, match="人口库中没有您的档案"):
        spaces.person_space(user)


def test_a_person_may_view_only_their_own_record():
    mine, theirs = PersonFactory(), PersonFactory()
    user = person_account(mine)

    assert access.can(user, spaces.VIEW_PERSON, mine)
    assert not access.can(user, spaces.VIEW_PERSON, theirs)
    assert not access.can(StaffFactory(), spaces.VIEW_PERSON, theirs)


def test_the_space_lists_the_real_name_verifications_with_place_and_masked_clerk():
    user = person_account()
    window = WindowFactory(number="A01", name="综合受理一号窗口")
    verifier = clerk("张小明")
    RealNameVerification.objects.create(
        user=user,
        level=Level.L3,
        method=RealNameVerification.Method.WINDOW,
        verified_by=verifier,
        window=window,
    )

    account = spaces.person_space(user).account

    assert account.real_name_level_label == str(Level.L2.label)
    newest, first = account.verifications
    assert (newest.method_label, newest.level_label) == ("窗口现场核验", str(Level.L3.label))
    assert newest.place == f"{window.center.name} A01 综合受理一号窗口"
    assert newest.verifier == "张*明"
    assert first.method_label == "人口库比对"


def test_a_clerks_read_appears_with_department_role_and_purpose():
    person = PersonFactory()
    owner, other = person_account(person), person_account()
    reader = clerk("王丽")
    reveal(reader, person, "id_number", purpose="办理社会保障卡时核对申请人身份")

    reads, next_cursor = spaces.data_reads(spaces.own_person(owner))

    assert next_cursor is None
    (read,) = reads
    assert read.reader == "王*"
    assert read.department == "周至县人力资源和社会保障局"
    assert read.role == "窗口人员"
    assert read.purpose == "办理社会保障卡时核对申请人身份"
    assert (read.field, read.field_label, read.subject) == ("id_number", "身份证号码", "人口库档案")
    assert spaces.data_reads(spaces.own_person(other)) == ([], None)


def test_a_read_of_the_persons_account_counts_as_a_read_of_their_data():
    owner = person_account()
    reveal(clerk(), owner, "phone", purpose="回电告知办理结果")

    (read,), _ = spaces.data_reads(spaces.own_person(owner))

    assert (read.subject, read.field_label, read.purpose) == (
        "账号信息",
        "手机号码",
        "回电告知办理结果",
    )


def test_other_actions_on_the_record_are_not_reads():
    person = PersonFactory()
    owner = person_account(person)
    services.update_person(person, "import", phone="13700000000")

    assert spaces.data_reads(spaces.own_person(owner)) == ([], None)


def test_the_reader_is_placed_in_the_department_of_the_membership_in_force_at_the_read():
    person = PersonFactory()
    owner = person_account(person)
    reader = clerk("王丽", department=DepartmentFactory(name="周至县民政局"))
    StaffMembership.objects.filter(user=reader).update(
        valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 3, 31)
    )
    MembershipFactory(
        user=reader,
        department=DepartmentFactory(name="周至县医疗保障局"),
        role=StaffMembership.Role.APPROVER,
        valid_from=datetime.date(2026, 4, 1),
    )
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)):
        reveal(reader, person, "id_number", purpose="核对低保申请人身份")
    with time_machine.travel(datetime.datetime(2026, 5, 6, 9, tzinfo=datetime.UTC)):
        reveal(reader, person, "id_number", purpose="核对医保参保人身份")
        reads, _ = spaces.data_reads(spaces.own_person(owner))

    assert [(r.department, r.role, r.purpose) for r in reads] == [
        ("周至县医疗保障局", "审批人员", "核对医保参保人身份"),
        ("周至县民政局", "窗口人员", "核对低保申请人身份"),
    ]


def test_without_dated_memberships_the_current_one_is_shown():
    membership = StaffMembership(role=StaffMembership.Role.CLERK, is_active=True)
    at = timezone.now() - datetime.timedelta(days=400)

    assert spaces.membership_at([membership], at, "id_number") is membership
    assert spaces.membership_at([], at, "id_number") is None


def test_reads_are_paginated_newest_first_without_overlap():
    person = PersonFactory()
    owner = person_account(person)
    reader = clerk()
    for n in range(25):
        reveal(reader, person, "id_number", purpose=f"第{n}次核对")
    subject = spaces.own_person(owner)

    first, cursor = spaces.data_reads(subject)
    second, end = spaces.data_reads(subject, cursor=cursor)

    assert [r.purpose for r in first][:2] == ["第24次核对", "第23次核对"]
    assert len(first) == 20 and len(second) == 5 and end is None
    assert second[-1].purpose == "第0次核对"
    assert not {r.id for r in first} & {r.id for r in second}


def test_a_broken_cursor_is_refused_with_a_field_error():
    subject = spaces.own_person(person_account())

    for cursor in ("not-base64!", "WyJ4Il0"):  # the second is ["x"]
        with pytest.raises(InvalidInput) as raised:
            spaces.data_reads(subject, cursor=cursor)
        assert "cursor" in raised.value.fields


def test_a_page_of_twenty_reads_by_twenty_readers_costs_three_queries(
    django_assert_max_num_queries,
):
    person = PersonFactory()
    owner = person_account(person)
    for n in range(21):
        reveal(clerk(f"王{n}"), person, "id_number", purpose="核对身份")
    subject = spaces.own_person(owner)

    with django_assert_max_num_queries(3):
        reads, cursor = spaces.data_reads(subject)
        assert {r.department for r in reads} == {"周至县人力资源和社会保障局"}

    assert len(reads) == 20 and cursor


def test_the_space_lists_changes_by_field_never_by_value():
    person = PersonFactory()
    owner = person_account(person)
    services.update_person(person, "import", phone="13700000000")

    (change,) = spaces.person_space(owner).changes

    assert (change.action, change.fields) == ("更新", ["手机号码"])


def test_the_space_links_the_enterprises_the_person_may_view():
    rep = person_account()
    mine = enterprise(rep)
    other = enterprise()
    agent(other, scopes=["apply"], user=rep)

    links = spaces.person_space(rep).enterprises

    assert [(link.uscc, link.role) for link in links] == [(mine.legal_entity.uscc, "法定代表人")]


def test_the_legal_representative_sees_the_entity_and_every_agent():
    company = enterprise()
    agent(company, scopes=["view", "apply"])
    agent(company, scopes=["pay"], days=-1)

    space = spaces.enterprise_space(company.legal_rep, company)

    assert space.is_legal_rep and space.viewer_role == "法定代表人"
    assert space.profile.uscc == company.legal_entity.uscc
    assert space.profile.legal_rep_name == "王*国"
    assert "*" in space.profile.legal_rep_id_number
    assert sorted((a.status, tuple(a.scopes)) for a in space.agents) == [
        ("expired", ("pay",)),
        ("valid", ("view", "apply")),
    ]
    labels = {a.status: a.scope_labels for a in space.agents}
    assert labels["valid"] == ["查看办件与证照", "申请办理事项"]


def test_an_agent_with_view_sees_the_entity_but_not_the_agents():
    company = enterprise()
    viewer = agent(company, scopes=["view"])

    space = spaces.enterprise_space(viewer, company)

    assert (space.is_legal_rep, space.viewer_role, space.agents) == (False, "经办人", [])
    assert space.viewer_scopes == ["view"]


@pytest.mark.parametrize(
    "authorization",
    [{"scopes": ["apply", "pay"]}, {"days": -1}, {"revoked_at": timezone.now()}],
    ids=["without-view", "expired", "revoked"],
)
def test_an_agent_without_a_valid_view_scope_is_denied(authorization):
    company = enterprise()
    denied = agent(company, **authorization)

    with pytest.raises(PermissionDenied):
        spaces.enterprise_space(denied, company)
    with pytest.raises(PermissionDenied):
        spaces.enterprise_by_uscc(denied, company.legal_entity.uscc)


def test_strangers_and_staff_are_denied_an_enterprise_space():
    company = enterprise()

    for user in (person_account(), clerk()):
        with pytest.raises(PermissionDenied):
            spaces.enterprise_by_uscc(user, company.legal_entity.uscc)


def test_an_unknown_credit_code_is_not_found():
    with pytest.raises(NotFound):
        spaces.enterprise_by_uscc(person_account(), "91610124MA6TXXXX0X")


def test_a_read_of_the_legal_representatives_number_is_a_read_of_the_enterprise():
    company = enterprise()
    read_id_number(clerk("赵敏"), company.legal_entity, purpose="核对法定代表人身份")

    (read,), _ = spaces.data_reads(company.legal_entity)

    assert (read.reader, read.subject, read.purpose) == ("赵*", "法人库档案", "核对法定代表人身份")
    assert read.field_label == "法定代表人身份证号码"
