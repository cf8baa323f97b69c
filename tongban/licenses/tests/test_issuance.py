"""Issuance: a case concluded with a license result gets exactly one signed license."""

import hashlib
import json

import pytest

from tongban.audit.models import AuditRecord
from tongban.cases.models import DeliveryMethod, ResultType
from tongban.cases.tests.factories import approver_of, form_item
from tongban.errors import Conflict
from tongban.licenses import identifiers, services
from tongban.licenses.models import License
from tongban.licenses.tests.factories import bound_type, concluded_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    return form_item()


@pytest.fixture
def license_type(item):
    return bound_type(item, validity_years=5)


def test_a_license_result_issues_a_license_through_the_signal(
    travel, item, license_type, django_capture_on_commit_callbacks
):
    travel(2026, 9, 30)
    with django_capture_on_commit_callbacks(execute=True):
        case = concluded_case(item)
    lic = License.objects.get(case=case)
    assert lic.license_type == license_type and lic.version == 1
    assert lic.issuer == case.department
    assert lic.holder_user == case.applicant and lic.holder_code_type == "111"
    assert str(lic.holder_code) == str(case.applicant_id_number)
    assert lic.surface == {
        "holder": "王小明",
        "purpose": "测试申请",
        "address": case.form_data["address"],
    }
    assert str(lic.valid_from) == "2026-09-30" and str(lic.valid_to) == "2031-09-29"
    parsed = identifiers.parse(lic.identifier)
    assert (parsed.type_code, parsed.issuer_code, parsed.version) == (
        license_type.code,
        case.department.uscc,
        1,
    )
    assert lic.serial == "2026000001" and lic.number == "CS6101242026000001"
    content = lic.pdf.read()
    assert hashlib.sha256(content).hexdigest() == lic.pdf_sha256
    assert lic.pdf.name.endswith(f"{lic.identifier}.pdf")
    assert AuditRecord.objects.filter(action="licenses.license.issue", object_id=str(lic.pk))


def test_other_results_and_unbound_items_issue_nothing(
    travel, item, django_capture_on_commit_callbacks
):
    travel(2026, 9, 30)
    with django_capture_on_commit_callbacks(execute=True):
        case = concluded_case(item)
    assert not License.objects.filter(case=case).exists()
    with pytest.raises(Conflict):
        services.issue_for_case(case)


def test_issuing_twice_returns_the_same_license(travel, item, license_type):
    travel(2026, 9, 30)
    case = concluded_case(item)
    first = services.issue_for_case(case)
    again = services.issue_for_case(case)
    assert again.pk == first.pk
    assert License.objects.filter(case=case).count() == 1


def test_an_approval_result_is_not_a_license(travel, item, license_type):
    from tongban.cases import results
    from tongban.cases import services as cases
    from tongban.cases.tests.factories import applicant_person, clerk_of, file_case

    travel(2026, 9, 30)
    case = cases.accept(file_case(item, applicant_person()), by=clerk_of(item))
    approver = approver_of(item)
    case = results.conclude_with_result(
        cases.approve(case, by=approver),
        by=approver,
        result_type=ResultType.APPROVAL,
        delivery=DeliveryMethod.WINDOW,
    )
    with pytest.raises(Conflict):
        services.issue_for_case(case)


def test_an_enterprise_case_makes_the_enterprise_the_holder(travel, item, license_type):
    from tongban.cases.tests.factories import applicant_person
    from tongban.identity.tests.factories import enterprise_of
    from tongban.licenses.tests.factories import concluded_case as conclude

    travel(2026, 9, 30)
    rep = applicant_person()
    enterprise = enterprise_of(rep)
    case = conclude(item, applicant=rep, enterprise=enterprise)
    lic = services.issue_for_case(case)
    assert lic.holder_enterprise == enterprise and lic.holder_user is None
    assert lic.holder_code_type == "001"
    assert str(lic.holder_code) == enterprise.legal_entity.uscc
    assert lic.holder_name == enterprise.legal_entity.name


def test_serials_count_per_issuer(travel, item, license_type):
    travel(2026, 9, 30)
    serials = [services.issue_for_case(concluded_case(item)).serial for _ in range(3)]
    assert serials == ["2026000001", "2026000002", "2026000003"]
    other = form_item()
    bound_type(other)
    assert services.issue_for_case(concluded_case(other)).serial == "2026000001"


def test_the_pdf_is_deterministic_for_the_same_license(travel, item, license_type):
    from tongban.licenses import rendering, sealing

    travel(2026, 9, 30)
    lic = services.issue_for_case(concluded_case(item))
    seal = sealing.seal_picture(lic.issuer)
    assert rendering.render(lic, seal_png=seal) == rendering.render(lic, seal_png=seal)


def test_the_signed_data_is_the_canonical_metadata(travel, item, license_type):
    travel(2026, 9, 30)
    lic = services.issue_for_case(concluded_case(item))
    lic.refresh_from_db()
    data = json.loads(str(lic.signed_data))
    assert data["identifier"] == lic.identifier
    assert data["holder_code_type"] == "111" and data["version"] == "001"
    assert data["issuer_code"] == lic.issuer.uscc
    assert str(lic.signed_data) == json.dumps(
        data, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def test_qr_rows_are_drawn_as_runs_of_dark_modules():
    from tongban.licenses.rendering import _runs

    assert _runs([True, True, False, True, False, False, True]) == [(0, 2), (3, 1), (6, 1)]
    assert _runs([False, False]) == [] and _runs([True]) == [(0, 1)]
