"""Bearer-token scopes: a person's access token calls only what its scopes open
(``tongban.identity.oidc.scopes``); the harness (``bearer_scoped`` / ``bearer_openid``) walks
every operation, these tests name the rules."""

import datetime
import json

import pytest
from django.conf import settings
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from tongban.api import api
from tongban.cases.tests.factories import applicant_person
from tongban.identity.oidc import scopes
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role

pytestmark = pytest.mark.django_db


def _token(user, scope: str) -> str:
    app = Application.objects.create(
        name="部门系统",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://dept.example/cb",
        algorithm=Application.RS256_ALGORITHM,
    )
    value = f"token-{scope.replace(' ', '-')}"
    AccessToken.objects.create(
        user=user,
        application=app,
        token=value,
        scope=scope,
        expires=timezone.now() + datetime.timedelta(hours=1),
    )
    return value


def _call(client, method: str, path: str, token: str, body=None):
    payload = json.dumps(body) if body is not None else ""
    return client.generic(
        method, path, payload, "application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_every_operation_for_accounts_needs_a_known_scope():
    """A new operation taking accounts (UserAuth) has a scope here, or tokens cannot call it."""
    offered = set(settings.OAUTH2_PROVIDER["SCOPES"])
    unassigned = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            takes_accounts = any("UserAuth" in s for s in operation.get("security", []))
            if takes_accounts and scopes.needed(path) not in offered:
                unassigned.append(f"{method.upper()} {path}")
    assert not unassigned, "operations without a scope in identity/oidc/scopes.py: " + ", ".join(
        unassigned
    )


def test_the_provider_offers_the_api_scopes(client):
    assert set(scopes.API_SCOPES) <= set(settings.OAUTH2_PROVIDER["SCOPES"])
    discovery = client.get("/oidc/.well-known/openid-configuration").json()
    assert set(scopes.API_SCOPES) <= set(discovery["scopes_supported"])


def test_a_sign_in_token_reads_who_but_files_and_pays_nothing(client):
    person = applicant_person()
    token = _token(person, "openid profile")
    assert _call(client, "GET", "/api/v1/identity/me", token).status_code == 200
    for method, path, scope in (
        ("POST", "/api/v1/cases", "cases"),
        ("GET", "/api/v1/cases", "cases"),
        ("POST", "/api/v1/payments/orders/JF1/pay", "payments"),
        ("GET", "/api/v1/licenses/mine", "licenses"),
        ("GET", "/api/v1/spaces/me", "space"),
    ):
        refused = _call(client, method, path, token, body={})
        assert refused.status_code == 403, path
        answer = refused.json()
        assert answer["code"] == "forbidden"
        assert f"缺少权限范围 {scope}" in answer["message"] and scope in answer["message_en"]


def test_a_token_with_the_scope_gets_past_access_control(client):
    person = applicant_person()
    token = _token(person, "openid profile cases payments")
    assert _call(client, "GET", "/api/v1/cases", token).status_code == 200
    assert _call(client, "POST", "/api/v1/cases", token, body={}).status_code == 422
    assert _call(client, "GET", "/api/v1/payments/orders", token).status_code == 200
    assert _call(client, "GET", "/api/v1/licenses/mine", token).status_code == 403


def test_a_staff_token_needs_the_staff_scope(client):
    supervisor = staff_with_role(StaffMembership.Role.SUPERVISOR)
    narrow = _token(supervisor, "openid profile")
    assert _call(client, "GET", "/api/v1/metrics/indicators", narrow).status_code == 403
    wide = _token(supervisor, "openid profile staff")
    assert _call(client, "GET", "/api/v1/metrics/indicators", wide).status_code == 200


def test_an_unassigned_path_is_refused_to_every_token():
    assert scopes.needed("/api/v1/not-yet") == scopes.UNMATCHED
    with pytest.raises(Exception, match="unassigned"):
        scopes.require(" ".join(["openid", "profile", *scopes.API_SCOPES]), "/api/v1/not-yet")
