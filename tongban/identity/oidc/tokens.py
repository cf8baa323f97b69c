"""Access tokens this provider issued, as credentials for the platform's own API.

A department system holding a person's access token (``Authorization: Bearer …``) calls the
person-facing API as that person (``tongban.identity.apiauth.UserAuth``). Gateway client
tokens are a different mechanism (``tongban.gateway``) and are not accepted here.
"""

import hashlib

from oauth2_provider.models import get_access_token_model


def bearer_user(request):
    """The active account whose valid access token the request carries, or ``None``."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    checksum = hashlib.sha256(header[7:].strip().encode()).hexdigest()
    token = (
        get_access_token_model()
        .objects.select_related("user")
        .filter(token_checksum=checksum)
        .first()
    )
    if token is None or token.is_expired() or token.user is None or not token.user.is_active:
        return None
    return token.user
