"""Intake: filing from each channel, prefilling from the registries, field-by-field refusal
that creates nothing, idempotency, real-name levels and enterprises."""

import datetime
import hashlib

import pytest

from tongban.audit.models import AuditRecord
from tongban.cases import services
from tongban.cases.models import Case, CaseEvent, Channel, Material, Status
from tongban.cases.tests.factories import (
    applicant_person,
    application_form,
    file_case,
    form_item,
    pdf,
    window_clerk,
)
from tongban.catalog import services as catalog
from tongban.core.pii import blind_index
from tongban.errors import Conflict, InvalidInput, PermissionDenied
from tongban.identity.models import Agent, EnterpriseAccount, Level
from tongban.identity.realname import LevelRequired
from tongban.notify.models import Message
from tongban.registry.tests.factories import LegalEntityFactory

pytestmark = pytest.mark.django_db


def test_an_online_submission_files_a_case_with_prefilled_fields(travel):
    travel(2026, 11, 27)
    item = form_item()
    applicant = applicant_person()

    case = file_case(item, applicant)

    assert case.number.startswith("61012420261127") and len(case.number) == 20
    assert case.status == Status.SUBMITTED
    assert case.guide_id == item.current_guide_id and case.department_id == item.department_id
    # 一证通办: name, ID number and address came from the population base.
    assert case.form_data["applicant_name"] == "王小明"
    assert case.form_data["id_number"] == str(applicant.id_number)
    assert case.form_data["address"].startswith("陕西省西安市周至县")
    assert case.form_data["purpose"] == "测试申请"
    event = CaseEvent.objects.get(case=case)
    assert (event.from_status, event.to_status, event.verb) == ("", Status.SUBMITTED, "submit")
    assert AuditRecord.objects.filter(action="cases.case.submit", object_id=str(case.pk)).exists()
    message = Message.objects.get(recipient=applicant, template_code="cases.status_changed")
    assert case.number in message.body and "已提交" in message.body


def test_materials_are_stored_with_their_hash_or_as_registry_references():
    item = form_item()
    case = file_case(item, applicant_person())

    upload = case.materials.get(source=Material.Source.UPLOAD)
    body = b"%PDF-1.4\n% test\n"
    assert upload.sha256 == hashlib.sha256(body).hexdigest()
    assert upload.size == len(body) and upload.content_type == "application/pdf"
    assert upload.file.read() == body
    assert case.number in upload.file.name and "申请书" not in upload.file.name
    shared = case.materials.get(source=Material.Source.PERSON)
    assert shared.name == "申请人身份证明" and shared.reference_id


def test_clerks_find_cases_by_the_applicants_id_number():
    applicant = applicant_person()
    case = file_case(form_item(), applicant)

    index = blind_index(str(applicant.id_number), "id_number")
    assert list(Case.objects.filter(applicant_id_number_hash=index)) == [case]
    assert str(Case.objects.get(pk=case.pk).applicant_id_number) == str(applicant.id_number)


def test_prefill_says_where_each_value_comes_from():
    item = form_item()
    applicant = applicant_person()

    found = services.prefill(applicant, item.current_guide)

    assert set(found) == {"applicant_name", "id_number", "address"}
    assert found["applicant_name"] == {
        "value": "王小明",
        "source": "registry.person",
        "source_label": "人口库",
    }


def test_prefill_without_a_registry_record_fills_nothing():
    item = form_item()
    assert services.prefill(applicant_person(in_registry=False), item.current_guide) == {}


def test_missing_fields_and_materials_are_refused_one_by_one_and_nothing_is_created(media):
    item = form_item()
    applicant = applicant_person(in_registry=False)
    application = item.current_guide.materials.get(name="申请书")
    identity = item.current_guide.materials.get(name="申请人身份证明")

    with pytest.raises(InvalidInput) as raised:
        services.submit(
            user=applicant,
            item_code=item.implementation_code,
            form_data={"purpose": "", "unknown": "x"},
            materials=[],
            channel=Channel.WEB,
        )

    fields = raised.value.fields
    assert fields["form_data.purpose"] == ["请填写申请事由 / required"]
    assert "form_data.applicant_name" in fields and "form_data.unknown" in fields
    assert f"materials.{application.pk}" in fields
    assert f"materials.{identity.pk}" in fields  # not in the registry: must be uploaded
    assert "请提交“申请书”" in fields[f"materials.{application.pk}"][0]
    assert not Case.objects.exists() and not Material.objects.exists()
    assert not CaseEvent.objects.exists()
    assert not media.exists() or not any(media.rglob("*.pdf"))


def test_wrong_files_are_refused():
    item = form_item()
    spec = item.current_guide.materials.get(name="申请书")

    with pytest.raises(InvalidInput) as raised:
        file_case(
            item,
            applicant_person(),
            materials=[
                {"spec": spec.pk, "file": pdf("a.exe", b"MZ")},
                {"spec": 999_999, "file": pdf()},
            ],
        )

    fields = raised.value.fields
    assert "PDF" in fields["materials[0]"][0]
    assert "不是本事项" in fields["materials[1]"][0]
    assert not Case.objects.exists()


def test_the_same_idempotency_key_returns_the_first_case():
    item = form_item()
    applicant = applicant_person()

    first = file_case(item, applicant, idempotency_key="k-1")
    again = file_case(item, applicant, idempotency_key="k-1")
    other = file_case(item, applicant, idempotency_key="k-2")

    assert again.pk == first.pk and other.pk != first.pk
    assert Case.objects.count() == 2


def test_the_applicant_chooses_how_the_result_reaches_them():
    item, applicant = form_item(), applicant_person()
    posted = file_case(item, applicant, delivery="post", delivery_address=" 周至县二曲街道1号 ")
    assert (posted.delivery_method, posted.delivery_address) == ("post", "周至县二曲街道1号")
    assert file_case(item, applicant).delivery_method == "window"


@pytest.mark.parametrize(
    ("delivery", "address", "field"),
    [("pigeon", "", "delivery"), ("post", "  ", "delivery_address")],
)
def test_an_unknown_delivery_or_a_post_without_address_is_refused(delivery, address, field):
    with pytest.raises(InvalidInput) as raised:
        file_case(form_item(), applicant_person(), delivery=delivery, delivery_address=address)
    assert field in raised.value.fields
    assert Case.objects.count() == 0


def test_an_overlong_idempotency_key_is_refused():
    with pytest.raises(InvalidInput) as raised:
        file_case(form_item(), applicant_person(), idempotency_key="k" * 65)
    assert "idempotency_key" in raised.value.fields


def test_online_filing_needs_real_name_level_2():
    item = form_item()
    with pytest.raises(LevelRequired):
        file_case(item, applicant_person(level=Level.L1))
    assert not Case.objects.exists()


def test_a_clerk_files_at_the_window_for_a_walk_in_applicant_with_assistance():
    item = form_item()
    clerk, window = window_clerk()
    applicant = applicant_person(level=Level.L1)

    case = file_case(
        item,
        applicant,
        channel=Channel.COUNTY_WINDOW,
        window=window,
        by=clerk,
        assisted_by=clerk,
        assist_note="申请人年逾八十,由窗口人员帮办",
    )

    assert case.channel == Channel.COUNTY_WINDOW
    assert (case.window, case.center) == (window, window.center)
    assert case.filed_by == clerk and case.assisted_by == clerk
    assert case.applicant == applicant


def test_window_channels_need_a_clerk_and_online_channels_the_applicant():
    item = form_item()
    clerk, window = window_clerk()
    applicant = applicant_person()

    with pytest.raises(PermissionDenied):
        file_case(item, applicant, channel=Channel.COUNTY_WINDOW, window=window)
    with pytest.raises(PermissionDenied):
        file_case(item, applicant, channel=Channel.WEB, by=clerk)
    with pytest.raises(InvalidInput) as raised:
        file_case(item, applicant, channel=Channel.COUNTY_WINDOW, by=clerk)
    assert "window" in raised.value.fields
    assert not Case.objects.exists()


def test_a_window_of_another_level_does_not_fit_the_channel():
    item = form_item()
    clerk, window = window_clerk()  # a county window

    with pytest.raises(InvalidInput) as raised:
        file_case(item, applicant_person(), channel=Channel.TOWN_CENTER, window=window, by=clerk)
    assert "window" in raised.value.fields


def test_registry_values_win_over_what_was_sent():
    item = form_item()
    applicant = applicant_person()

    case = file_case(item, applicant, form_data={"purpose": "x", "applicant_name": "李四"})

    assert case.form_data["applicant_name"] == "王小明"


def test_a_superseded_guide_version_cannot_be_filed_under():
    item = form_item()
    old = item.current_guide
    draft = catalog.start_revision(item, by=None)
    catalog.publish(catalog.submit(draft, by=None), by=None)

    with pytest.raises(Conflict):
        file_case(item, applicant_person(), guide=old)


def enterprise_with_agent(scopes):
    rep = applicant_person()
    enterprise = EnterpriseAccount.objects.create(legal_entity=LegalEntityFactory(), legal_rep=rep)
    agent_user = applicant_person()
    Agent.objects.create(
        enterprise=enterprise,
        user=agent_user,
        scopes=scopes,
        expires_on=datetime.date(2099, 1, 1),
        granted_by=rep,
    )
    return enterprise, agent_user


def test_an_agent_files_for_the_enterprise_within_their_authorization():
    item = form_item()
    enterprise, agent_user = enterprise_with_agent(["apply", "view"])

    case = file_case(item, agent_user, enterprise=enterprise)

    assert case.enterprise == enterprise and case.agent.user == agent_user
    assert case.applicant_name == enterprise.legal_entity.name
    assert str(case.applicant_id_number) == enterprise.legal_entity.uscc


def test_an_agent_without_the_apply_scope_is_refused():
    item = form_item()
    enterprise, agent_user = enterprise_with_agent(["view"])

    with pytest.raises(PermissionDenied):
        file_case(item, agent_user, enterprise=enterprise)
    assert not Case.objects.exists()


def test_an_enterprise_only_item_needs_an_enterprise():
    item = form_item(service_object="enterprise")
    with pytest.raises(InvalidInput) as raised:
        file_case(item, applicant_person())
    assert "enterprise" in raised.value.fields
    assert application_form(item)


def test_a_submission_that_fails_after_writing_its_files_leaves_none_behind(media, monkeypatch):
    from tongban.cases import history

    def broken(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(history, "record", broken)
    with pytest.raises(RuntimeError):
        file_case(form_item(), applicant_person())
    assert not Case.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))
