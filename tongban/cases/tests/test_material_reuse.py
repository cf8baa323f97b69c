"""材料复用: a material the applicant handed in with an earlier case is given again by
reference ({"source": "case", "id": …}); the new case holds the same stored file. Anyone
else's material, one replaced at a supplement request, or a registry reference is refused."""

import pytest

from tongban.cases.models import Material
from tongban.cases.tests.factories import applicant_person, file_case, form_item
from tongban.errors import InvalidInput

pytestmark = pytest.mark.django_db


def earlier(item, user) -> Material:
    return file_case(item, user).materials.get(name="申请书")


def reuse(item, material_id) -> list[dict]:
    spec = item.current_guide.materials.get(name="申请书")
    return [{"spec": spec.pk, "reference": {"source": "case", "id": str(material_id)}}]


def test_a_material_on_file_is_reused_as_the_same_stored_file():
    item, applicant = form_item(), applicant_person()
    before = earlier(item, applicant)

    case = file_case(item, applicant, materials=reuse(item, before.pk))

    again = case.materials.get(name="申请书")
    assert again.pk != before.pk and again.case_id == case.pk
    assert again.source == Material.Source.UPLOAD and again.reference_id == str(before.pk)
    assert again.file.name == before.file.name
    assert (again.sha256, again.size, again.content_type) == (
        before.sha256,
        before.size,
        before.content_type,
    )
    assert again.file.read() == before.file.read()


def test_another_persons_material_is_refused_and_nothing_is_filed():
    item = form_item()
    theirs = earlier(item, applicant_person())
    me = applicant_person()

    with pytest.raises(InvalidInput) as refused:
        file_case(item, me, materials=reuse(item, theirs.pk))

    assert "没有找到您以前提交过的该材料" in refused.value.fields["materials[0]"][0]
    assert not me.pk or not Material.objects.filter(case__applicant=me).exists()


@pytest.mark.parametrize("bad_id", ["abc", "999999999", ""])
def test_an_unknown_reference_is_refused(bad_id):
    item, me = form_item(), applicant_person()

    with pytest.raises(InvalidInput) as refused:
        file_case(item, me, materials=reuse(item, bad_id))

    assert "materials[0]" in refused.value.fields


def test_a_material_replaced_at_a_supplement_request_is_not_reused():
    item, me = form_item(), applicant_person()
    old = earlier(item, me)
    Material.objects.filter(pk=old.pk).update(superseded=True)

    with pytest.raises(InvalidInput):
        file_case(item, me, materials=reuse(item, old.pk))
