import re

import pytest
from django.urls import reverse

from tongban.identity.models import Level
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

MY_SPACE = "/my/space/"


def enterprise_url(company) -> str:
    return f"/my/enterprises/{company.legal_entity.uscc}/space/"


def text_of(response) -> str:
    """The page's visible text, tags removed and whitespace collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_pages_have_their_names():
    assert reverse("registry:my_space") == MY_SPACE
    assert reverse("registry:enterprise_space", args=["X"]) == "/my/enterprises/X/space/"


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(MY_SPACE)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('identity:login')}?next={MY_SPACE}"


def test_a_person_below_l2_is_told_to_verify_their_real_name(client):
    client.force_login(unverified_account(Level.L1))

    response = client.get(MY_SPACE)

    assert response.status_code == 403
    assert "查看我的空间需要先完成实名认证" in text_of(response)
    assert f'href="{reverse("identity:realname")}"' in response.content.decode()


def test_my_space_shows_the_record_masked_and_who_read_it(client):
    person = PersonFactory(name="李建华")
    client.force_login(person_account(person))
    read_id_number(clerk("王丽"), person, purpose="办理社会保障卡时核对申请人身份")

    response = client.get(MY_SPACE)

    assert response.status_code == 200
    page = text_of(response)
    number = str(person.id_number)
    assert number not in response.content.decode()
    assert number[:6] + "********" + number[-4:] in page
    assert "李*华" in page and "李建华" not in page
    assert "我的空间(一人一档)" in page
    row = (
        "王* 周至县人力资源和社会保障局 窗口人员 人口库档案 · 身份证号码 "
        "办理社会保障卡时核对申请人身份"
    )
    assert row in page


def test_another_person_does_not_see_my_reads(client):
    person = PersonFactory()
    person_account(person)
    read_id_number(clerk(), person, purpose="核对申请人身份信息")
    client.force_login(person_account())

    page = text_of(client.get(MY_SPACE))

    assert "核对申请人身份信息" not in page
    assert "还没有工作人员查看过您的完整个人信息" in page


def test_older_reads_are_one_link_away(client):
    person = PersonFactory()
    client.force_login(person_account(person))
    reader = clerk()
    for n in range(21):
        read_id_number(reader, person, purpose=f"第{n}次核对")

    first = client.get(MY_SPACE)
    cursor = first.context["next_cursor"]
    second = text_of(client.get(MY_SPACE, {"cursor": cursor}))

    assert "更早的记录" in text_of(first) and "第20次核对" in text_of(first)
    assert "第0次核对" not in text_of(first)
    assert "第0次核对" in second and "第20次核对" not in second
    assert "回到最近的记录" in second and "更早的记录" not in second


def test_a_broken_cursor_shows_the_first_page_with_a_notice(client):
    person = PersonFactory()
    client.force_login(person_account(person))
    read_id_number(clerk(), person, purpose="核对申请人身份信息")

    response = client.get(MY_SPACE, {"cursor": "garbage!"})

    assert response.status_code == 200
    page = text_of(response)
    assert "分页游标无效" in page and "核对申请人身份信息" in page


def test_my_space_links_my_enterprises(client):
    rep = person_account()
    company = enterprise(rep)
    client.force_login(rep)

    response = client.get(MY_SPACE)

    assert f'href="{enterprise_url(company)}"' in response.content.decode()


def test_the_legal_representative_sees_the_enterprise_with_its_agents(client):
    company = enterprise()
    agent(company, scopes=["view", "apply"], user=person_account(PersonFactory(name="赵小刚")))
    read_id_number(clerk("王丽"), company.legal_entity, purpose="核对法定代表人身份")
    client.force_login(company.legal_rep)

    response = client.get(enterprise_url(company))

    assert response.status_code == 200
    page = text_of(response)
    assert f"企业空间(一企一档):{company.legal_entity.name}" in page
    assert "经办人授权" in page and "赵*刚 查看办件与证照、申请办理事项" in page
    assert f'href="{reverse("identity:enterprises")}"' in response.content.decode()
    assert "王* 周至县人力资源和社会保障局 窗口人员 法人库档案 · 法定代表人身份证号码" in page
    assert str(company.legal_entity.legal_rep_id_number) not in response.content.decode()


def test_an_agent_with_view_sees_the_enterprise_without_the_agents(client):
    company = enterprise()
    client.force_login(agent(company, scopes=["view"]))

    response = client.get(enterprise_url(company))

    assert response.status_code == 200
    assert "您以经办人身份查看" in text_of(response)
    assert "经办人授权" not in text_of(response)


@pytest.mark.parametrize(
    "authorization", [{"scopes": ["apply"]}, {"days": -1}], ids=["without-view", "expired"]
)
def test_agents_without_a_valid_view_scope_are_refused(client, authorization):
    company = enterprise()
    client.force_login(agent(company, **authorization))

    response = client.get(enterprise_url(company))

    assert response.status_code == 403
    assert "只有该企业的法定代表人和有“查看”授权的经办人可以查看企业空间" in text_of(response)
    assert company.legal_entity.name not in text_of(response)


def test_an_unknown_enterprise_is_not_found(client):
    client.force_login(person_account())

    response = client.get("/my/enterprises/91610124MA6TXXXX0X/space/")

    assert response.status_code == 404
    assert "该企业尚未开通法人账号" in text_of(response)


def test_an_anonymous_visitor_is_sent_to_sign_in_from_an_enterprise_space(client):
    company = enterprise()

    response = client.get(enterprise_url(company))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))
