"""Department systems registered as OIDC clients: register, list, disable.

A client signs people in with the authorization code flow and PKCE, and gets RS256 ID
tokens. A confidential client (a server-side system) also authenticates with its secret,
which is shown once at registration and stored hashed. Disabling keeps the row (consents and
audit records name it) but removes its redirect URIs, replaces its secret and ends every
token it holds, so nothing it had works any more.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_refresh_token_model,
)

from tongban.audit import services as audit
from tongban.errors import InvalidInput, NotFound

Application = get_application_model()


def register(
    name: str,
    redirect_uris: list[str],
    *,
    confidential: bool = True,
    post_logout_redirect_uris: list[str] = (),
    by=None,
) -> tuple[Application, str]:
    """Register a client; returns it and its secret in clear ("" for a public client)."""
    if not name.strip():
        raise InvalidInput(fields={"name": ["请填写接入系统名称 / name is required"]})
    if not redirect_uris:
        raise InvalidInput(fields={"redirect_uris": ["至少填写一个回调地址 / a redirect URI"]})
    secret = secrets.token_urlsafe(36) if confidential else ""
    client = Application(
        name=name.strip(),
        client_type=Application.CLIENT_CONFIDENTIAL if confidential else Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        post_logout_redirect_uris=" ".join(post_logout_redirect_uris),
        client_secret=secret,
        algorithm=Application.RS256_ALGORITHM,
    )
    try:
        client.full_clean(exclude=["client_secret"])
    except ValidationError as error:
        raise InvalidInput(fields=error.message_dict) from error
    with transaction.atomic():
        client.save()
        audit.record(
            by,
            "oauth2_provider.application.create",
            client,
            changes={
                "name": [None, client.name],
                "client_type": [None, client.client_type],
                "redirect_uris": [None, client.redirect_uris],
            },
            note="manage.py oidc_client" if by is None else "",
        )
    return client, secret


def find(client_id: str) -> Application:
    client = Application.objects.filter(client_id=client_id).first()
    if client is None:
        raise NotFound(f"没有接入系统 {client_id}", f"No client {client_id}")
    return client


def is_disabled(client) -> bool:
    return not client.redirect_uris.strip()


def disable(client, *, by=None) -> Application:
    before = client.redirect_uris
    with transaction.atomic():
        client.redirect_uris = ""
        client.post_logout_redirect_uris = ""
        client.client_secret = secrets.token_urlsafe(36)  # nobody learns it
        client.save()
        for refresh in get_refresh_token_model().objects.filter(application=client):
            refresh.revoke()
        for token in get_access_token_model().objects.filter(application=client):
            token.revoke()
        audit.record(
            by,
            "oauth2_provider.application.disable",
            client,
            changes={"redirect_uris": [before, ""]},
        )
    return client


def all_clients():
    return Application.objects.order_by("name", "pk")
