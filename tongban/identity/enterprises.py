"""Enterprises on the platform: who may act for which enterprise, and for which purposes.

The legal representative holds every scope; an agent (经办人) holds the scopes of an
authorization that is neither revoked nor past its end date. The enterprise a person acts
for in a browser session is kept in the session (``acting_enterprise``) and re-checked on
every request, so a revoked or expired authorization stops working at once.
"""

from tongban.core import clock
from tongban.identity.models import Agent, EnterpriseAccount

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
    from django.db.models import Q

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
