"""Signing in through the provincial identity platform, end to end over HTTP: the platform in
pytest-django's live server, the provincial sandbox in a thread on a free loopback port, and
the person's browser (a ``requests`` session) between them."""

from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from django.core.cache import cache
from jwcrypto import jwk

from tongban.audit.models import AuditRecord
from tongban.identity.models import FederatedIdentity, Level, RealNameVerification, User
from tongban.identity.oidc import federation
from tongban.identity.oidc.sandbox import DemoPerson, ProvincialSandbox
from tongban.identity.tests.oidc_support import Browser, close_sessions, forms_of, make_person
from tongban.registry.tests.factories import PersonFactory, person_id_number

pytestmark = pytest.mark.django_db(transaction=True)
CLIENT_ID, SECRET = "tongban-test", "provincial-test-secret"


@pytest.fixture(autouse=True)
def _close_sessions():
    yield
    close_sessions()


@pytest.fixture
def resident(db):
    return PersonFactory(id_number=person_id_number(777), name="李秀英")


@pytest.fixture
def provincial(settings, resident):
    sandbox = ProvincialSandbox(
        CLIENT_ID,
        SECRET,
        [
            DemoPerson("sx-1", "李秀英", str(resident.id_number)),
            DemoPerson("sx-wrong-name", "李秀兰", str(resident.id_number)),
            DemoPerson("sx-unverified", "李秀英", str(resident.id_number), verified=False),
            DemoPerson("sx-unknown", "赵六", person_id_number(9999)),
        ],
    ).start()
    settings.PROVINCIAL_OIDC_ISSUER = sandbox.url
    settings.PROVINCIAL_OIDC_CLIENT_ID = CLIENT_ID
    settings.PROVINCIAL_OIDC_CLIENT_SECRET = SECRET
    cache.clear()
    yield sandbox
    sandbox.stop()
    cache.clear()


def provincial_sign_in(live_server, subject: str, browser: Browser | None = None):
    """Click the button, pick ``subject`` on the provincial page, come back."""
    browser = browser or Browser(live_server.url)
    start = browser.get("/login/provincial/?next=/account/sso/")
    assert start.is_redirect, start.text[:300]
    page = browser.session.get(start.headers["Location"], allow_redirects=False)
    assert page.status_code == 200 and "请选择一位演示人员" in page.text
    [form] = [f for f in forms_of(page.text) if f["id"] == "pick"]
    back = browser.session.post(
        urljoin(page.url, form["action"]),
        data={**form["inputs"], "subject": subject},
        allow_redirects=False,
    )
    assert back.status_code == 302
    assert back.headers["Location"].startswith(f"{live_server.url}/login/provincial/callback")
    return browser, browser.get(back.headers["Location"])


def test_a_verified_provincial_person_gets_an_l2_account_and_is_signed_in(
    live_server, provincial, resident
):
    _browser, landed = provincial_sign_in(live_server, "sx-1")

    assert landed.status_code == 200 and "我的授权" in landed.text  # next= honoured, signed in
    user = User.objects.get(id_number_hash=resident.id_number_hash)
    assert user.real_name_level == Level.L2 and user.get_full_name() == "李秀英"
    assert user.verifications.get().method == RealNameVerification.Method.PROVINCIAL
    link = FederatedIdentity.objects.get(user=user)
    assert (link.issuer, link.subject) == (provincial.url, "sx-1")
    assert link.last_login_at is not None
    record = AuditRecord.objects.get(action="identity.federation.link")
    assert str(resident.id_number) not in str(record.changes)


def test_an_existing_account_is_found_by_its_id_number(live_server, provincial, resident):
    existing = make_person(phone="13812340000", id_number=str(resident.id_number), level=Level.L2)
    provincial_sign_in(live_server, "sx-1")
    assert User.objects.filter(kind=User.Kind.PERSON).count() == 1
    assert FederatedIdentity.objects.get().user == existing


def test_an_l1_account_with_that_id_number_is_raised_to_l2(live_server, provincial, resident):
    existing = make_person(phone="13812340001", id_number=str(resident.id_number), level=Level.L1)
    provincial_sign_in(live_server, "sx-1")
    existing.refresh_from_db()
    assert existing.real_name_level == Level.L2
    assert existing.verifications.get().method == RealNameVerification.Method.PROVINCIAL


def test_the_second_sign_in_uses_the_link(live_server, provincial):
    provincial_sign_in(live_server, "sx-1")
    provincial_sign_in(live_server, "sx-1")
    assert User.objects.count() == 1 and FederatedIdentity.objects.count() == 1
    assert AuditRecord.objects.filter(action="identity.federation.signin").count() == 1


def test_a_name_that_does_not_match_the_population_base_is_refused(
    live_server, provincial, resident
):
    browser, page = provincial_sign_in(live_server, "sx-wrong-name")
    assert page.status_code == 403
    assert "省统一身份认证平台提供的身份信息与人口库比对不一致" in page.text
    assert "姓名与身份证号码不一致" in page.text
    assert not User.objects.exists()
    refusal = AuditRecord.objects.get(action="identity.federation.refuse")
    assert refusal.changes["outcome"] == "name_mismatch"
    assert "/login/" in browser.get("/account/sso/").url  # not signed in


def test_an_id_number_not_in_the_population_base_is_refused(live_server, provincial):
    _browser, page = provincial_sign_in(live_server, "sx-unknown")
    assert page.status_code == 403 and "人口库中没有该身份证号码的记录" in page.text
    assert not User.objects.exists()


def test_an_unverified_id_number_is_refused(live_server, provincial):
    _browser, page = provincial_sign_in(live_server, "sx-unverified")
    assert page.status_code == 403 and "未确认您的身份证号码" in page.text


def test_a_linked_account_whose_id_number_changed_is_refused(live_server, provincial, resident):
    other = make_person(phone="13812340002", id_number=person_id_number(31), level=Level.L2)
    FederatedIdentity.objects.create(user=other, issuer=provincial.url, subject="sx-1")
    _browser, page = provincial_sign_in(live_server, "sx-1")
    assert page.status_code == 403 and "与您在本平台的实名信息不一致" in page.text


def test_an_id_token_signed_with_another_key_is_refused(live_server, provincial):
    provincial.key = jwk.JWK.generate(kty="RSA", size=2048, kid=provincial.key.get("kid"))
    real_jwks = provincial.jwks()
    provincial.key = jwk.JWK.generate(kty="RSA", size=2048, kid=provincial.key.get("kid"))
    provincial.jwks = lambda: real_jwks  # publishes a key that did not sign
    _browser, page = provincial_sign_in(live_server, "sx-1")
    assert page.status_code == 401 and "身份令牌校验失败" in page.text
    assert not User.objects.exists()


def test_a_callback_with_a_forged_state_is_refused(live_server, provincial):
    browser = Browser(live_server.url)
    browser.get("/login/provincial/")
    page = browser.get("/login/provincial/callback?code=abc&state=forged")
    assert page.status_code == 401 and "登录请求已过期或不匹配" in page.text


def test_a_wrong_client_secret_is_refused_by_the_provincial_platform(
    live_server, provincial, settings
):
    settings.PROVINCIAL_OIDC_CLIENT_SECRET = "not-the-secret"
    _browser, page = provincial_sign_in(live_server, "sx-1")
    assert page.status_code == 401 and "拒绝了本次登录" in page.text


def test_provincial_sign_in_is_off_without_an_issuer(client, settings, db):
    settings.PROVINCIAL_OIDC_ISSUER = ""
    assert client.get("/login/provincial/").status_code == 404
    assert not federation.enabled()


def test_the_sandbox_checks_pkce(provincial):
    discovery = requests.get(f"{provincial.url}/.well-known/openid-configuration", timeout=5)
    assert discovery.json()["code_challenge_methods_supported"] == ["S256"]
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": "http://127.0.0.1/cb",
        "scope": "openid",
        "code_challenge": federation._s256("right-verifier"),
        "code_challenge_method": "S256",
    }
    code = provincial.issue_code(params, "sx-1")
    status, body = provincial.exchange(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1/cb",
            "code_verifier": "wrong-verifier",
        },
        CLIENT_ID,
        SECRET,
    )
    assert (status, body["error"]) == (400, "invalid_grant")
    no_pkce = requests.get(
        f"{provincial.url}/authorize",
        params={**params, "code_challenge": ""},
        timeout=5,
    )
    assert no_pkce.status_code == 400 and "PKCE" in no_pkce.text


def test_the_login_button_shows_only_when_federation_is_on(settings, db):
    from django.template import Context, Template

    page = Template("{% load sso %}{% provincial_login_button '/account/' %}")
    settings.PROVINCIAL_OIDC_ISSUER = "http://127.0.0.1:1"
    shown = page.render(Context())
    assert "使用陕西省统一身份认证登录" in shown and "next=/account/" in shown
    settings.PROVINCIAL_OIDC_ISSUER = ""
    assert "使用陕西省" not in page.render(Context())


def test_the_begin_url_carries_state_nonce_and_s256(provincial, rf):
    session = {}
    url = federation.begin(session, "http://testserver/login/provincial/callback")
    query = parse_qs(urlparse(url).query)
    pending = session[federation.SESSION_KEY]
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"] == [federation._s256(pending["verifier"])]
    assert query["state"] == [pending["state"]] and query["nonce"] == [pending["nonce"]]


def test_the_sandbox_command_offers_registry_persons_and_one_mismatch(resident):
    from tongban.identity.management.commands.provincial_idp_sandbox import demo_persons

    persons = demo_persons()
    assert persons[0].name == "李秀英" and persons[0].id_number == str(resident.id_number)
    assert persons[-1].id_number == str(resident.id_number) and persons[-1].name != "李秀英"


def test_serve_reports_a_taken_sandbox_port_instead_of_failing(settings, db):
    import socket

    from tongban.identity.management.commands.provincial_idp_sandbox import start_in_background

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings.PROVINCIAL_SANDBOX_PORT = taken.getsockname()[1]
        assert "已被占用" in start_in_background()
