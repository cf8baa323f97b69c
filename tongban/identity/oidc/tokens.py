"""Access tokens this provider issued, as credentials for the platform's own API.

A department system holding a person's access token (``Authorization: Bearer …``) calls the
person-facing API as that person (``tongban.identity.apiauth.UserAuth``). Gateway client
tokens are a different mechanism (``tongban.gateway``) and are not accepted here.

A token is good only for the operations its scopes open (``scopes.needed``): one granted
``openid profile`` signs the person in elsewhere, it does not file cases or pay here.
"""

import hashlib

from oauth2_provider.models import get_access_token_model

from tongban.identity.oidc import scopes


def bearer_user(request):
    """The active account whose valid access token the request carries, or ``None``.

    Raises ``PermissionDenied`` (403) when the token is valid but lacks the scope the
    requested operation needs.
    """
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
    scopes.require(token.scope or "", request.path)
    return token.user
