"""办结: concluding with a result and a delivery way, the result document, delivery."""

import pytest

from tongban.audit.models import AuditRecord
from tongban.cases import results, services
from tongban.cases.models import DeliveryMethod, ResultType, Status
from tongban.cases.tests.factories import (
    applicant_person,
    approver_of,
    clerk_of,
    file_case,
    form_item,
)
from tongban.errors import InvalidInput, NotFound
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    return form_item()


@pytest.fixture
def approver(item):
    user = approver_of(item)
    user.last_name, user.first_name = "李", "审批"
    user.save()
    return user


@pytest.fixture
def approved(travel, item, approver):
    travel(2026, 9, 30)
    case = services.accept(file_case(item, applicant_person()), by=clerk_of(item))
    return services.approve(case, by=approver)


def test_concluding_records_the_result_and_the_delivery_way(approved, approver):
    case = results.conclude_with_result(
        approved,
        by=approver,
        result_type=ResultType.APPROVAL,
        delivery=DeliveryMethod.WINDOW,
        note="请凭身份证到出件窗口领取",
    )
    case.refresh_from_db()
    assert case.status == Status.CONCLUDED and case.concluded_at is not None
    assert (case.result_type, case.delivery_method) == ("approval", "window")
    record = AuditRecord.objects.get(action="cases.case.conclude", object_id=str(case.pk))
    assert record.changes["result_type"] == [None, "approval"]


def test_a_result_contradicting_the_decision_or_unknown_is_refused(approved, approver):
    with pytest.raises(InvalidInput) as refused:
        results.conclude_with_result(
            approved, by=approver, result_type=ResultType.REFUSAL, delivery="post"
        )
    assert "result_type" in refused.value.fields
    with pytest.raises(InvalidInput) as unknown:
        results.conclude_with_result(
            approved, by=approver, result_type="license", delivery="pigeon"
        )
    assert "delivery" in unknown.value.fields
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED and not approved.result_type


def test_the_result_document_is_a_signed_off_pdf(approved, approver):
    case = results.conclude_with_result(
        approved, by=approver, result_type="license", delivery="electronic"
    )
    body = results.result_pdf(results.result_case(case.applicant, case.number))
    assert body.startswith(b"%PDF") and body == results.result_pdf(case)
    assert results.title_of(case) == "办结通知书"
    assert dict(results.sign_off(case))["审批人(签发)"] == "李审批"
    assert dict(results.lines(case))["办件编号"] == case.number


def test_who_may_read_the_result(approved, approver, item):
    results.conclude_with_result(approved, by=approver, result_type="approval", delivery="post")
    assert results.result_case(approver, approved.number) == approved
    for stranger in (
        applicant_person(),
        staff_with_role(StaffMembership.Role.APPROVER, department=DepartmentFactory()),
    ):
        with pytest.raises(NotFound):
            results.result_case(stranger, approved.number)


def test_no_result_document_before_conclusion(approved):
    with pytest.raises(NotFound):
        results.result_case(approved.applicant, approved.number)


def test_delivery_marks_the_case_delivered(approved, approver, item):
    case = results.conclude_with_result(
        approved, by=approver, result_type="approval", delivery="window"
    )
    case = results.deliver(case, by=clerk_of(item), note="申请人已领取")
    case.refresh_from_db()
    assert case.status == Status.DELIVERED and case.delivered_at is not None


def test_the_issued_result_is_sealed_signed_stored_once_by_the_conclusion(
    approved, approver, settings, tmp_path, django_capture_on_commit_callbacks
):
    from tongban.signing import services as signing

    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        case = results.conclude_with_result(
            approved, by=approver, result_type=ResultType.APPROVAL, delivery="electronic"
        )
    case.refresh_from_db()
    assert case.result_file and len(case.result_sha256) == 64
    issued = results.sealed_result(case)
    check = signing.verify_pdf(issued)
    assert check.valid and case.department.name in check.signer
    assert results.sealed_result(case) == issued  # stored: the same bytes again
    assert AuditRecord.objects.filter(action="cases.case.seal_result").count() == 1
    tampered = bytearray(issued)
    tampered[len(tampered) // 3] ^= 0x01
    assert not signing.verify_pdf(bytes(tampered)).valid
