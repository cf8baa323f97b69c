"""Signing people in through the provincial identity platform (陕西省统一身份认证平台).

The platform is an OIDC client there: authorization code with PKCE (S256), the client
authenticated with its secret (HTTP Basic), the ID token's RS256 signature checked against
the provincial JWKS, and ``iss``, ``aud``, ``exp`` and ``nonce`` checked. Off while
``PROVINCIAL_OIDC_ISSUER`` is empty.

The provincial account is mapped to a local one (``accounts``): through an earlier link
(``FederatedIdentity``), else by the blind index of the verified ID number it asserts. A new
account is created at L2 only when the asserted name and ID number match the population base.

``requests`` and ``jwcrypto`` come with django-oauth-toolkit: no dependency of our own.
"""

import base64
import hashlib
import json
import secrets
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.cache import cache
from jwcrypto import jwk, jwt
from jwcrypto.common import JWException

from tongban.errors import Unauthenticated

SESSION_KEY = "tongban.provincial_login"
SCOPES = "openid profile id_number"
CACHE_SECONDS = 600


class FederationError(Unauthenticated):
    code = "federation_failed"
    message = "省统一身份认证平台登录未能完成,请重试或使用手机号登录"
    message_en = "Sign-in through the provincial platform failed"


def enabled() -> bool:
    return bool(settings.PROVINCIAL_OIDC_ISSUER)


def begin(session, redirect_uri: str, next_url: str = "") -> str:
    """The provincial authorization URL; what the callback must check is kept in ``session``."""
    provider = _metadata()
    verifier = secrets.token_urlsafe(48)
    pending = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": verifier,
        "redirect_uri": redirect_uri,
        "next": next_url,
    }
    session[SESSION_KEY] = pending
    query = {
        "response_type": "code",
        "client_id": settings.PROVINCIAL_OIDC_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
        "state": pending["state"],
        "nonce": pending["nonce"],
        "code_challenge": _s256(verifier),
        "code_challenge_method": "S256",
    }
    return f"{provider['authorization_endpoint']}?{urlencode(query)}"


def complete(session, params) -> tuple[dict, str]:
    """Check the callback, redeem the code, validate the ID token; returns the verified
    claims (ID token merged with userinfo) and the page to return to."""
    pending = session.pop(SESSION_KEY, None)
    if params.get("error"):
        raise FederationError("您在省统一身份认证平台取消了登录或登录失败,请重试")
    if not pending or not secrets.compare_digest(params.get("state", ""), pending["state"]):
        raise FederationError("登录请求已过期或不匹配,请重新点击“使用陕西省统一身份认证登录”")
    provider = _metadata()
    tokens = _redeem(provider, params.get("code", ""), pending)
    claims = _validated_id_token(provider, tokens.get("id_token", ""), pending["nonce"])
    info = _userinfo(provider, tokens.get("access_token", ""))
    if info.get("sub") != claims["sub"]:
        raise FederationError("省统一身份认证平台返回的用户信息不一致,请重试")
    return {**info, **claims}, pending.get("next", "")


def _redeem(provider: dict, code: str, pending: dict) -> dict:
    response = _call(
        "POST",
        provider["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending["redirect_uri"],
            "code_verifier": pending["verifier"],
        },
        auth=(settings.PROVINCIAL_OIDC_CLIENT_ID, settings.PROVINCIAL_OIDC_CLIENT_SECRET),
    )
    if response.status_code != 200:
        raise FederationError("省统一身份认证平台拒绝了本次登录(授权码无效或已过期),请重试")
    return _json(response)


def _validated_id_token(provider: dict, token: str, nonce: str) -> dict:
    issuer = provider["issuer"]
    expected = {
        "iss": issuer,
        "aud": settings.PROVINCIAL_OIDC_CLIENT_ID,
        "exp": None,
        "sub": None,
        "nonce": nonce,
    }
    for refresh in (False, True):
        try:
            keys = _jwks(provider, refresh=refresh)
            decoded = jwt.JWT(
                jwt=token,
                key=keys,
                algs=["RS256"],
                check_claims=expected,
                expected_type="JWS",
            )
            claims = json.loads(decoded.claims)
        except (JWException, ValueError):
            continue  # the key may have been rotated: fetch the JWKS once more
        return claims
    raise FederationError("省统一身份认证平台的身份令牌校验失败,请重试")


def _userinfo(provider: dict, access_token: str) -> dict:
    response = _call(
        "GET",
        provider["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {access_token}"},
    )
    if response.status_code != 200:
        raise FederationError("未能从省统一身份认证平台取得用户信息,请重试")
    return _json(response)


def _metadata() -> dict:
    issuer = settings.PROVINCIAL_OIDC_ISSUER.rstrip("/")
    key = f"federation:metadata:{issuer}"
    found = cache.get(key)
    if found is None:
        found = _json(_call("GET", f"{issuer}/.well-known/openid-configuration"))
        if found.get("issuer", "").rstrip("/") != issuer:
            raise FederationError("省统一身份认证平台的配置与本平台设置不一致,请联系管理员")
        cache.set(key, found, CACHE_SECONDS)
    return found


def _jwks(provider: dict, *, refresh: bool) -> jwk.JWKSet:
    key = f"federation:jwks:{provider['jwks_uri']}"
    document = None if refresh else cache.get(key)
    if document is None:
        document = _call("GET", provider["jwks_uri"]).text
        cache.set(key, document, CACHE_SECONDS)
    return jwk.JWKSet.from_json(document)


def _call(method: str, url: str, **kwargs) -> requests.Response:
    try:
        return requests.request(method, url, timeout=settings.PROVINCIAL_OIDC_TIMEOUT, **kwargs)
    except (requests.RequestException, ValueError) as exc:
        raise FederationError("暂时无法连接省统一身份认证平台,请稍后重试或使用手机号登录") from exc


def _json(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError as exc:
        raise FederationError("省统一身份认证平台的应答无法识别,请稍后重试") from exc
    if not isinstance(data, dict):
        raise FederationError("省统一身份认证平台的应答无法识别,请稍后重试")
    return data


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
