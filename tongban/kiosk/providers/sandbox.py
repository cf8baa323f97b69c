"""The simulated card reader: the API of ``reader_http`` served on loopback, with controls to
place an ID card on the reader and take it off.

For development and tests. It checks signatures (any terminal code as AppKey, the sandbox's
shared key from ``KIOSK_READER_PROVIDERS["sandbox"]["app_secret"]``), answers ``GET /v1/card``
with the card on the reader, and shows on ``GET /`` the demo people with a 放置 button each
and a 取下 button. Controls (``POST``, JSON or form): ``/control/place`` ``{"name",
"id_number"}``, ``/control/remove``, ``/control/down`` (HTTP 503), ``/control/recover``.
Tests call the same methods in process.

    manage.py card_reader_sandbox --port 8030
"""

import html
import itertools
import json
import threading
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

from tongban.core import httpsign as signing
from tongban.core.loopback import JsonHandler, LoopbackService
from tongban.core.pii import mask
from tongban.kiosk.providers.base import Card
from tongban.kiosk.providers.reader_http import CARD_PATH, HttpCardReader
from tongban.kiosk.providers.registry import register


@register("sandbox")
class SandboxCardReader(HttpCardReader):
    """The sandbox speaks the real protocol over real HTTP; the address and key come from
    the settings (a terminal's own reader_url wins when it has one)."""

    def endpoint(self, terminal) -> tuple[str, str]:
        return terminal.reader_url or self.options["url"], self.options["app_secret"]


class Sandbox(LoopbackService):
    def __init__(self, app_secret: str | None = None, *, people=(), echo=None):
        secret = app_secret or settings.KIOSK_READER_PROVIDERS["sandbox"]["app_secret"]
        self.app_secret, self.people, self.echo = secret, list(people), echo
        self.lock = threading.Lock()
        self.card: Card | None = None
        self.is_down = False
        self.calls = self.refused = 0
        self._reads = itertools.count(1)

    def place(self, name: str, id_number: str) -> Card:
        """Put a card on the reader (replacing any): a new placement, a new ``read_id``."""
        if not name or not id_number:
            raise ValueError("name and id_number are required")
        with self.lock:
            self.card = Card(f"R{next(self._reads):08d}", str(name), str(id_number))
        if self.echo:
            self.echo(f"[读卡器沙箱] 放置身份证 {name} {mask(str(id_number), 'id_number')}")
        return self.card

    def remove(self) -> None:
        with self.lock:
            self.card = None
        if self.echo:
            self.echo("[读卡器沙箱] 已取下身份证")

    def down(self) -> None:
        self.is_down = True

    def recover(self) -> None:
        self.is_down = False

    def answer(self) -> tuple[int, dict]:
        card = self.card
        if card is None:
            return 200, {"code": "NO_CARD"}
        data = {"read_id": card.read_id, "name": card.name, "id_number": card.id_number}
        return 200, {"code": "OK", "card": data}


class _Handler(JsonHandler):
    state: Sandbox

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/":
            return self._send(200, "text/html; charset=utf-8", _page(self.state).encode())
        if path == CARD_PATH:
            if self._refused():
                return None
            return self._json(*self.state.answer())
        return self._json(404, {"code": "NOT_FOUND", "message": "没有这个地址"})

    def do_POST(self):
        body = self._body()
        path = urlsplit(self.path).path
        form = "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or "")
        try:
            data = (
                {k: v[0] for k, v in parse_qs(body.decode()).items()}
                if form
                else json.loads(body or b"{}")
            )
        except ValueError:
            data = {}
        state = self.state
        if path == "/control/place":
            try:
                state.place(str(data.get("name") or ""), str(data.get("id_number") or ""))
            except ValueError as exc:
                return self._json(400, {"code": "INVALID_REQUEST", "message": str(exc)})
        elif path in ("/control/remove", "/control/down", "/control/recover"):
            getattr(state, path.rsplit("/", 1)[1])()
        else:
            return self._json(404, {"code": "NOT_FOUND", "message": "没有这个地址"})
        if form:  # a button on the page: back to it
            return self._see_other()
        return self._json(200, {"code": "OK"})

    def _refused(self) -> bool:
        state = self.state
        with state.lock:
            state.calls += 1
        if state.is_down:
            self._json(503, {"code": "UNAVAILABLE", "message": "读卡器暂不可用"})
            return True
        signed = bool(self.headers.get("AppKey")) and signing.verify(
            state.app_secret, "GET", urlsplit(self.path).path, b"", self.headers.get
        )
        if not signed:
            with state.lock:
                state.refused += 1
            self._json(401, {"code": "SIGNATURE_INVALID", "message": "签名校验失败"})
            return True
        return False


def _page(state: Sandbox) -> str:
    card = state.card
    now = (
        f"读卡区:{html.escape(card.name)} {html.escape(mask(card.id_number, 'id_number'))}"
        if card
        else "读卡区:无身份证"
    )
    rows = "".join(
        '<tr><td>{n}</td><td>{m}</td><td><form method="post" action="/control/place">'
        '<input type="hidden" name="name" value="{n}"><input type="hidden" name="id_number" '
        'value="{i}"><button>放置身份证</button></form></td></tr>'.format(
            n=html.escape(name), i=html.escape(number), m=html.escape(mask(number, "id_number"))
        )
        for name, number in state.people
    )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>读卡器沙箱</title></head><body><h1>身份证读卡器沙箱(开发用)</h1>"
        f"<p>{now}</p><form method=post action=/control/remove><button>取下身份证</button>"
        "</form><h2>演示人员</h2><table border=1 cellpadding=4><tr><th>姓名</th><th>身份证号"
        f"</th><th></th></tr>{rows or '<tr><td colspan=3>暂无演示人员</td></tr>'}</table>"
        "</body></html>"
    )


Sandbox.handler = _Handler
