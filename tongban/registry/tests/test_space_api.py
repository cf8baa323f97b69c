import pytest

from tongban.gateway.middleware import CALL_LOG_QUERIES
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

API = "/api/v1/spaces"


def enterprise_api(company, suffix="") -> str:
    return f"{API}/enterprises/{company.legal_entity.uscc}{suffix}"


def test_anonymous_callers_are_unauthenticated(client):
    for path in (f"{API}/me", f"{API}/me/reads"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


def test_a_person_below_l2_gets_a_403_saying_why(client):
    client.force_login(unverified_account(Level.L1))

    response = client.get(f"{API}/me")

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "forbidden" and "实名认证" in body["message"]
    assert client.get(f"{API}/me/reads").status_code == 403


def test_my_space_is_masked(client):
    person = PersonFactory(name="李建华", phone="13912345678")
    client.force_login(person_account(person))

    response = client.get(f"{API}/me")

    assert response.status_code == 200
    body = response.json()
    number = str(person.id_number)
    assert number not in response.content.decode()
    assert body["profile"]["id_number"] == number[:6] + "********" + number[-4:]
    assert (body["profile"]["name"], body["profile"]["phone"]) == ("李*华", "139****5678")
    assert body["account"]["real_name_level"] == 2
    assert body["account"]["verifications"][0]["method"] == "registry"


def test_my_reads_name_department_role_and_purpose_and_stay_mine(client):
    person = PersonFactory()
    owner = person_account(person)
    read_id_number(clerk("王丽"), person, purpose="办理社会保障卡时核对申请人身份")

    client.force_login(owner)
    body = client.get(f"{API}/me/reads").json()
    client.force_login(person_account())
    others = client.get(f"{API}/me/reads").json()

    (read,) = body["items"]
    assert read["reader"] == "王*"
    assert (read["department"], read["role"]) == ("周至县人力资源和社会保障局", "窗口人员")
    assert read["purpose"] == "办理社会保障卡时核对申请人身份"
    assert (read["field"], read["field_label"]) == ("id_number", "身份证号码")
    assert body["next_cursor"] is None
    assert others == {"items": [], "next_cursor": None}


def test_reads_page_by_cursor(client):
    person = PersonFactory()
    client.force_login(person_account(person))
    reader = clerk()
    for n in range(5):
        read_id_number(reader, person, purpose=f"第{n}次核对")

    first = client.get(f"{API}/me/reads", {"limit": 3}).json()
    second = client.get(f"{API}/me/reads", {"limit": 3, "cursor": first["next_cursor"]}).json()

    assert [r["purpose"] for r in first["items"]] == ["第4次核对", "第3次核对", "第2次核对"]
    assert [r["purpose"] for r in second["items"]] == ["第1次核对", "第0次核对"]
    assert second["next_cursor"] is None


def test_a_broken_cursor_is_a_422_on_the_cursor_field(client):
    client.force_login(person_account())

    response = client.get(f"{API}/me/reads", {"cursor": "garbage!"})

    assert response.status_code == 422
    assert "cursor" in response.json()["fields"]


def test_a_page_of_twenty_reads_costs_a_bounded_number_of_queries(
    client, django_assert_max_num_queries
):
    person = PersonFactory()
    client.force_login(person_account(person))
    for n in range(25):
        read_id_number(clerk(f"王{n}"), person, purpose="核对身份")

    client.get(f"{API}/me/reads")  # the session's idle time-out renewed: no write for a minute
    # session, account, registry record, account ids, reads, memberships; then the call log.
    with django_assert_max_num_queries(6 + CALL_LOG_QUERIES):
        body = client.get(f"{API}/me/reads").json()

    assert len(body["items"]) == 20 and body["next_cursor"]


def test_the_legal_representative_reads_the_enterprise_and_its_agents(client):
    company = enterprise()
    agent(company, scopes=["view", "apply"])
    read_id_number(clerk("王丽"), company.legal_entity, purpose="核对法定代表人身份")
    client.force_login(company.legal_rep)

    space = client.get(enterprise_api(company)).json()
    reads = client.get(enterprise_api(company, "/reads")).json()

    assert space["profile"]["uscc"] == company.legal_entity.uscc
    assert space["is_legal_rep"] is True
    assert [(a["scopes"], a["status"]) for a in space["agents"]] == [(["view", "apply"], "valid")]
    (read,) = reads["items"]
    assert (read["subject"], read["purpose"]) == ("法人库档案", "核对法定代表人身份")
    assert str(company.legal_entity.legal_rep_id_number) not in str(space)


def test_an_agent_with_view_gets_the_enterprise_without_agents(client):
    company = enterprise()
    client.force_login(agent(company, scopes=["view"]))

    response = client.get(enterprise_api(company))

    assert response.status_code == 200
    assert (response.json()["is_legal_rep"], response.json()["agents"]) == (False, [])
    assert client.get(enterprise_api(company, "/reads")).status_code == 200


@pytest.mark.parametrize(
    "authorization", [{"scopes": ["apply", "pay"]}, {"days": -1}], ids=["without-view", "expired"]
)
def test_agents_without_a_valid_view_scope_get_403_json(client, authorization):
    company = enterprise()
    client.force_login(agent(company, **authorization))

    for suffix in ("", "/reads"):
        response = client.get(enterprise_api(company, suffix))
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


def test_strangers_get_403_and_unknown_codes_404(client):
    company = enterprise()
    client.force_login(person_account())

    assert client.get(enterprise_api(company)).status_code == 403
    assert client.get(f"{API}/enterprises/91610124MA6TXXXX0X").status_code == 404
    client.logout()
    assert client.get(enterprise_api(company)).status_code == 401
