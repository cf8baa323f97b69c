"""Who may see a 一件事 filing and who may file one (``bundles.rules``)."""

import datetime

import pytest

from tongban.bundles.models import BundleCase
from tongban.bundles.tests.test_services import file_once, opening
from tongban.cases.tests.factories import applicant_person, clerk_of
from tongban.core import clock
from tongban.identity import access
from tongban.identity.models import Agent, EnterpriseAccount
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role
from tongban.registry.tests.factories import LegalEntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_applicant_sees_their_filing_and_nobody_else_does():
    bundle, entries, _waiting = opening()
    person = applicant_person()
    parent = file_once(bundle, person)
    clerk = clerk_of(entries[0].item)
    supervisor = staff_with_role(StaffMembership.Role.SUPERVISOR)
    assert access.can(person, "bundles.view_case", parent)
    for other in (applicant_person(), clerk, supervisor):
        assert not access.can(other, "bundles.view_case", parent)
        assert not access.scope(other, "bundles.view_case", BundleCase.objects.all()).exists()
    assert list(access.scope(person, "bundles.view_case", BundleCase.objects.all())) == [parent]


def test_an_enterprise_filing_is_seen_by_its_agents_with_the_view_scope():
    bundle, _entries, _waiting = opening()
    rep, agent, outsider = applicant_person(), applicant_person(), applicant_person()
    entity = LegalEntityFactory(legal_rep_id_number=rep.id_number)
    enterprise = EnterpriseAccount.objects.create(legal_entity=entity, legal_rep=rep)
    grant = Agent.objects.create(
        enterprise=enterprise,
        user=agent,
        scopes=[Agent.Scope.VIEW],
        expires_on=clock.today() + datetime.timedelta(days=30),
        granted_by=rep,
    )
    parent = file_once(bundle, rep)
    parent.enterprise = enterprise
    parent.save(update_fields=["enterprise"])
    assert access.can(agent, "bundles.view_case", parent)
    assert not access.can(outsider, "bundles.view_case", parent)
    grant.scopes = [Agent.Scope.APPLY]
    grant.save(update_fields=["scopes"])
    assert not access.can(agent, "bundles.view_case", parent)


def test_people_file_and_staff_do_not():
    bundle, entries, _waiting = opening()
    assert access.can(applicant_person(), "bundles.file", bundle)
    assert not access.can(clerk_of(entries[0].item), "bundles.file", bundle)
    assert not access.can(None, "bundles.file", bundle)
