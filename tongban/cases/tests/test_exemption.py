"""两个免于提交 by e-license: a material a license type satisfies is given as the applicant's
license, with their consent recorded on the case; counts for the metrics."""

import pytest

from tongban.cases import services
from tongban.cases.models import Case, Material
from tongban.cases.tests.factories import applicant_person, file_case, form_item, pdf
from tongban.errors import InvalidInput
from tongban.licenses.models import LicenseAccess, LicenseType
from tongban.licenses.tests.factories import LicenseFactory, LicenseTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    """A form item whose 申请书 can be replaced by a license of the returned type."""
    item = form_item()
    license_type = LicenseTypeFactory()
    spec = item.current_guide.materials.get(name="申请书")
    spec.license_type_code = license_type.code
    spec.save(update_fields=["license_type_code"])
    return item


def license_reference(item, license):
    spec = item.current_guide.materials.get(name="申请书")
    return [{"spec": spec.pk, "reference": {"source": "license", "id": license.identifier}}]


def holders_license(item, applicant):
    spec = item.current_guide.materials.get(name="申请书")
    return LicenseFactory(
        holder_user=applicant, license_type=LicenseType.objects.get(code=spec.license_type_code)
    )


def test_an_application_completes_without_the_upload_the_license_replaces(item):
    applicant = applicant_person()
    license = holders_license(item, applicant)
    case = file_case(item, applicant, materials=license_reference(item, license))
    material = case.materials.get(name="申请书")
    assert (material.source, material.reference_id, material.file.name) == (
        Material.Source.LICENSE,
        license.identifier,
        "",
    )
    used = LicenseAccess.objects.get(kind=LicenseAccess.Kind.USE)
    assert (used.license, used.case, used.actor) == (license, case, applicant)
    counts = services.exemptions(case=case)
    assert counts == {
        "materials": 2,
        "exempted": 2,
        "by_source": {"license": 1, "registry.person": 1},
    }
    assert services.exemptions(item=item)["exempted"] == 2


def test_someone_elses_or_a_revoked_license_is_refused_and_nothing_is_created(item):
    applicant = applicant_person()
    others = holders_license(item, applicant_person())
    with pytest.raises(InvalidInput) as refused:
        file_case(item, applicant, materials=license_reference(item, others))
    assert "materials[0]" in refused.value.fields
    mine = holders_license(item, applicant)
    mine.status = mine.Status.REVOKED
    mine.save(update_fields=["status"])
    with pytest.raises(InvalidInput):
        file_case(item, applicant, materials=license_reference(item, mine))
    assert not Case.objects.exists() and not LicenseAccess.objects.exists()


def test_a_license_of_another_type_does_not_replace_the_material(item):
    applicant = applicant_person()
    other_type = LicenseFactory(holder_user=applicant)
    with pytest.raises(InvalidInput) as refused:
        file_case(item, applicant, materials=license_reference(item, other_type))
    assert "不能替代" in refused.value.fields["materials[0]"][0]


def test_uploads_still_count_as_not_exempted(item):
    case = file_case(item, applicant_person(), materials=[{"spec": _spec(item), "file": pdf()}])
    assert services.exemptions(case=case)["by_source"] == {"registry.person": 1}


def _spec(item):
    return item.current_guide.materials.get(name="申请书").pk
