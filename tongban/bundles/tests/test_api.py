"""/api/v1/bundles: the published bundles with figures, one bundle for the answers given,
filing once (Base64 materials, Idempotency-Key, field-by-field refusals creating nothing),
and a filing's progress for its applicant only."""

import base64
import json

import pytest

from tongban.bundles import services
from tongban.bundles.models import Bundle, BundleCase
from tongban.bundles.tests.test_services import file_once, opening
from tongban.cases.models import Case
from tongban.cases.tests.factories import applicant_person, clerk_of, form_item
from tongban.identity.models import Level
from tongban.identity.tests.helpers import verified_login

pytestmark = pytest.mark.django_db
URL = "/api/v1/bundles"
PDF = base64.b64encode(b"%PDF-1.4\n% api\n").decode()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def body(**overrides):
    data = {
        "answers": {"employs": "no"},
        "form_data": {"purpose": "开办企业"},
        "materials": [
            {
                "name": "申请书",
                "file": {
                    "name": "申请书.pdf",
                    "content_type": "application/pdf",
                    "content_base64": PDF,
                },
            }
        ],
    }
    return {**data, **overrides}


def post(client, payload, **headers):
    return client.post(
        f"{URL}/qiye-kaiban/cases", payload, content_type="application/json", headers=headers
    )


def test_the_list_gives_the_published_bundles_and_their_figures(client):
    bundle, _entries, _waiting = opening()
    Bundle.objects.create(code="draft", name="草稿", promised_days=1)
    data = client.get(URL).json()
    assert [entry["code"] for entry in data["items"]] == ["qiye-kaiban"]
    assert data["items"][0]["figures"] == services.figures(bundle)
    assert data["next_cursor"] is None


def test_one_bundle_for_the_answers_or_all_its_items(client):
    opening()
    everything = client.get(f"{URL}/qiye-kaiban").json()
    assert everything["answered"] is False and len(everything["items"]) == 6
    assert everything["questions"][0]["key"] == "employs"
    answers = json.dumps({"employs": "no"})
    found = client.get(f"{URL}/qiye-kaiban", {"answers": answers}).json()
    assert found["answered"] is True and len(found["items"]) == 5
    assert len(found["items"][4]["waits_for"]) == 1
    assert found["items"][4]["waits_for"] == [found["items"][0]["implementation_code"]]
    materials = {m["key"]: m for m in found["materials"]}
    assert materials["申请书"]["items"] == 5 and materials["申请人身份证明"]["shared_data"]
    assert [f["key"] for f in found["fields"]].count("purpose") == 1


@pytest.mark.parametrize("answers", ['{"employs": "maybe"}', "not json", "[1]"])
def test_bad_answers_are_refused(client, answers):
    opening()
    response = client.get(f"{URL}/qiye-kaiban", {"answers": answers})
    assert response.status_code == 422
    assert set(response.json()["fields"]) & {"answers", "answers.employs"}


def test_filing_returns_201_the_children_and_the_same_key_the_first_filing(client):
    opening()
    person = applicant_person()
    client.force_login(person)
    first = post(client, body(), **{"Idempotency-Key": "b-1"})
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["bundle_code"] == "qiye-kaiban" and data["status"] == "in_progress"
    assert len(data["children"]) == 5
    assert sum(1 for child in data["children"] if child["case_number"]) == 4
    again = post(client, body(), **{"Idempotency-Key": "b-1"})
    assert again.status_code == 200 and again.json()["number"] == data["number"]
    assert BundleCase.objects.filter(applicant=person).count() == 1


def test_a_missing_field_and_material_are_refused_field_by_field_nothing_created(client):
    opening()
    client.force_login(applicant_person())
    response = post(client, body(form_data={}, materials=[]))
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert "请填写" in fields["form_data.purpose"][0]
    assert fields["materials.申请书"] == ["请提交“申请书” / required"]
    bad = body()
    bad["materials"][0]["file"]["content_base64"] = "not base64!"
    assert "materials[0].file" in post(client, bad).json()["fields"]
    assert not BundleCase.objects.exists() and not Case.objects.exists()


def test_a_file_name_without_a_name_is_a_field_error_not_a_500(client):
    """Found by the fuzzer (docs/fuzzing.md): an empty name reached SimpleUploadedFile."""
    opening()
    client.force_login(applicant_person())
    bad = body()
    bad["materials"][0]["file"]["name"] = ""
    response = post(client, bad)
    assert response.status_code == 422
    assert any(key.endswith("file.name") for key in response.json()["fields"])
    assert not BundleCase.objects.exists()


def test_staff_and_people_below_l2_do_not_file(client):
    opening()
    verified_login(client, clerk_of(form_item()))
    assert post(client, body()).status_code == 403
    client.logout()
    client.force_login(applicant_person(level=Level.L1))
    assert post(client, body()).status_code == 403
    client.logout()
    assert post(client, body()).status_code == 401
    assert not BundleCase.objects.exists()


def test_progress_for_the_applicant_only(client):
    bundle, _entries, _waiting = opening()
    person = applicant_person()
    parent = file_once(bundle, person)
    client.force_login(person)
    data = client.get(f"{URL}/cases/{parent.number}").json()
    assert data["number"] == parent.number and len(data["children"]) == 5
    assert data["children"][4]["status"] == "等待前置事项结果"
    receipt = client.get(data["receipt_url"])
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    client.logout()
    client.force_login(applicant_person())
    assert client.get(f"{URL}/cases/{parent.number}").status_code == 404
    assert client.get(data["receipt_url"]).status_code == 404
    client.logout()
    assert client.get(f"{URL}/cases/{parent.number}").status_code == 401
