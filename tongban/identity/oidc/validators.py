"""What the platform tells a department system about a person: ID token and userinfo claims.

``sub`` is pairwise: one opaque identifier per person per client, keyed by
``OIDC_SUBJECT_KEY``. Two department systems cannot join their records on it; only the
platform can, and its data-sharing (exchange, gateway) is purpose-bound and audited. The ID
number and the phone are only ever given masked; a system that needs the full values asks
through the gateway, where the purpose is recorded.

Claims by scope:

- ``openid``: ``sub``, ``acr`` (``urn:tongban:realname:L<level>``)
- ``profile``: ``name``, ``real_name_level``
- ``phone``: ``phone_number`` (masked), ``phone_number_verified``
- ``realname``: ``id_number_masked``, ``real_name_level``
- ``enterprise``: ``enterprise`` {uscc, name, role: legal_rep|agent, scopes} when the person
  chose, on the consent page, to act for an enterprise they still may act for
"""

import base64
import hashlib
import hmac

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator

from tongban.identity import enterprises
from tongban.identity.oidc import consents

ACR_PREFIX = "urn:tongban:realname:L"
SCOPE_OF_CLAIM = {
    "sub": "openid",
    "acr": "openid",
    "name": "profile",
    "phone_number": "phone",
    "phone_number_verified": "phone",
    "id_number_masked": "realname",
    "enterprise": "enterprise",
}
# real_name_level is given with either profile or realname.
LEVEL_SCOPES = frozenset({"profile", "realname"})


def subject(user, client_id: str) -> str:
    """The pairwise ``sub`` of ``user`` at the client ``client_id``: stable, opaque."""
    digest = hmac.new(
        settings.OIDC_SUBJECT_KEY.encode(), f"{client_id}:{user.pk}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def acr(user) -> str:
    return f"{ACR_PREFIX}{user.real_name_level}"


def enterprise_claim(user, enterprise) -> dict | None:
    """The enterprise the person acts for, while they still may; ``None`` otherwise."""
    if enterprise is None:
        return None
    scopes = enterprises.scopes_for(user, enterprise)
    if not scopes:
        return None
    entity = enterprise.legal_entity
    return {
        "uscc": entity.uscc,
        "name": entity.name,
        "role": "legal_rep" if enterprise.legal_rep_id == user.pk else "agent",
        "scopes": sorted(scopes),
    }


def claims_for(user, client, scopes) -> dict:
    """Every claim the granted ``scopes`` open for ``user`` at ``client``."""
    scopes = set(scopes)
    found = {"sub": subject(user, client.client_id), "acr": acr(user)}
    if "profile" in scopes:
        found["name"] = user.get_full_name()
    if scopes & LEVEL_SCOPES:
        found["real_name_level"] = user.real_name_level
    if "phone" in scopes and user.phone:
        found["phone_number"] = user.masked_phone
        found["phone_number_verified"] = user.real_name_level >= 1
    if "realname" in scopes and user.id_number:
        found["id_number_masked"] = user.masked_id_number
    if "enterprise" in scopes:
        consent = consents.active(user, client)
        claim = enterprise_claim(user, consent.enterprise if consent else None)
        if claim:
            found["enterprise"] = claim
    return found


class TongbanValidator(OAuth2Validator):
    oidc_claim_scope = None  # claims_for decides by scope itself

    def get_claim_dict(self, request):
        return claims_for(request.user, request.client, request.scopes)

    def get_discovery_claims(self, request):
        return [*SCOPE_OF_CLAIM, "real_name_level"]

    def validate_silent_login(self, request):
        # The authorization view requires a signed-in person before oauthlib is asked.
        return True

    def validate_silent_authorization(self, request):
        # prompt=none without a remembered consent is answered by the view (consent_required).
        return True
