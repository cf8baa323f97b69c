"""/api/v1/cases: filing with Idempotency-Key, field-by-field refusals creating nothing,
enterprise filing by an agent, my list (keyset), others' cases 404, the receipt."""

import base64
import datetime

import pytest

from tongban.cases import services
from tongban.cases.models import Case
from tongban.cases.tests.factories import applicant_person, clerk_of, file_case, form_item
from tongban.core import clock
from tongban.identity.enterprises import ACTING_SESSION_KEY
from tongban.identity.models import Agent, EnterpriseAccount, Level
from tongban.registry.tests.factories import LegalEntityFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases"
PDF = base64.b64encode(b"%PDF-1.4\n% test\n").decode()


def body(item, **overrides):
    spec = item.current_guide.materials.get(name="申请书")
    data = {
        "item_code": item.implementation_code,
        "form_data": {"purpose": "测试申请"},
        "materials": [
            {
                "spec": spec.pk,
                "file": {
                    "name": "申请书.pdf",
                    "content_type": "application/pdf",
                    "content_base64": PDF,
                },
            }
        ],
    }
    return {**data, **overrides}


def signed_in(client, user, enterprise=None):
    client.force_login(user)
    if enterprise is not None:
        session = client.session
        session[ACTING_SESSION_KEY] = enterprise.pk
        session.save()
    return client


def test_create_returns_201_and_the_same_key_the_first_case_with_200(client):
    item, person = form_item(), applicant_person()
    signed_in(client, person)
    first = client.post(
        URL, body(item), content_type="application/json", headers={"Idempotency-Key": "k-1"}
    )
    assert first.status_code == 201, first.content
    number = first.json()["number"]
    again = client.post(
        URL, body(item), content_type="application/json", headers={"Idempotency-Key": "k-1"}
    )
    assert again.status_code == 200
    assert again.json()["number"] == number
    assert Case.objects.filter(applicant=person).count() == 1
    data = first.json()
    assert data["status"] == "submitted"
    assert data["form_data"]["applicant_name"] == "王小明"  # 一证通办: prefilled
    assert {m["source"] for m in data["materials"]} == {"upload", "registry.person"}


def test_missing_field_and_material_refused_field_by_field_nothing_created(client):
    item, person = form_item(), applicant_person()
    signed_in(client, person)
    response = client.post(
        URL, body(item, form_data={}, materials=[]), content_type="application/json"
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert "请填写申请事由" in fields["form_data.purpose"][0]
    spec = item.current_guide.materials.get(name="申请书")
    assert "申请书" in fields[f"materials.{spec.pk}"][0]
    assert not Case.objects.exists()


def test_bad_base64_is_a_field_error(client):
    item = form_item()
    signed_in(client, applicant_person())
    data = body(item)
    data["materials"][0]["file"]["content_base64"] = "not base64!"
    response = client.post(URL, data, content_type="application/json")
    assert response.status_code == 422
    assert "materials[0].file" in response.json()["fields"]


@pytest.mark.parametrize("name", ["", "..", "scans/"])
def test_a_file_name_without_a_name_is_a_field_error_not_a_500(client, name):
    """Found by the fuzzer (docs/fuzzing.md): Django refused to store it, uncaught."""
    item = form_item()
    signed_in(client, applicant_person())
    data = body(item)
    data["materials"][0]["file"]["name"] = name
    response = client.post(URL, data, content_type="application/json")
    assert response.status_code == 422
    assert any(key.endswith("file.name") for key in response.json()["fields"])
    assert not Case.objects.exists()


def test_level_one_is_refused_with_the_level_message(client):
    item = form_item()
    signed_in(client, applicant_person(level=Level.L1))
    response = client.post(URL, body(item), content_type="application/json")
    assert response.status_code == 403
    assert "实名" in response.json()["message"]
    assert not Case.objects.exists()


def test_anonymous_is_401(client):
    assert client.get(URL).status_code == 401


def _enterprise_with_agent(scopes):
    rep, agent = applicant_person(), applicant_person()
    enterprise = EnterpriseAccount.objects.create(legal_entity=LegalEntityFactory(), legal_rep=rep)
    Agent.objects.create(
        enterprise=enterprise,
        user=agent,
        scopes=scopes,
        granted_by=rep,
        expires_on=clock.today() + datetime.timedelta(days=30),
    )
    return enterprise, agent


def test_agent_with_apply_files_for_the_enterprise(client):
    item = form_item()
    enterprise, agent = _enterprise_with_agent([Agent.Scope.APPLY, Agent.Scope.VIEW])
    signed_in(client, agent, enterprise)
    response = client.post(URL, body(item), content_type="application/json")
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert case.enterprise == enterprise and case.applicant == agent
    assert case.agent.user == agent
    assert response.json()["enterprise"] == enterprise.legal_entity.uscc
    listed = client.get(URL).json()["items"]
    assert [row["number"] for row in listed] == [case.number]


def test_agent_without_apply_cannot_file(client):
    item = form_item()
    enterprise, agent = _enterprise_with_agent([Agent.Scope.VIEW])
    signed_in(client, agent, enterprise)
    response = client.post(URL, body(item), content_type="application/json")
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_list_is_mine_only_with_a_cursor(client):
    item, person = form_item(), applicant_person()
    mine = [file_case(item, person) for _ in range(3)]
    file_case(item, applicant_person())
    signed_in(client, person)
    page = client.get(URL, {"limit": 2}).json()
    assert [row["number"] for row in page["items"]] == [mine[2].number, mine[1].number]
    rest = client.get(URL, {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [row["number"] for row in rest["items"]] == [mine[0].number]
    assert rest["next_cursor"] is None


def test_someone_elses_case_is_404(client):
    item = form_item()
    case = file_case(item, applicant_person())
    signed_in(client, applicant_person())
    assert client.get(f"{URL}/{case.number}").status_code == 404
    assert client.get(f"{URL}/{case.number}/receipt.pdf").status_code == 404


def test_detail_and_receipt_of_my_accepted_case(client):
    item, person = form_item(), applicant_person()
    case = services.accept(file_case(item, person), by=clerk_of(item))
    signed_in(client, person)
    detail = client.get(f"{URL}/{case.number}").json()
    assert detail["status"] == "accepted"
    assert detail["receipt_url"] == f"{URL}/{case.number}/receipt.pdf"
    assert [h["action"] for h in detail["history"]] == ["提交", "受理"]
    receipt = client.get(detail["receipt_url"])
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF-")


def test_same_key_with_another_body_is_refused(client):
    item = form_item()
    signed_in(client, applicant_person())
    headers = {"Idempotency-Key": "k-2"}
    assert (
        client.post(URL, body(item), content_type="application/json", headers=headers).status_code
        == 201
    )
    other = body(item, form_data={"purpose": "另一件事"})
    response = client.post(URL, other, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["fields"]
    assert Case.objects.count() == 1


def test_the_delivery_choice_is_kept_and_a_post_without_address_refused(client):
    item, person = form_item(), applicant_person()
    signed_in(client, person)
    refused = client.post(URL, body(item, delivery="post"), content_type="application/json")
    assert refused.status_code == 422
    assert "delivery_address" in refused.json()["fields"]
    assert not Case.objects.exists()
    chosen = client.post(URL, body(item, delivery="electronic"), content_type="application/json")
    assert chosen.status_code == 201, chosen.content
    assert (chosen.json()["delivery"], chosen.json()["result_type"]) == ("electronic", "")
