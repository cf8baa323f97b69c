"""用证 (``tongban.licenses.uses``): the license that replaces an upload, the offer for a
whole guide, and the holder's consent recorded for a case."""

import datetime

import pytest

from tongban.audit.models import AuditRecord
from tongban.cases.tests.factories import applicant_person, file_case, form_item
from tongban.catalog.tests.factories import GuideFactory, MaterialFactory
from tongban.core import clock
from tongban.errors import InvalidInput
from tongban.identity.tests.factories import agent_of, enterprise_of
from tongban.licenses import uses
from tongban.licenses.models import License
from tongban.licenses.tests.factories import LicenseFactory, LicenseTypeFactory
from tongban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def code_of(license) -> str:
    return license.license_type.code


# --- usable_license ------------------------------------------------------------------------


def test_the_newest_license_in_force_of_the_type_is_usable(django_assert_num_queries):
    person = UserFactory()
    kind = LicenseTypeFactory()
    LicenseFactory(holder_user=person, license_type=kind, issued_on=clock.today() - 9 * DAY)
    newest = LicenseFactory(holder_user=person, license_type=kind)
    LicenseFactory(license_type=kind)  # someone else's, newer still
    with django_assert_num_queries(1):
        found = uses.usable_license(person, kind.code)
        assert found.license_type.name and found.issuer.name  # selected in the same query
    assert found == newest


@pytest.mark.parametrize(
    "changes",
    [
        {"status": License.Status.REVOKED},
        {"status": License.Status.SUPERSEDED},
        {"valid_from": datetime.date(2015, 1, 1), "valid_to": datetime.date(2020, 1, 1)},
        {"valid_from": datetime.date(2999, 1, 1), "valid_to": None},
    ],
    ids=["revoked", "superseded", "expired", "not-yet"],
)
def test_a_license_not_in_force_is_not_usable(changes):
    held = LicenseFactory(**changes)
    assert uses.usable_license(held.holder_user, code_of(held)) is None


def test_a_person_does_not_use_their_enterprises_license_as_their_own():
    rep = UserFactory()
    held = LicenseFactory(enterprise=True, holder_enterprise=enterprise_of(rep))
    assert uses.usable_license(rep, code_of(held)) is None
    assert uses.usable_license(rep, code_of(held), enterprise=held.holder_enterprise) == held


def test_an_agent_uses_the_enterprises_license_with_the_apply_scope_only():
    enterprise = enterprise_of(UserFactory())
    held = LicenseFactory(enterprise=True, holder_enterprise=enterprise)
    applier, viewer, stranger = UserFactory(), UserFactory(), UserFactory()
    agent_of(enterprise, applier, scopes=("apply",))
    agent_of(enterprise, viewer, scopes=("view", "license"))
    assert uses.usable_license(applier, code_of(held), enterprise=enterprise) == held
    assert uses.usable_license(viewer, code_of(held), enterprise=enterprise) is None
    assert uses.usable_license(stranger, code_of(held), enterprise=enterprise) is None


def test_acting_for_an_enterprise_offers_none_of_the_persons_own_licenses():
    rep = UserFactory()
    enterprise = enterprise_of(rep)
    own = LicenseFactory(holder_user=rep)
    assert uses.usable_license(rep, code_of(own), enterprise=enterprise) is None


def test_a_license_named_by_its_identifier_is_usable_by_its_holder_only(
    django_assert_num_queries,
):
    held = LicenseFactory()
    person = held.holder_user
    with django_assert_num_queries(1):
        assert uses.usable_by_identifier(person, held.identifier) == held
    assert uses.usable_by_identifier(UserFactory(), held.identifier) is None
    assert uses.usable_by_identifier(person, "") is None
    License.objects.filter(pk=held.pk).update(status=License.Status.REVOKED)
    assert uses.usable_by_identifier(person, held.identifier) is None


# --- offer_for -----------------------------------------------------------------------------


def guide_with(*codes):
    guide = GuideFactory(materials=[])
    specs = [MaterialFactory(guide=guide, license_type_code=code) for code in codes]
    MaterialFactory(guide=guide)  # an ordinary upload
    return guide, specs


def test_the_offer_maps_each_satisfiable_material_to_the_license(django_assert_num_queries):
    person = UserFactory()
    first, second = LicenseFactory(holder_user=person), LicenseFactory(holder_user=person)
    missing = LicenseTypeFactory()
    guide, specs = guide_with(code_of(first), code_of(second), missing.code, code_of(first))
    with django_assert_num_queries(2):
        offer = uses.offer_for(guide, person)
    assert offer == {specs[0].pk: first, specs[1].pk: second, specs[3].pk: first}


def test_the_offer_for_an_enterprise_is_its_licenses():
    rep = UserFactory()
    enterprise = enterprise_of(rep)
    held = LicenseFactory(enterprise=True, holder_enterprise=enterprise)
    own = LicenseFactory(holder_user=rep)
    guide, specs = guide_with(code_of(held), code_of(own))
    assert uses.offer_for(guide, rep, enterprise=enterprise) == {specs[0].pk: held}
    assert uses.offer_for(guide, rep) == {specs[1].pk: own}


def test_a_guide_without_license_materials_offers_nothing_in_one_query(
    django_assert_num_queries,
):
    guide, _ = guide_with()
    person = UserFactory()
    with django_assert_num_queries(1):
        assert uses.offer_for(guide, person) == {}


# --- authorize_use -------------------------------------------------------------------------


@pytest.fixture
def filed():
    """A case filed by a person holding a license of a type its material names."""
    applicant = applicant_person()
    case = file_case(form_item(), applicant)
    held = LicenseFactory(holder_user=applicant)
    spec = MaterialFactory(guide=case.guide, name="营业执照", license_type_code=code_of(held))
    return case, held, spec


def test_consent_is_logged_for_the_holder_and_audited(filed, django_assert_max_num_queries):
    case, held, spec = filed
    # the department, the log row, and the audit append (a fresh chain head here)
    with django_assert_max_num_queries(10):
        used = uses.authorize_use(held, case=case, by=case.applicant, spec=spec)
    assert (used.kind, used.case, used.actor) == ("use", case, case.applicant)
    assert used.note == "营业执照"
    assert used.actor_label == case.department.name
    record = AuditRecord.objects.get(action="licenses.use", object_id=str(held.pk))
    assert record.changes["case"] == case.number


def test_someone_elses_license_is_refused(filed):
    case, _, spec = filed
    other = LicenseFactory(license_type=spec_type(spec))
    with pytest.raises(InvalidInput) as refused:
        uses.authorize_use(other, case=case, by=case.applicant, spec=spec)
    assert "不属于您" in refused.value.fields["license"][0]
    assert not other.accesses.exists()


def spec_type(spec):
    return LicenseTypeFactory(code=spec.license_type_code)


def test_a_license_not_in_force_is_refused(filed):
    case, held, spec = filed
    License.objects.filter(pk=held.pk).update(status=License.Status.REVOKED)
    held.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        uses.authorize_use(held, case=case, by=case.applicant, spec=spec)
    assert "已注销" in refused.value.fields["license"][0]


def test_a_license_of_another_type_than_the_material_is_refused(filed):
    case, _, spec = filed
    other = LicenseFactory(holder_user=case.applicant)
    with pytest.raises(InvalidInput) as refused:
        uses.authorize_use(other, case=case, by=case.applicant, spec=spec)
    assert "不能替代" in refused.value.fields["license"][0]


def test_a_license_is_used_for_its_holders_own_case_only(filed):
    case, held, _ = filed
    someone = applicant_person()
    theirs = file_case(form_item(), someone)
    with pytest.raises(InvalidInput) as refused:
        uses.authorize_use(held, case=theirs, by=case.applicant)
    assert "不一致" in refused.value.fields["license"][0]


def test_an_enterprise_license_is_used_for_the_enterprises_case_by_an_agent_with_apply():
    rep = applicant_person()
    enterprise = enterprise_of(rep)
    held = LicenseFactory(enterprise=True, holder_enterprise=enterprise)
    case = file_case(form_item(), rep, enterprise=enterprise)
    viewer = UserFactory()
    agent_of(enterprise, viewer, scopes=("view",))
    with pytest.raises(InvalidInput):
        uses.authorize_use(held, case=case, by=viewer)
    assert uses.authorize_use(held, case=case, by=rep).case == case
