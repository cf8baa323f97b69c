"""Enterprise accounts: enrolment by the legal representative, agents with scopes and an end
date, and acting for an enterprise that stops the moment an authorization ends."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from tongban.audit.models import AuditRecord
from tongban.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tongban.identity import access, enterprises
from tongban.identity.models import EnterpriseAccount, Level
from tongban.identity.realname import LevelRequired
from tongban.identity.tests.factories import (
    PersonAccountFactory,
    agent_of,
    enterprise_of,
    verified_person,
)
from tongban.registry.models import LegalEntity
from tongban.registry.tests.factories import LegalEntityFactory

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 11, 27, 2, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rep():
    return verified_person()


@pytest.fixture
def entity(rep):
    return LegalEntityFactory(legal_rep_id_number=str(rep.id_number))


@pytest.fixture
def enterprise(rep):
    return enterprise_of(rep)


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    return request


# Enrolment -----------------------------------------------------------------------------------


def test_the_registered_legal_representative_enrolls_the_enterprise(rep, entity):
    account = enterprises.enroll(rep, entity.uscc.lower())

    assert (account.legal_entity, account.legal_rep) == (entity, rep)
    assert enterprises.scopes_for(rep, account) == enterprises.ALL_SCOPES
    assert AuditRecord.objects.filter(action="identity.enterprise.enroll").count() == 1


def test_someone_else_cannot_enroll_it(entity):
    with pytest.raises(PermissionDenied) as error:
        enterprises.enroll(verified_person(), entity.uscc)
    assert "法定代表人" in error.value.message
    assert not EnterpriseAccount.objects.exists()


def test_enrolment_needs_l2(entity):
    with pytest.raises(LevelRequired):
        enterprises.enroll(PersonAccountFactory(), entity.uscc)


def test_an_unknown_code_or_an_inactive_entity_is_refused(rep, entity):
    with pytest.raises(NotFound):
        enterprises.enroll(rep, "91610124MA00000000")
    entity.status = LegalEntity.Status.CANCELLED
    entity.save()
    with pytest.raises(Conflict) as error:
        enterprises.enroll(rep, entity.uscc)
    assert "注销" in error.value.message


def test_enrolling_twice_is_a_conflict(rep, entity):
    enterprises.enroll(rep, entity.uscc)

    with pytest.raises(Conflict):
        enterprises.enroll(rep, entity.uscc)


def test_a_new_representative_in_the_base_takes_the_account_over(rep, entity):
    account = enterprises.enroll(rep, entity.uscc)
    successor = verified_person()
    entity.legal_rep_id_number = str(successor.id_number)
    entity.save()

    enterprises.enroll(successor, entity.uscc)

    account.refresh_from_db()
    assert account.legal_rep == successor
    assert enterprises.scopes_for(rep, account) == frozenset()


# Agents ----------------------------------------------------------------------------------------


def test_the_representative_adds_an_agent_by_phone(rep, enterprise):
    agent_user = verified_person()
    end = TODAY + datetime.timedelta(days=90)

    agent = enterprises.add_agent(
        enterprise, by=rep, phone=str(agent_user.phone), scopes=["view", "apply"], expires_on=end
    )

    assert (agent.user, agent.scopes, agent.expires_on) == (agent_user, ["apply", "view"], end)
    assert enterprises.scopes_for(agent_user, enterprise) == {"apply", "view"}
    assert list(enterprises.enterprises_of(agent_user)) == [enterprise]
    record = AuditRecord.objects.get(action="identity.agent.add")
    assert str(agent_user.phone) not in str(record.changes)


@pytest.mark.parametrize(
    ("scopes", "days", "field"),
    [
        ([], 30, "scopes"),
        (["everything"], 30, "scopes"),
        (["view"], 366, "expires_on"),
        (["view"], -1, "expires_on"),
        (["view"], None, "expires_on"),
    ],
)
def test_scopes_and_the_end_date_are_checked(rep, enterprise, scopes, days, field):
    end = None if days is None else TODAY + datetime.timedelta(days=days)

    with pytest.raises(InvalidInput) as error:
        enterprises.add_agent(
            enterprise, by=rep, phone=str(verified_person().phone), scopes=scopes, expires_on=end
        )
    assert field in error.value.fields


def test_an_end_date_exactly_one_year_ahead_is_allowed(rep, enterprise):
    agent = enterprises.add_agent(
        enterprise,
        by=rep,
        phone=str(verified_person().phone),
        scopes=["view"],
        expires_on=datetime.date(2027, 11, 27),
    )
    assert agent.pk


def test_only_an_l2_account_can_be_an_agent(rep, enterprise):
    with pytest.raises(InvalidInput) as error:
        enterprises.add_agent(
            enterprise,
            by=rep,
            phone=str(PersonAccountFactory().phone),
            scopes=["view"],
            expires_on=TODAY,
        )
    assert "L2" in error.value.fields["phone"][0]


def test_only_the_representative_manages_agents(rep, enterprise):
    agent_user = verified_person()
    agent_of(enterprise, agent_user)

    assert access.can(rep, "identity.manage_agents", enterprise)
    assert not access.can(agent_user, "identity.manage_agents", enterprise)
    with pytest.raises(PermissionDenied):
        enterprises.add_agent(
            enterprise,
            by=agent_user,
            phone=str(verified_person().phone),
            scopes=["view"],
            expires_on=TODAY,
        )


def test_an_agent_cannot_be_added_twice(rep, enterprise):
    agent_user = verified_person()
    agent_of(enterprise, agent_user)

    with pytest.raises(Conflict):
        enterprises.add_agent(
            enterprise, by=rep, phone=str(agent_user.phone), scopes=["view"], expires_on=TODAY
        )


def test_revocation_ends_acting_at_once(rep, enterprise):
    agent_user = verified_person()
    agent = agent_of(enterprise, agent_user)
    request = request_for(agent_user)
    enterprises.switch_acting(request, enterprise)
    assert enterprises.acting_enterprise(request) == enterprise

    enterprises.revoke_agent(agent, by=rep)

    assert enterprises.acting_enterprise(request) is None
    assert enterprises.ACTING_SESSION_KEY not in request.session
    assert not access.can(agent_user, "identity.act_for", enterprise)
    with pytest.raises(Conflict):
        enterprises.revoke_agent(agent, by=rep)


def test_expiry_ends_acting_the_day_after_the_end_date(rep, enterprise, clock):
    agent_user = verified_person()
    agent_of(enterprise, agent_user, days=1)
    request = request_for(agent_user)
    enterprises.switch_acting(request, enterprise)

    clock.shift(datetime.timedelta(days=1))
    assert enterprises.acting_enterprise(request) == enterprise
    clock.shift(datetime.timedelta(days=1))
    assert enterprises.acting_enterprise(request) is None


def test_a_person_cannot_switch_to_an_enterprise_they_do_not_act_for(enterprise):
    request = request_for(verified_person())

    with pytest.raises(PermissionDenied):
        enterprises.switch_acting(request, enterprise)
    assert enterprises.ACTING_SESSION_KEY not in request.session


def test_switching_back_to_oneself(rep, enterprise):
    request = request_for(rep)
    enterprises.switch_acting(request, enterprise)
    enterprises.switch_acting(request, None)

    assert enterprises.acting_enterprise(request) is None
    assert AuditRecord.objects.filter(action="identity.acting.switch").count() == 2


def test_a_legal_rep_below_l2_does_not_manage_agents(enterprise, rep):
    rep.real_name_level = Level.L1
    rep.save()

    assert not access.can(rep, "identity.manage_agents", enterprise)
