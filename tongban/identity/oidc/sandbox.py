"""A sandbox of the provincial identity platform: a small but real OIDC provider on loopback.

For development and tests, so that the platform's federation code (``federation``) runs
unchanged against it: discovery, an authorization page (Chinese) where one picks a demo
person, the token endpoint with client authentication and a PKCE (S256) check, the JWKS and
userinfo. ID tokens are signed RS256 with a key made when the sandbox starts.

It asserts what the provincial platform asserts about a verified person: ``name``,
``id_number`` and ``id_number_verified``.

    manage.py provincial_idp_sandbox --port 8027
"""

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlencode, urlparse

from jwcrypto import jwk, jwt

from tongban.core.loopback import LoopbackService

CODE_SECONDS = 120
TOKEN_SECONDS = 600


@dataclass(frozen=True)
class DemoPerson:
    subject: str
    name: str
    id_number: str
    verified: bool = True
    note: str = ""


class ProvincialSandbox(LoopbackService):
    """The provider's state; ``serve()`` or ``start()`` puts it on a port."""

    def __init__(self, client_id: str, client_secret: str, persons: list[DemoPerson], echo=None):
        self.client_id, self.client_secret = client_id, client_secret
        self.persons = {person.subject: person for person in persons}
        self.echo = echo
        self.key = jwk.JWK.generate(kty="RSA", size=2048, kid=secrets.token_hex(8))
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.issuer = ""

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
        server = super().serve(host, port)
        self.issuer = self.url
        return server

    # The protocol -----------------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "profile", "id_number"],
            "claims_supported": ["sub", "name", "id_number", "id_number_verified"],
        }

    def jwks(self) -> dict:
        public = json.loads(self.key.export_public())
        return {"keys": [{**public, "alg": "RS256", "use": "sig"}]}

    def authorization_problem(self, params: dict) -> str:
        if params.get("client_id") != self.client_id:
            return "未登记的接入系统(client_id 不正确)"
        if params.get("response_type") != "code":
            return "只支持授权码模式(response_type=code)"
        if not params.get("redirect_uri", "").startswith(("http://", "https://")):
            return "回调地址(redirect_uri)不正确"
        if "openid" not in params.get("scope", "").split():
            return "缺少 openid 范围"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "必须使用 PKCE(code_challenge_method=S256)"
        return ""

    def issue_code(self, params: dict, subject: str) -> str:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {
                "subject": subject,
                "redirect_uri": params["redirect_uri"],
                "nonce": params.get("nonce", ""),
                "challenge": params["code_challenge"],
                "expires": time.time() + CODE_SECONDS,
            }
        if self.echo:
            self.echo(f"[省统一身份认证沙箱] 已为 {self.persons[subject].name} 签发授权码")
        return code

    def exchange(self, form: dict, client_id: str, client_secret: str) -> tuple[int, dict]:
        if client_id != self.client_id or not secrets.compare_digest(
            client_secret, self.client_secret
        ):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant["expires"] < time.time():
            return 400, {"error": "invalid_grant", "error_description": "授权码无效或已使用"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "回调地址不一致"}
        if _s256(form.get("code_verifier", "")) != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE 校验失败"}
        person = self.persons[grant["subject"]]
        access = secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[access] = {
                "subject": person.subject,
                "expires": time.time() + TOKEN_SECONDS,
            }
        return 200, {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "id_token": self._id_token(person, grant["nonce"]),
        }

    def userinfo(self, access_token: str) -> tuple[int, dict]:
        with self.lock:
            token = self.tokens.get(access_token)
        if token is None or token["expires"] < time.time():
            return 401, {"error": "invalid_token"}
        return 200, self._claims(self.persons[token["subject"]])

    def _claims(self, person: DemoPerson) -> dict:
        return {
            "sub": person.subject,
            "name": person.name,
            "id_number": person.id_number,
            "id_number_verified": person.verified,
        }

    def _id_token(self, person: DemoPerson, nonce: str) -> str:
        now = int(time.time())
        claims = {
            **self._claims(person),
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + TOKEN_SECONDS,
        }
        if nonce:
            claims["nonce"] = nonce
        token = jwt.JWT(
            header={"alg": "RS256", "kid": self.key.get("kid"), "typ": "JWT"}, claims=claims
        )
        token.make_signed_token(self.key)
        return token.serialize()


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    state: ProvincialSandbox

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        url = urlparse(self.path)
        params = {key: values[-1] for key, values in parse_qs(url.query).items()}
        routes = {
            "/.well-known/openid-configuration": lambda: self._json(200, self.state.discovery()),
            "/jwks": lambda: self._json(200, self.state.jwks()),
            "/authorize": lambda: self._authorize_page(params),
            "/userinfo": self._userinfo,
            "/": lambda: self._page(200, _home(self.state)),
        }
        routes.get(url.path, lambda: self._json(404, {"error": "not_found"}))()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if self.path == "/authorize":
            return self._authorize(form)
        if self.path == "/token":
            client_id, client_secret = self._client_credentials(form)
            return self._json(*self.state.exchange(form, client_id, client_secret))
        if self.path == "/userinfo":
            return self._userinfo()
        self._json(404, {"error": "not_found"})

    def _authorize_page(self, params):
        problem = self.state.authorization_problem(params)
        if problem:
            return self._page(400, _error_page(problem))
        self._page(200, _picker(self.state, params))

    def _authorize(self, form):
        problem = self.state.authorization_problem(form)
        if problem or form.get("subject") not in self.state.persons:
            return self._page(400, _error_page(problem or "请选择一位演示人员"))
        code = self.state.issue_code(form, form["subject"])
        query = {"code": code, **({"state": form["state"]} if form.get("state") else {})}
        separator = "&" if "?" in form["redirect_uri"] else "?"
        self.send_response(302)
        self.send_header("Location", f"{form['redirect_uri']}{separator}{urlencode(query)}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _userinfo(self):
        header = self.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        self._json(*self.state.userinfo(token))

    def _client_credentials(self, form) -> tuple[str, str]:
        header = self.headers.get("Authorization", "")
        if header.lower().startswith("basic "):
            decoded = base64.b64decode(header[6:]).decode()
            client_id, _sep, secret = decoded.partition(":")
            return unquote(client_id), unquote(secret)
        return form.get("client_id", ""), form.get("client_secret", "")

    def _json(self, status: int, data: dict):
        self._send(status, "application/json", json.dumps(data, ensure_ascii=False).encode())

    def _page(self, status: int, text: str):
        self._send(status, "text/html; charset=utf-8", text.encode())

    def _send(self, status: int, content_type: str, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


_HEAD = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
    "<title>陕西省统一身份认证平台(沙箱)</title></head><body>"
    "<h1>陕西省统一身份认证平台(沙箱,开发用)</h1>"
)


def _masked(id_number: str) -> str:
    return f"{id_number[:6]}********{id_number[-4:]}" if len(id_number) == 18 else "—"


def _picker(state: ProvincialSandbox, params: dict) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
    )
    rows = "".join(
        f'<p><button type="submit" name="subject" value="{html.escape(p.subject)}">'
        f"以 {html.escape(p.name)}({_masked(p.id_number)})身份登录</button>"
        f"{' ' + html.escape(p.note) if p.note else ''}</p>"
        for p in state.persons.values()
    )
    return (
        f"{_HEAD}<p>请选择一位演示人员完成登录。登录后将返回周至通办。</p>"
        f'<form method="post" action="/authorize" id="pick">{hidden}{rows}</form></body></html>'
    )


def _error_page(problem: str) -> str:
    return f"{_HEAD}<p>登录请求有误:{html.escape(problem)}</p></body></html>"


def _home(state: ProvincialSandbox) -> str:
    return (
        f'{_HEAD}<p>发现文档:<a href="/.well-known/openid-configuration">'
        f"/.well-known/openid-configuration</a>。演示人员 {len(state.persons)} 名。</p>"
        "</body></html>"
    )


ProvincialSandbox.handler = _Handler
