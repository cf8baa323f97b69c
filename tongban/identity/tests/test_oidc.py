"""The OIDC provider against an independent client: Authlib's OAuth2Session and joserfc over
real HTTP (pytest-django's live server), with the person signing in at /login/ (phone +
password) and answering the consent page in a ``requests`` session."""

import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from tongban.audit.models import AuditRecord
from tongban.identity.models import Consent
from tongban.identity.oidc import validators
from tongban.identity.tests.oidc_support import (
    ID_NUMBER,
    REDIRECT_URI,
    Browser,
    close_sessions,
    enterprise_for,
    forms_of,
    make_client,
    make_person,
    tracked,
)

pytestmark = pytest.mark.django_db(transaction=True)
SCOPES = "openid profile phone realname"
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _close_sessions():
    yield
    close_sessions()


@pytest.fixture
def provider(live_server):
    """The discovery document, fetched over HTTP like any client would."""
    response = requests.get(f"{live_server.url}/oidc/.well-known/openid-configuration", timeout=5)
    response.raise_for_status()
    return response.json()


@pytest.fixture
def person(db):
    return make_person(phone=PHONE)


@pytest.fixture
def client_app(db):
    return make_client()


class Relying:
    """A department system: Authlib's session plus what it keeps between the two legs."""

    def __init__(self, provider, client_app, scope=SCOPES):
        application, secret = client_app
        self.provider = provider
        self.client_id = application.client_id
        self.oauth = OAuth2Session(
            application.client_id,
            secret,
            scope=scope,
            redirect_uri=REDIRECT_URI,
            code_challenge_method="S256",
        )
        tracked(self.oauth)
        self.verifier = generate_token(48)
        self.nonce = generate_token(16)

    def authorization_url(self, **extra) -> str:
        url, _state = self.oauth.create_authorization_url(
            self.provider["authorization_endpoint"],
            code_verifier=self.verifier,
            nonce=self.nonce,
            **extra,
        )
        return url

    def fetch_token(self, callback: str, verifier: str | None = None) -> dict:
        return self.oauth.fetch_token(
            self.provider["token_endpoint"],
            authorization_response=callback,
            code_verifier=verifier or self.verifier,
        )

    def id_claims(self, token: dict) -> dict:
        """The ID token validated against the JWKS: signature, iss, aud, nonce, exp."""
        jwks = requests.get(self.provider["jwks_uri"], timeout=5).json()
        decoded = jwt.decode(token["id_token"], KeySet.import_key_set(jwks), algorithms=["RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.provider["issuer"]},
            aud={"essential": True, "value": self.client_id},
            nonce={"essential": True, "value": self.nonce},
            exp={"essential": True},
            sub={"essential": True},
        ).validate(decoded.claims)
        return decoded.claims

    def userinfo(self) -> requests.Response:
        return self.oauth.get(self.provider["userinfo_endpoint"])


def sign_in(browser: Browser, rp: Relying, *, acting_as: str | None = None, **extra) -> str:
    """The person's part: sign in if needed, consent if asked; returns the callback URL."""
    url = rp.authorization_url(**extra)
    response = browser.get(url)
    if "/login/" in response.url:
        path = url[len(browser.base) :]
        login = browser.login(PHONE, next_url=path)
        assert login.status_code == 302, login.text[:500]
        response = browser.get(url)
    if response.status_code == 200 and "consent-form" in response.text:
        values = {"allow": "on"}
        if acting_as is not None:
            values["acting_as"] = acting_as
        response = browser.submit(response, "consent-form", **values)
    assert response.is_redirect, response.text[:500]
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI), location
    return location


def test_an_independent_client_completes_code_flow_with_pkce_and_reads_claims(
    live_server, provider, person, client_app
):
    assert provider["issuer"] == f"{live_server.url}/oidc"
    rp = Relying(provider, client_app)
    browser = Browser(live_server.url)

    first = browser.get(rp.authorization_url())
    assert "/login/" in first.url  # not signed in yet: the person sign-in page

    callback = sign_in(browser, rp)
    token = rp.fetch_token(callback)
    claims = rp.id_claims(token)
    info = rp.userinfo()

    assert info.status_code == 200
    data = info.json()
    assert claims["sub"] == data["sub"] == validators.subject(person, rp.client_id)
    assert claims["acr"] == "urn:tongban:realname:L2"
    assert data["name"] == "王丽"
    assert data["real_name_level"] == 2
    assert data["phone_number"] == "139****5678"
    assert data["id_number_masked"] == f"{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}"
    assert "enterprise" not in data


def test_the_full_id_number_and_phone_never_leave_the_platform(
    live_server, provider, person, client_app
):
    rp = Relying(provider, client_app)
    token = rp.fetch_token(sign_in(Browser(live_server.url), rp))
    claims = rp.id_claims(token)
    seen = json.dumps([token, claims, rp.userinfo().json()], ensure_ascii=False)
    assert ID_NUMBER not in seen and ID_NUMBER[6:14] not in seen
    assert PHONE not in seen
    assert "id_number_masked" in seen and "phone_number" in seen

    from oauth2_provider.models import AccessToken, RefreshToken

    stored = AccessToken.objects.get()
    assert stored.token == "" and stored.token_checksum  # only a checksum at rest
    assert not RefreshToken.objects.filter(token=token["refresh_token"]).exists()


def test_discovery_advertises_pairwise_subjects_s256_and_logout(provider, live_server):
    assert provider["subject_types_supported"] == ["pairwise"]
    assert provider["code_challenge_methods_supported"] == ["S256"]
    assert provider["end_session_endpoint"] == f"{live_server.url}/oidc/logout/"
    assert {"acr", "id_number_masked", "enterprise", "real_name_level"} <= set(
        provider["claims_supported"]
    )
    root = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=5)
    assert root.json()["issuer"] == provider["issuer"]


def test_the_subject_differs_between_clients_and_stays_the_same_for_one(person, db):
    first, _ = make_client("系统甲")
    second, _ = make_client("系统乙")
    assert validators.subject(person, first.client_id) == validators.subject(
        person, first.client_id
    )
    assert validators.subject(person, first.client_id) != validators.subject(
        person, second.client_id
    )
    other = make_person(phone="13700000009", id_number="")
    assert validators.subject(other, first.client_id) != validators.subject(person, first.client_id)
    assert len(validators.subject(person, first.client_id)) == 43  # opaque, not the pk


def test_a_request_without_code_challenge_is_refused(live_server, provider, person, client_app):
    rp = Relying(provider, client_app)
    rp.oauth.code_challenge_method = None
    browser = Browser(live_server.url)
    browser.login(PHONE)
    url, _ = rp.oauth.create_authorization_url(provider["authorization_endpoint"], nonce="n")
    assert "code_challenge" not in url
    response = browser.get(url)
    assert response.is_redirect
    query = parse_qs(urlparse(response.headers["Location"]).query)
    assert query["error"] == ["invalid_request"]
    assert "code" not in query


def test_a_wrong_code_verifier_is_invalid_grant(live_server, provider, person, client_app):
    rp = Relying(provider, client_app)
    callback = sign_in(Browser(live_server.url), rp)
    with pytest.raises(Exception) as caught:
        rp.fetch_token(callback, verifier=generate_token(48))
    assert "invalid_grant" in str(caught.value)


def test_consent_is_remembered_then_revoked_from_my_authorizations(
    live_server, provider, person, client_app
):
    browser = Browser(live_server.url)
    rp = Relying(provider, client_app)
    rp.fetch_token(sign_in(browser, rp))
    consent = Consent.objects.get(user=person, client=client_app[0])
    assert set(consent.scopes.split()) == set(SCOPES.split())

    again = Relying(provider, client_app)
    remembered = browser.get(again.authorization_url())
    assert remembered.is_redirect and "code=" in remembered.headers["Location"]
    again.fetch_token(remembered.headers["Location"])
    assert again.userinfo().status_code == 200

    page = browser.get("/account/sso/")
    assert "我的授权" in page.text and "县人社局社保系统" in page.text
    [form] = [f for f in forms_of(page.text) if "revoke" in f["action"]]
    revoked = browser.session.post(
        f"{live_server.url}{form['action']}", data=form["inputs"], allow_redirects=True
    )
    assert "已撤销" in revoked.text
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert again.userinfo().status_code == 401
    asked = browser.get(Relying(provider, client_app).authorization_url())
    assert asked.status_code == 200 and "consent-form" in asked.text
    assert AuditRecord.objects.filter(action="identity.consent.revoke").count() == 1


def test_more_scopes_than_remembered_ask_again(live_server, provider, person, client_app):
    browser = Browser(live_server.url)
    narrow = Relying(provider, client_app, scope="openid profile")
    narrow.fetch_token(sign_in(browser, narrow))
    wider = browser.get(Relying(provider, client_app).authorization_url())
    assert wider.status_code == 200 and "身份证号码(脱敏)" in wider.text


def test_prompt_none_without_consent_answers_consent_required(
    live_server, provider, person, client_app
):
    browser = Browser(live_server.url)
    browser.login(PHONE)
    response = browser.get(Relying(provider, client_app).authorization_url(prompt="none"))
    query = parse_qs(urlparse(response.headers["Location"]).query)
    assert query["error"] == ["consent_required"]


def test_refusing_consent_sends_access_denied(live_server, provider, person, client_app):
    browser = Browser(live_server.url)
    rp = Relying(provider, client_app)
    browser.login(PHONE)
    page = browser.get(rp.authorization_url())
    response = browser.submit(page, "consent-form")
    query = parse_qs(urlparse(response.headers["Location"]).query)
    assert query["error"] == ["access_denied"]
    assert not Consent.objects.exists()


def test_acting_for_an_enterprise_puts_it_into_the_claims(
    live_server, provider, person, client_app
):
    enterprise = enterprise_for(person)
    rp = Relying(provider, client_app, scope="openid profile enterprise")
    browser = Browser(live_server.url)
    browser.login(PHONE)
    page = browser.get(rp.authorization_url())
    assert "周至县秦岭猕猴桃专业合作社(法定代表人)" in page.text
    callback = sign_in(browser, rp, acting_as=str(enterprise.pk))
    token = rp.fetch_token(callback)
    expected = {
        "uscc": enterprise.legal_entity.uscc,
        "name": "周至县秦岭猕猴桃专业合作社",
        "role": "legal_rep",
        "scopes": ["apply", "license", "pay", "view"],
    }
    assert rp.id_claims(token)["enterprise"] == expected
    assert rp.userinfo().json()["enterprise"] == expected


def test_an_agent_acts_within_the_authorized_scopes(live_server, provider, client_app):
    rep = make_person(phone="13700000001", id_number="", level=1)
    agent = make_person(phone=PHONE)
    enterprise = enterprise_for(rep, agent=agent)
    rp = Relying(provider, client_app, scope="openid enterprise")
    token = rp.fetch_token(sign_in(Browser(live_server.url), rp, acting_as=str(enterprise.pk)))
    claim = rp.id_claims(token)["enterprise"]
    assert claim["role"] == "agent" and claim["scopes"] == ["apply", "view"]


def test_choosing_an_enterprise_one_may_not_act_for_is_refused(
    live_server, provider, person, client_app
):
    other = enterprise_for(make_person(phone="13700000002", id_number=""))
    rp = Relying(provider, client_app, scope="openid enterprise")
    browser = Browser(live_server.url)
    browser.login(PHONE)
    page = browser.get(rp.authorization_url())
    response = browser.submit(page, "consent-form", allow="on", acting_as=str(other.pk))
    assert response.status_code == 200
    assert "您无权代表所选法人" in response.text
    assert not Consent.objects.exists()


def test_acting_as_oneself_leaves_the_enterprise_out(live_server, provider, person, client_app):
    enterprise_for(person)
    rp = Relying(provider, client_app, scope="openid enterprise")
    token = rp.fetch_token(sign_in(Browser(live_server.url), rp, acting_as="self"))
    assert "enterprise" not in rp.id_claims(token)


def test_rp_initiated_logout_ends_the_session_and_the_tokens(
    live_server, provider, person, client_app
):
    browser = Browser(live_server.url)
    rp = Relying(provider, client_app)
    token = rp.fetch_token(sign_in(browser, rp))
    response = browser.get(
        provider["end_session_endpoint"],
        params={
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": "http://dept.example/bye",
            "state": "s1",
        },
    )
    assert response.is_redirect
    assert response.headers["Location"] == "http://dept.example/bye?state=s1"
    assert rp.userinfo().status_code == 401
    assert "/login/" in browser.get("/account/sso/").url


def test_logout_without_an_id_token_asks_the_person_first(live_server, provider, person):
    browser = Browser(live_server.url)
    browser.login(PHONE)
    page = browser.get(provider["end_session_endpoint"])
    assert page.status_code == 200 and "退出通办账号" in page.text
    browser.submit(page, "logout-form", allow="on")
    assert "/login/" in browser.get("/account/sso/").url


def test_an_authorization_request_with_an_unknown_redirect_shows_a_chinese_error(
    live_server, provider, person, client_app
):
    browser = Browser(live_server.url)
    browser.login(PHONE)
    rp = Relying(provider, client_app)
    rp.oauth.redirect_uri = "http://evil.example/cb"
    response = browser.get(rp.authorization_url())
    assert response.status_code == 400
    assert "无法完成登录" in response.text


def test_a_tampered_id_token_fails_validation(live_server, provider, person, client_app):
    rp = Relying(provider, client_app)
    token = rp.fetch_token(sign_in(Browser(live_server.url), rp))
    header, payload, signature = token["id_token"].split(".")
    forged = {**token, "id_token": f"{header}.{payload}.{signature[::-1]}"}
    with pytest.raises(JoseError):
        rp.id_claims(forged)


# The provider's tokens on the platform's own API -----------------------------------------


def _access_token(user, application, *, hours=1) -> str:
    from datetime import timedelta

    from oauth2_provider.models import AccessToken

    from tongban.core import clock

    raw = generate_token(40)
    AccessToken.objects.create(
        user=user,
        application=application,
        token=raw,
        expires=clock.now() + timedelta(hours=hours),
        scope="openid profile",
    )
    return raw


def test_a_provider_access_token_authenticates_the_person_on_the_api(client, person, client_app):
    token = _access_token(person, client_app[0])
    response = client.get("/api/v1/identity/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["username"] == person.username
    assert response.json()["id_number"] != ID_NUMBER


def test_an_expired_or_unknown_token_is_not_an_account(client, person, client_app):
    expired = _access_token(person, client_app[0], hours=-1)
    for token in (expired, "not-a-token"):
        response = client.get("/api/v1/identity/me", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 401


def test_gateway_tokens_and_person_tokens_do_not_cross(client, person, client_app):
    from tongban.gateway import services as gateway
    from tongban.gateway.tests.factories import keyed_client

    _api_client, issued = keyed_client()
    gateway_token, _row = gateway.grant_token(issued.key.key_id, issued.secret)
    person_token = _access_token(person, client_app[0])

    ping = "/api/v1/gateway/ping"
    assert client.get(ping, HTTP_AUTHORIZATION=f"Bearer {gateway_token}").status_code == 200
    assert client.get(ping, HTTP_AUTHORIZATION=f"Bearer {person_token}").status_code == 401
    me = "/api/v1/identity/me"
    assert client.get(me, HTTP_AUTHORIZATION=f"Bearer {gateway_token}").status_code == 401


# Keys and production checks --------------------------------------------------------------


def test_a_development_key_is_generated_once_and_reused(tmp_path):
    from tongban.identity.oidc import keys

    first = keys.signing_key("", "", tmp_path, generate=True)
    assert "PRIVATE KEY" in first
    assert keys.signing_key("", "", tmp_path, generate=True) == first
    assert (tmp_path / keys.DEV_KEY_NAME).stat().st_mode & 0o077 == 0


def test_a_configured_key_is_used_and_a_bad_one_refused(tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from tongban.identity.oidc import keys

    pem = keys.new_private_key_pem()
    assert keys.signing_key(pem, "", tmp_path, generate=False) == pem.strip()
    path = tmp_path / "key.pem"
    path.write_text(pem)
    assert keys.signing_key("", str(path), tmp_path, generate=False).strip() == pem.strip()
    assert keys.signing_key("", "", tmp_path, generate=False) == ""
    with pytest.raises(ImproperlyConfigured):
        keys.signing_key("not a key", "", tmp_path, generate=False)


def test_production_refuses_to_start_without_the_signing_and_subject_keys(settings):
    from django.core import checks as django_checks

    from tongban.identity.oidc import checks

    settings.PRODUCTION = True
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": ""}
    settings.OIDC_SUBJECT_KEY = ""
    settings.PROVINCIAL_OIDC_ISSUER = "https://sso.shaanxi.example"
    settings.PROVINCIAL_OIDC_CLIENT_SECRET = ""
    settings.IDENTITY_CODE_KEY = ""
    ids = {error.id for error in checks.oidc_keys()}
    assert ids == {"identity.E101", "identity.E102", "identity.E103", "identity.E104"}
    assert checks.oidc_keys in django_checks.registry.registry.get_checks()
    settings.PRODUCTION = False
    assert checks.oidc_keys() == []


def test_staff_without_a_totp_verified_session_cannot_sign_in_elsewhere(client, client_app):
    from tongban.identity.tests.helpers import verified_login
    from tongban.org.models import StaffMembership
    from tongban.org.tests.factories import staff_with_role

    staff = staff_with_role(StaffMembership.Role.CLERK)
    client.force_login(staff)
    query = {"client_id": client_app[0].client_id, "response_type": "code", "scope": "openid"}
    refused = client.get("/oidc/authorize/", query)
    assert refused.status_code == 403 and "动态验证码" in refused.content.decode()
    verified_login(client, staff)
    assert client.get("/oidc/authorize/", query).status_code != 403
