"""Test data for identity: person accounts at each real-name level, enterprises and agents,
and the SMS code a phone was last sent (read from the notify message, as the person would)."""

import datetime
import re

import factory

from tongban.core import clock
from tongban.core.pii import blind_index
from tongban.identity.models import Agent, EnterpriseAccount, Level, User
from tongban.identity.realname import split_name
from tongban.notify.models import Message
from tongban.org.tests.factories import UserFactory
from tongban.registry.tests.factories import LegalEntityFactory, PersonFactory


class PersonAccountFactory(UserFactory):
    username = factory.Sequence(lambda n: f"acct{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    real_name_level = Level.L1


def verified_person(level: int = Level.L2, person=None, **kwargs) -> User:
    """An account bound to a population-base person (created when not given)."""
    person = person or PersonFactory()
    last, first = split_name(person.name)
    return PersonAccountFactory(
        id_number=str(person.id_number),
        last_name=last,
        first_name=first,
        real_name_level=level,
        **kwargs,
    )


def enterprise_of(rep: User, **entity) -> EnterpriseAccount:
    """An enrolled enterprise whose registered legal representative is ``rep``."""
    legal_entity = LegalEntityFactory(
        legal_rep_id_number=str(rep.id_number), legal_rep_name=rep.get_full_name(), **entity
    )
    return EnterpriseAccount.objects.create(legal_entity=legal_entity, legal_rep=rep)


def agent_of(enterprise, user, *, scopes=("apply",), days=30) -> Agent:
    return Agent.objects.create(
        enterprise=enterprise,
        user=user,
        scopes=list(scopes),
        expires_on=clock.today() + datetime.timedelta(days=days),
        granted_by=enterprise.legal_rep,
    )


def last_code(phone: str) -> str:
    """The code in the newest sign-in SMS sent to ``phone``."""
    message = (
        Message.objects.filter(
            template_code="identity.sms_code", address_index=blind_index(phone, "text")
        )
        .order_by("-pk")
        .first()
    )
    assert message is not None, "no code was sent to this phone"
    return re.search(r"\d{6}", message.body).group()
