"""Consent to department systems, remembered per client until the person revokes it.

A remembered consent lets the next sign-in at the same client skip the consent page when it
asks for no more scopes, and the enterprise chosen still lets the person act for it.
Revoking deletes the client's tokens for the person, so it stops working at once.
"""

from django.db import transaction
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from tongban.audit import services as audit
from tongban.core import clock
from tongban.errors import NotFound
from tongban.identity import enterprises
from tongban.identity.models import Consent


def active(user, client) -> Consent | None:
    return (
        Consent.objects.select_related("enterprise__legal_entity")
        .filter(user=user, client=client, revoked_at__isnull=True)
        .first()
    )


def covers(consent: Consent | None, user, scopes) -> bool:
    """Whether ``consent`` already allows ``scopes`` (the page can be skipped)."""
    if consent is None or not set(scopes) <= set(consent.scopes.split()):
        return False
    return consent.enterprise is None or bool(enterprises.scopes_for(user, consent.enterprise))


def grant(user, client, scopes, *, enterprise=None, request=None) -> Consent:
    """Remember that ``user`` lets ``client`` have ``scopes``, acting for ``enterprise``."""
    if enterprise is not None and not enterprises.scopes_for(user, enterprise):
        raise NotFound("您无权代表该法人", "You may not act for this enterprise")
    values = {
        "scopes": " ".join(sorted(set(scopes))),
        "enterprise": enterprise,
        "revoked_at": None,
    }
    with transaction.atomic():
        before = Consent.objects.filter(user=user, client=client, revoked_at__isnull=True).first()
        consent, _created = Consent.objects.update_or_create(
            user=user, client=client, defaults=values
        )
        audit.record(
            user,
            "identity.consent.grant",
            consent,
            changes={
                "scopes": [before.scopes if before else None, values["scopes"]],
                "enterprise": [
                    str(before.enterprise) if before and before.enterprise else None,
                    str(enterprise) if enterprise else None,
                ],
            },
            note=client.name,
            request=request,
        )
    return consent


def for_user(user):
    return (
        Consent.objects.filter(user=user, revoked_at__isnull=True)
        .select_related("client", "enterprise__legal_entity")
        .order_by("-created_at")
    )


def revoke(user, consent_id: int, *, request=None) -> Consent:
    """Withdraw a consent of ``user`` and end the client's tokens for them."""
    consent = for_user(user).filter(pk=consent_id).first()
    if consent is None:
        raise NotFound("没有找到该授权", "No such consent")
    with transaction.atomic():
        consent.revoked_at = clock.now()
        consent.save(update_fields=["revoked_at"])
        _end_tokens(user, consent.client)
        audit.record(
            user,
            "identity.consent.revoke",
            consent,
            changes={"revoked_at": [None, consent.revoked_at.isoformat()]},
            note=consent.client.name,
            request=request,
        )
    return consent


def _end_tokens(user, client) -> None:
    for refresh in get_refresh_token_model().objects.filter(
        user=user, application=client, revoked__isnull=True
    ):
        refresh.revoke()
    for token in get_access_token_model().objects.filter(user=user, application=client):
        token.revoke()
