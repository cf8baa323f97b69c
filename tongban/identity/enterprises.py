"""Enterprises on the platform: who may act for which enterprise, and for which purposes.

The legal representative holds every scope; an agent (经办人) holds the scopes of an
authorization that is neither revoked nor past its end date. The enterprise a person acts
for in a browser session is kept in the session (``acting_enterprise``) and re-checked on
every request, so a revoked or expired authorization stops working at once.

Changes go through the functions below, each one transaction with an audit record: a legal
representative (L2+, whose ID number the legal-entity base names) ``enroll``s the enterprise,
then ``add_agent`` / ``revoke_agent``; a person switches whom they act for with
``switch_acting``.
"""

import datetime

from django.db import transaction
from django.db.models import Q

from tongban.audit import services as audit
from tongban.core import clock
from tongban.core.pii import mask
from tongban.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tongban.identity import access
from tongban.identity.models import Agent, EnterpriseAccount, Level, User

ACTING_SESSION_KEY = "tongban.acting_enterprise"
ALL_SCOPES = frozenset(Agent.Scope.values)


def valid_agencies(user):
    """The authorizations of ``user`` that are in force today."""
    return Agent.objects.filter(
        user=user,
        revoked_at__isnull=True,
        expires_on__gte=clock.today(),
        enterprise__is_active=True,
    )


def scopes_for(user, enterprise: EnterpriseAccount) -> frozenset[str]:
    """What ``user`` may do for ``enterprise``: every scope for its legal representative,
    the union of valid authorizations for an agent, nothing otherwise."""
    if not getattr(user, "is_authenticated", False) or not enterprise.is_active:
        return frozenset()
    if enterprise.legal_rep_id == user.pk:
        return ALL_SCOPES
    found: set[str] = set()
    for scopes in (
        valid_agencies(user).filter(enterprise=enterprise).values_list("scopes", flat=True)
    ):
        found.update(scopes)
    return frozenset(found)


def enterprises_of(user):
    """Every active enterprise ``user`` may act for (as legal representative or agent)."""
    agent_of = valid_agencies(user).values("enterprise_id")
    return EnterpriseAccount.objects.filter(
        Q(legal_rep=user) | Q(pk__in=agent_of), is_active=True
    ).select_related("legal_entity")


def acting_enterprise(request) -> EnterpriseAccount | None:
    """The enterprise the signed-in person acts for in this session, if still allowed."""
    pk = request.session.get(ACTING_SESSION_KEY) if hasattr(request, "session") else None
    if pk is None:
        return None
    enterprise = EnterpriseAccount.objects.select_related("legal_entity").filter(pk=pk).first()
    if enterprise is None or not scopes_for(request.user, enterprise):
        request.session.pop(ACTING_SESSION_KEY, None)
        return None
    return enterprise


# Changes --------------------------------------------------------------------------------


def enroll(user, uscc: str, *, request=None) -> EnterpriseAccount:
    """Open the enterprise's account with ``user`` as its legal representative.

    The legal-entity base decides: the entity must be active and name ``user``'s ID number
    as its representative. A representative who changed in the base takes the account over.
    """
    from tongban.identity import realname
    from tongban.registry import services as registry
    from tongban.registry.models import LegalEntity

    realname.require_level(user, Level.L2)
    entity = registry.find_entity(uscc or "")
    if entity is None:
        raise NotFound(
            "法人库中没有该统一社会信用代码,请核对",
            "No legal entity with this credit code",
        )
    if entity.status != LegalEntity.Status.ACTIVE:
        raise Conflict(
            f"该主体登记状态为“{entity.get_status_display()}”,不能开通法人账号",
            "The entity is not active",
        )
    if not user.id_number_hash or user.id_number_hash != entity.legal_rep_id_hash:
        raise PermissionDenied(
            "您不是法人库中登记的该主体法定代表人(负责人),不能开通法人账号",
            "You are not the registered legal representative of this entity",
        )
    with transaction.atomic():
        account = EnterpriseAccount.objects.select_for_update().filter(legal_entity=entity).first()
        if account is None:
            account = EnterpriseAccount.objects.create(legal_entity=entity, legal_rep=user)
            changes = {"legal_rep": [None, user.username]}
        elif account.legal_rep_id == user.pk and account.is_active:
            raise Conflict("该法人账号已开通", "This enterprise is already enrolled")
        else:
            changes = {
                "legal_rep": [account.legal_rep.username, user.username],
                "is_active": [account.is_active, True],
            }
            account.legal_rep, account.is_active = user, True
            account.save(update_fields=["legal_rep", "is_active"])
        audit.record(user, "identity.enterprise.enroll", account, changes=changes, request=request)
    return account


def add_agent(
    enterprise: EnterpriseAccount,
    *,
    by,
    phone: str,
    scopes,
    expires_on: datetime.date | None,
    request=None,
) -> Agent:
    """Authorize the L2+ person with this phone to act for ``enterprise`` until a date."""
    from tongban.identity import accounts

    access.require(by, "identity.manage_agents", enterprise)
    scopes = _checked_scopes(scopes)
    _check_end(expires_on)
    person = accounts.person_by_phone(phone)
    if person is None or person.kind != User.Kind.PERSON or person.real_name_level < Level.L2:
        raise InvalidInput(
            fields={
                "phone": [
                    "未找到该手机号的实名账号(需完成 L2 及以上实名认证)"
                    " / no verified (L2+) account has this phone"
                ]
            }
        )
    if person.pk == enterprise.legal_rep_id:
        raise InvalidInput(fields={"phone": ["法定代表人无需授权 / the legal representative"]})
    with transaction.atomic():
        if valid_agencies(person).filter(enterprise=enterprise).exists():
            raise Conflict(
                "该人员已是本企业经办人,如需调整请先撤销原授权",
                "Already an agent; revoke the authorization first",
            )
        agent = Agent.objects.create(
            enterprise=enterprise,
            user=person,
            scopes=scopes,
            expires_on=expires_on,
            granted_by=by,
        )
        audit.record(
            by,
            "identity.agent.add",
            agent,
            changes={
                "agent": person.username,
                "phone": mask(person.phone, "phone"),
                "scopes": scopes,
                "expires_on": expires_on,
            },
            request=request,
        )
    return agent


def revoke_agent(agent: Agent, *, by, request=None) -> Agent:
    """End an authorization now: the agent stops acting for the enterprise at once."""
    access.require(by, "identity.manage_agents", agent.enterprise)
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=agent.pk)
        if agent.revoked_at is not None:
            raise Conflict("该授权已撤销", "Already revoked")
        agent.revoked_at = clock.now()
        agent.save(update_fields=["revoked_at"])
        audit.record(
            by,
            "identity.agent.revoke",
            agent,
            changes={"revoked_at": [None, agent.revoked_at]},
            request=request,
        )
    return agent


def agents(enterprise: EnterpriseAccount):
    """Every authorization of the enterprise, newest first, revoked and expired included."""
    return enterprise.agents.select_related("user").order_by("-granted_at", "-pk")


def switch_acting(request, enterprise: EnterpriseAccount | None) -> None:
    """Act as oneself (``None``) or for ``enterprise`` in this browser session."""
    user = request.user
    before = request.session.get(ACTING_SESSION_KEY)
    if enterprise is None:
        request.session.pop(ACTING_SESSION_KEY, None)
    elif scopes_for(user, enterprise):
        request.session[ACTING_SESSION_KEY] = enterprise.pk
    else:
        raise PermissionDenied("您无权代表该企业办事", "You may not act for this enterprise")
    audit.record(
        user,
        "identity.acting.switch",
        user,
        changes={"enterprise": [before, enterprise.pk if enterprise else None]},
        request=request,
    )


def _checked_scopes(scopes) -> list[str]:
    chosen = sorted(set(scopes or ()))
    unknown = [scope for scope in chosen if scope not in ALL_SCOPES]
    if not chosen or unknown:
        raise InvalidInput(
            fields={"scopes": ["请至少选择一项授权范围 / choose at least one scope"]}
        )
    return chosen


def _check_end(expires_on) -> None:
    today = clock.today()
    if not isinstance(expires_on, datetime.date):
        raise InvalidInput(fields={"expires_on": ["请填写授权截止日期 / the end date is required"]})
    if expires_on < today:
        raise InvalidInput(fields={"expires_on": ["截止日期不能早于今天 / ends in the past"]})
    if expires_on > _one_year_after(today):
        raise InvalidInput(
            fields={"expires_on": ["授权期限最长一年 / at most one year from today"]}
        )


def _one_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)
