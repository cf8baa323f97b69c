"""Shared by the single sign-on tests: people, a registered client, and a person's browser
(a ``requests`` session) that signs in at /login/ and answers the consent page over HTTP."""

import datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

from tongban.identity.models import Agent, EnterpriseAccount, Level, User
from tongban.identity.oidc import clients
from tongban.registry.tests.factories import LegalEntityFactory, person_id_number

PASSWORD = "Zhouzhi@2026pw"
REDIRECT_URI = "http://dept.example/callback"
ID_NUMBER = person_id_number(4242)


def make_person(
    phone="13912345678", id_number=ID_NUMBER, level=Level.L2, first="丽", last="王"
) -> User:
    user = User(
        username=f"u{phone}",
        kind=User.Kind.PERSON,
        phone=phone,
        id_number=id_number,
        real_name_level=level,
        first_name=first,
        last_name=last,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def make_client(name="县人社局社保系统", *, confidential=True):
    return clients.register(
        name,
        [REDIRECT_URI],
        confidential=confidential,
        post_logout_redirect_uris=["http://dept.example/bye"],
    )


def enterprise_for(user, *, agent=None) -> EnterpriseAccount:
    """An enterprise whose legal representative is ``user``; ``agent`` acts for it too."""
    enterprise = EnterpriseAccount.objects.create(
        legal_entity=LegalEntityFactory(name="周至县秦岭猕猴桃专业合作社"), legal_rep=user
    )
    if agent is not None:
        Agent.objects.create(
            enterprise=enterprise,
            user=agent,
            scopes=["apply", "view"],
            expires_on=datetime.date(2099, 12, 31),
            granted_by=user,
        )
    return enterprise


class _Forms(HTMLParser):
    """Every form's action and its inputs (the last value of each name wins)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": attrs.get("action") or "", "id": attrs.get("id"), "inputs": {}}
            )
        elif tag in {"input", "button"} and self.forms and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind == "radio" and "checked" not in attrs:
                return
            if tag == "button":
                return
            self.forms[-1]["inputs"][attrs["name"]] = attrs.get("value") or ""


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


_open_sessions: list[requests.Session] = []


def tracked(session: requests.Session) -> requests.Session:
    """Remember ``session`` so that ``close_sessions`` ends its keep-alive connections."""
    _open_sessions.append(session)
    return session


def close_sessions() -> None:
    """Close every tracked session: a live-server thread serving a kept-alive connection
    must finish within its test, not when the session is garbage-collected later."""
    while _open_sessions:
        _open_sessions.pop().close()


class Browser:
    """The person's browser: a cookie jar that follows the platform's own redirects."""

    def __init__(self, base_url: str):
        self.base = base_url
        self.session = tracked(requests.Session())

    def login(self, phone: str, password: str = PASSWORD, next_url: str = "") -> requests.Response:
        page = self.session.get(urljoin(self.base, "/login/"), params={"next": next_url})
        page.raise_for_status()
        data = {
            "csrfmiddlewaretoken": self.session.cookies["csrftoken"],
            "action": "password",
            "phone": phone,
            "password": password,
            "next": next_url,
        }
        return self.session.post(urljoin(self.base, "/login/"), data=data, allow_redirects=False)

    def get(self, url: str, **kwargs) -> requests.Response:
        """GET, following redirects only while they stay on the platform."""
        response = self.session.get(urljoin(self.base, url), allow_redirects=False, **kwargs)
        while response.is_redirect and self._ours(response.headers["Location"]):
            response = self.session.get(
                urljoin(response.url, response.headers["Location"]), allow_redirects=False
            )
        return response

    def submit(self, page: requests.Response, form_id: str, **values) -> requests.Response:
        """Submit a form of ``page`` with its hidden fields plus ``values``."""
        [form] = [f for f in forms_of(page.text) if f["id"] == form_id]
        data = {**form["inputs"], **values}
        action = urljoin(page.url, form["action"] or page.url)
        response = self.session.post(
            action, data=data, headers={"Referer": page.url}, allow_redirects=False
        )
        if response.is_redirect and self._ours(response.headers["Location"]):
            return self.get(urljoin(action, response.headers["Location"]))
        return response

    def _ours(self, location: str) -> bool:
        return location.startswith("/") or location.startswith(self.base)
