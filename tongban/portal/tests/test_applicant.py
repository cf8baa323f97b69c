"""The applicant's pages: applying online (一证通办), my cases and the supplement round trip,
the receipt, and tracking without sign-in (same answer for unknown and wrong, rate-limited)."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.cases import services
from tongban.cases.models import Case, Status
from tongban.cases.tests.factories import applicant_person, clerk_of, file_case, form_item
from tongban.core import clock
from tongban.identity.enterprises import ACTING_SESSION_KEY
from tongban.identity.models import Agent, EnterpriseAccount, Level
from tongban.identity.tests.helpers import verified_login
from tongban.org.tests.factories import DepartmentFactory, staff_with_role
from tongban.registry.tests.factories import LegalEntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def pdf():
    return SimpleUploadedFile("申请书.pdf", b"%PDF-1.4\n% t\n", content_type="application/pdf")


def apply_url(item):
    return f"/items/{item.implementation_code}/apply/"


def spec_of(item, name="申请书"):
    return item.current_guide.materials.get(name=name)


def test_guide_page_links_to_online_application(client):
    item = form_item()
    page = client.get(f"/items/{item.implementation_code}/").content.decode()
    assert apply_url(item) in page and "在线办理" in page


def test_form_shows_prefilled_values_and_does_not_ask_again(client):
    item = form_item()
    person = applicant_person()
    client.force_login(person)
    page = client.get(apply_url(item)).content.decode()
    assert "王小明" in page and "来自人口库" in page
    number = str(person.id_number)
    assert number not in page and f"{number[:6]}********{number[-4:]}" in page  # masked
    assert 'name="applicant_name"' not in page and 'name="id_number"' not in page
    assert 'name="purpose"' in page
    assert "免于提交(来自人口库)" in page  # the ID proof comes from the registry
    assert f'name="material_{spec_of(item).pk}"' in page


def test_errors_field_by_field_nothing_created(client):
    item = form_item()
    client.force_login(applicant_person())
    response = client.post(apply_url(item), {"token": "abc"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "请填写申请事由" in page and "请提交“申请书”" in page
    assert not Case.objects.exists()


def test_browser_cannot_override_a_prefilled_value(client):
    item, person = form_item(), applicant_person()
    client.force_login(person)
    data = {"purpose": "开证明", "applicant_name": "冒名", f"material_{spec_of(item).pk}": pdf()}
    response = client.post(apply_url(item), {**data, "token": "t1"})
    case = Case.objects.get()
    assert response.status_code == 302 and case.number in response["Location"]
    assert case.form_data["applicant_name"] == "王小明"
    assert case.form_data["purpose"] == "开证明"
    # the same form sent twice (double click): one case
    client.post(
        apply_url(item), {"purpose": "开证明", "token": "t1", f"material_{spec_of(item).pk}": pdf()}
    )
    assert Case.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert case.number in page and "申请已提交" in page


def test_level_one_gets_the_message_and_the_verification_link(client):
    client.force_login(applicant_person(level=Level.L1))
    response = client.get(apply_url(form_item()))
    assert response.status_code == 403
    page = response.content.decode()
    assert "实名等级 L2" in page and "/account/realname/?required=2" in page


def _acting(client, scopes):
    rep, agent = applicant_person(), applicant_person()
    enterprise = EnterpriseAccount.objects.create(legal_entity=LegalEntityFactory(), legal_rep=rep)
    Agent.objects.create(
        enterprise=enterprise,
        user=agent,
        scopes=scopes,
        granted_by=rep,
        expires_on=clock.today() + datetime.timedelta(days=30),
    )
    client.force_login(agent)
    session = client.session
    session[ACTING_SESSION_KEY] = enterprise.pk
    session.save()
    return enterprise, agent


def test_agent_with_apply_files_for_the_enterprise(client):
    item = form_item()
    enterprise, agent = _acting(client, [Agent.Scope.APPLY, Agent.Scope.VIEW])
    assert enterprise.legal_entity.name in client.get(apply_url(item)).content.decode()
    client.post(
        apply_url(item), {"purpose": "x", "token": "e1", f"material_{spec_of(item).pk}": pdf()}
    )
    case = Case.objects.get()
    assert case.enterprise == enterprise and case.agent.user == agent
    assert case.number in client.get("/my/cases/").content.decode()


def test_agent_without_apply_is_refused(client):
    item = form_item()
    _acting(client, [Agent.Scope.VIEW])
    response = client.post(
        apply_url(item), {"purpose": "x", "token": "e2", f"material_{spec_of(item).pk}": pdf()}
    )
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_my_cases_lists_mine_and_hides_others(client):
    item, person = form_item(), applicant_person()
    mine, other = file_case(item, person), file_case(item, applicant_person())
    client.force_login(person)
    page = client.get("/my/cases/").content.decode()
    assert mine.number in page and other.number not in page
    assert client.get(f"/my/cases/{other.number}/").status_code == 404


def test_supplement_round_trip_on_the_same_case(client):
    item, person = form_item(), applicant_person()
    case = file_case(item, person)
    spec = spec_of(item)
    services.request_supplement(
        case,
        by=clerk_of(item),
        items=[
            {"material": spec.pk, "reason": "未签字"},
            {"material": "房产证明", "reason": "缺少"},
        ],
    )
    client.force_login(person)
    page = client.get(f"/my/cases/{case.number}/").content.decode()
    assert "申请书" in page and "未签字" in page and "房产证明" in page and "缺少" in page
    url = f"/my/cases/{case.number}/resubmit/"
    refused = client.post(url, {})
    assert refused.status_code == 422 and "请按补正告知重新提交" in refused.content.decode()
    client.post(url, {f"material_{spec.pk}": pdf()})
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED and case.round == 2


def test_receipt_for_the_applicant_and_the_department_staff(client):
    item, person = form_item(), applicant_person()
    case = services.accept(file_case(item, person), by=clerk_of(item))
    url = f"/cases/{case.number}/receipt.pdf"
    client.force_login(person)
    assert client.get(f"/my/cases/{case.number}/").content.decode().count(url) == 1
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    client.logout()
    verified_login(client, staff_with_role("clerk", department=case.department))
    assert client.get(url).status_code == 200
    client.logout()
    verified_login(client, staff_with_role("clerk", department=DepartmentFactory()))
    assert client.get(url).status_code == 404


def test_tracking_by_phone_or_id_number_masked(client):
    item = form_item()
    person = applicant_person(phone="13912345678")
    case = services.accept(file_case(item, person), by=clerk_of(item))
    for secret in ("13912345678", str(person.id_number)):
        page = client.post("/track/", {"number": case.number, "secret": secret}).content.decode()
        assert "已受理" in page and "王*明" in page and "王小明" not in page
        assert str(person.id_number) not in page


def test_unknown_number_and_wrong_phone_get_the_same_answer(client):
    item = form_item()
    case = file_case(item, applicant_person(phone="13912345678"))
    wrong = client.post("/track/", {"number": case.number, "secret": "13900000000"})
    unknown = client.post("/track/", {"number": "610124X", "secret": "13912345678"})
    assert wrong.status_code == unknown.status_code == 200

    def strip(response):
        page = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())
        return page.replace(case.number, "").replace("610124X", "")

    assert strip(wrong) == strip(unknown)
    assert "未查询到办件" in strip(wrong)


def test_tracking_is_rate_limited_per_case_number(client, settings):
    case = file_case(form_item(), applicant_person(phone="13912345678"))
    for _ in range(settings.CASES_TRACK_PER_NUMBER):
        client.post("/track/", {"number": case.number, "secret": "13900000000"})
    response = client.post("/track/", {"number": case.number, "secret": "13912345678"})
    assert response.status_code == 429
    assert "查询过于频繁" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_tracking_is_rate_limited_per_address(client, settings):
    settings.CASES_TRACK_PER_IP = 4  # the setting is read per request, not at import

    for index in range(settings.CASES_TRACK_PER_IP):
        client.post("/track/", {"number": f"N{index}", "secret": "13900000000"})
    assert client.post("/track/", {"number": "N-last", "secret": "1"}).status_code == 429


def test_qr_link_fills_in_the_number(client):
    page = client.get("/track/?number=6101242026").content.decode()
    assert 'value="6101242026"' in page


def test_items_below_online_pre_review_cannot_be_applied_for_online(client):
    from tongban.catalog.models import Guide

    item = form_item(online_depth=Guide.OnlineDepth.BOOKING)
    assert "在线办理" not in client.get(f"/items/{item.implementation_code}/").content.decode()
    client.force_login(applicant_person())
    response = client.get(apply_url(item))
    assert response.status_code == 404 and "请到窗口办理" in response.content.decode()


def test_the_form_asks_how_the_result_should_reach_the_applicant(client):
    item = form_item()
    client.force_login(applicant_person())
    page = client.get(apply_url(item)).content.decode()
    assert "结果送达方式" in page and 'name="delivery" value="post"' in page
    data = {"purpose": "开证明", "delivery": "post", f"material_{spec_of(item).pk}": pdf()}
    response = client.post(apply_url(item), {**data, "token": "t2"})
    assert response.status_code == 422
    assert "请填写邮寄地址" in response.content.decode() and not Case.objects.exists()
    data = {
        **data,
        "delivery_address": "周至县二曲街道1号",
        f"material_{spec_of(item).pk}": pdf(),
    }
    response = client.post(apply_url(item), {**data, "token": "t3"})
    assert response.status_code == 302
    assert Case.objects.get().delivery_address == "周至县二曲街道1号"


def test_the_form_offers_the_applicants_license_instead_of_the_upload(client):
    from tongban.licenses.models import LicenseAccess
    from tongban.licenses.tests.factories import LicenseFactory, LicenseTypeFactory

    item, person = form_item(), applicant_person()
    spec = spec_of(item)
    license = LicenseFactory(holder_user=person, license_type=LicenseTypeFactory())
    spec.license_type_code = license.license_type.code
    spec.save(update_fields=["license_type_code"])
    client.force_login(person)
    page = client.get(apply_url(item)).content.decode()
    assert f'name="use_license_{spec.pk}" value="1" checked' in page
    assert license.number in page
    data = {"purpose": "开证明", f"use_license_{spec.pk}": "1", "token": "t4"}
    assert client.post(apply_url(item), data).status_code == 302
    material = Case.objects.get().materials.get(spec=spec)
    assert (material.source, material.reference_id) == ("license", license.identifier)
    assert LicenseAccess.objects.filter(kind="use", license=license).count() == 1
    unticked = client.post(apply_url(item), {"purpose": "开证明", "token": "t5"})
    assert unticked.status_code == 422  # neither the license nor a file: still required
