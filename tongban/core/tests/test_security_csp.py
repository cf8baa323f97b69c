"""The Content-Security-Policy header (django-csp) as the test client sees it: the policy,
and the form targets the sign-in and consent pages add for a registered OIDC client."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tongban.identity.tests.oidc_support import REDIRECT_URI, make_client

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def test_every_page_carries_the_policy_without_inline_script(client):
    found = directives(client.get("/"))

    assert found["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in found["script-src"]
    assert found["object-src"] == ["'none'"] and found["frame-ancestors"] == ["'none'"]
    assert found["base-uri"] == ["'self'"] and found["form-action"][0] == "'self'"
    assert found["img-src"] == ["'self'", "data:", "blob:"]
    assert found["media-src"] == ["'self'", "blob:"]


def test_the_csrf_cookie_is_out_of_scripts_reach(client):
    client.get(reverse("identity:login"))

    assert client.cookies["csrftoken"]["httponly"]


def _login_for(client_id: str, redirect_uri: str) -> str:
    query = urlencode(
        {"client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code"}
    )
    authorize = f"{reverse('oauth2_provider:authorize')}?{query}"
    return f"{reverse('identity:login')}?{urlencode({'next': authorize})}"


def test_sign_in_for_a_registered_client_may_be_redirected_to_it(client):
    application, *_ = make_client()

    registered = directives(client.get(_login_for(application.client_id, REDIRECT_URI)))
    foreign = directives(client.get(_login_for(application.client_id, "https://evil.example/")))

    assert "http://dept.example" in registered["form-action"]
    assert "https://evil.example" not in foreign["form-action"]
