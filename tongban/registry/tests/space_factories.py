"""Test data for the spaces: a person account bound to its registry record, enterprises,
agents, and staff reads of personal data."""

import datetime

from django.contrib.auth.models import AnonymousUser

from tongban.core import clock
from tongban.core.pii.reveal import reveal
from tongban.identity.models import Agent, EnterpriseAccount, Level, RealNameVerification
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, UserFactory, staff_with_role
from tongban.registry.tests.factories import LegalEntityFactory, PersonFactory

ANONYMOUS = AnonymousUser()


def person_account(person=None, *, level=Level.L2, **kwargs):
    """A person account with ``person``'s ID number, at ``level`` (L2: matched online)."""
    person = person or PersonFactory()
    user = UserFactory(
        id_number=person.id_number,
        phone=person.phone,
        last_name=str(person.name)[:1],
        first_name=str(person.name)[1:],
        real_name_level=level,
        **kwargs,
    )
    if level >= Level.L2:
        RealNameVerification.objects.create(
            user=user, level=Level.L2, method=RealNameVerification.Method.REGISTRY
        )
    return user


def unverified_account(level=Level.L1):
    """An account that has not matched an ID number against the population base."""
    return UserFactory(real_name_level=level)


def enterprise(rep=None, entity=None) -> EnterpriseAccount:
    """An enrolled enterprise whose legal representative is an L2 person account."""
    rep = rep or person_account()
    entity = entity or LegalEntityFactory(legal_rep_id_number=str(rep.id_number))
    return EnterpriseAccount.objects.create(legal_entity=entity, legal_rep=rep)


def agent(enterprise: EnterpriseAccount, *, scopes=("view",), days=30, user=None, **kwargs):
    """An agent authorized for ``scopes`` until ``days`` from today (negative: expired)."""
    user = user or person_account()
    Agent.objects.create(
        enterprise=enterprise,
        user=user,
        scopes=list(scopes),
        expires_on=clock.today() + datetime.timedelta(days=days),
        granted_by=enterprise.legal_rep,
        **kwargs,
    )
    return user


def clerk(name="王丽", department=None):
    """A window clerk (may reveal ID numbers) named ``name`` in ``department``."""
    department = department or DepartmentFactory(name="周至县人力资源和社会保障局")
    user = staff_with_role(StaffMembership.Role.CLERK, department=department)
    user.last_name, user.first_name = name[:1], name[1:]
    user.save(update_fields=["last_name", "first_name"])
    return user


def read_id_number(reader, obj, purpose="办理社会保障卡时核对申请人身份"):
    """A full read of ``obj``'s ID number field, audited as ``pii.reveal``."""
    field = "id_number" if hasattr(obj, "id_number") else "legal_rep_id_number"
    return reveal(reader, obj, field, purpose=purpose)
