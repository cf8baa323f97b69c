"""The sandbox courier: the API of ``courier_http`` served on loopback, with a page to
move parcels along.

For development and tests. It checks signatures, books waybills idempotently by
``reference`` (keeping them in memory), answers tracks and cancellations, books pickups,
and lists the waybills on ``GET /`` with buttons (揽收, 运输中, 派送中, 签收, 退回) that
push signed tracking events to each waybill's ``callback_url``, as a courier does.
Controls (``POST``, JSON or form): ``/control/down`` (HTTP 503 for every API call),
``/control/recover``, ``/control/repeat`` (the next push is sent twice),
``/control/reorder`` (the next push is held back and sent after the one that follows it),
``/control/advance`` ``{"number", "to"}``, ``/control/reset``. Tests call the same methods
in process; a push is sent before ``advance`` returns, so a test sees its effect at once.

    manage.py courier_sandbox --port 8028
"""

import datetime
import html
import itertools
import json
import threading
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

from tongban.core import httpsign as signing
from tongban.core.loopback import JsonHandler, LoopbackService
from tongban.logistics.providers.courier_http import (
    PICKUPS_PATH,
    WAYBILLS_PATH,
    HttpCourierProvider,
)
from tongban.logistics.providers.registry import register

CHINA = datetime.timezone(datetime.timedelta(hours=8))
# to → (event code, description, where)
STEPS = {
    "picked_up": ("PICKED_UP", "快递员已揽收", "sender"),
    "in_transit": ("IN_TRANSIT", "快件已到达西安转运中心,正发往下一站", "hub"),
    "out_for_delivery": ("OUT_FOR_DELIVERY", "快递员正在派送,请保持电话畅通", "recipient"),
    "delivered": ("SIGNED", "快件已签收,签收人:本人", "recipient"),
    "returned": ("RETURNED", "收件人拒收,快件已退回寄件人", "recipient"),
    "failed": ("FAILED", "多次派送未成功,投递失败", "recipient"),
}
BUTTONS = (
    ("picked_up", "揽收"),
    ("in_transit", "运输中"),
    ("out_for_delivery", "派送中"),
    ("delivered", "签收"),
    ("returned", "退回"),
)
FINAL = {"delivered", "returned", "failed", "cancelled"}


@register("sandbox")
class SandboxCourierProvider(HttpCourierProvider):
    """The sandbox speaks the real API over real HTTP; only the settings differ."""


class Sandbox(LoopbackService):
    def __init__(self, customer_code: str, app_secret: str, *, echo=None):
        self.customer_code, self.app_secret, self.echo = customer_code, app_secret, echo
        self.lock = threading.Lock()
        self.waybills: dict[str, dict] = {}
        self.by_reference: dict[str, str] = {}
        self.calls = self.refused = self.duplicates = 0
        self.pushes: list[tuple[str, int]] = []  # (event_id, HTTP status or 0 when unreachable)
        self.is_down = False
        self._repeat = False
        self._reorder = False
        self._held: list[tuple[dict, bytes]] = []
        self._ids = itertools.count(1)

    # --- control, in process or over HTTP ----------------------------------------------

    def down(self) -> None:
        self.is_down = True

    def recover(self) -> None:
        self.is_down = False

    def repeat(self) -> None:
        self._repeat = True

    def reorder(self) -> None:
        self._reorder = True

    def reset(self) -> None:
        with self.lock:
            self.waybills.clear()
            self.by_reference.clear()
            self.pushes.clear()
            self._held.clear()
            self.calls = self.refused = self.duplicates = 0
        self.is_down = self._repeat = self._reorder = False

    def advance(self, number: str, to: str) -> list[int]:
        """Move waybill ``number`` to ``to`` and push the event; the HTTP statuses of the
        pushes sent now (none when held back by ``reorder``)."""
        if to not in STEPS:
            raise ValueError(f"unknown step {to!r}")
        with self.lock:
            entry = self.waybills[number]
            if entry["status"] in FINAL:
                raise ValueError(f"waybill {number} is {entry['status']}")
            code, description, where = STEPS[to]
            event = {
                "waybill_no": number,
                "reference": entry["reference"],
                "event_id": f"{number}-{len(entry['events']) + 1}",
                "sequence": len(entry["events"]) + 1,
                "code": code,
                "description": description,
                "location": _location(entry, where),
                "at": datetime.datetime.now(CHINA).isoformat(timespec="seconds"),
            }
            entry["events"].append(event)
            entry["status"] = to
            held, self._held = self._held, []
            if self._reorder:
                self._reorder = False
                self._held.append((entry, event))
                return []
            times = 2 if self._repeat else 1
            self._repeat = False
        if self.echo:
            self.echo(f"[快递沙箱] {number} {description}")
        sent = [self._push(entry, event) for _ in range(times)]
        return sent + [self._push(e, ev) for e, ev in held]

    # --- the API ------------------------------------------------------------------------

    def create(self, payload: dict) -> tuple[int, dict]:
        reference = str(payload.get("reference") or "")
        recipient = payload.get("recipient") or {}
        if not reference or not isinstance(recipient, dict):
            return 400, {"code": "INVALID_REQUEST", "message": "缺少 reference 或收件人"}
        needed = ("name", "phone", "province", "city", "county", "detail")
        missing = [k for k in needed if not recipient.get(k)]
        if missing:
            return 400, {"code": "INVALID_ADDRESS", "message": f"收件信息不完整: {missing}"}
        with self.lock:
            known = self.by_reference.get(reference)
            if known:
                self.duplicates += 1
                entry = self.waybills[known]
                answer = {"code": "OK", "waybill_no": known, "cost_fen": entry["cost_fen"]}
                return 200, {**answer, "duplicate": True}
            number = f"SX{next(self._ids):010d}"
            entry = {
                "number": number,
                "reference": reference,
                "kind": payload.get("kind", "delivery"),
                "sender": payload.get("sender") or {},
                "recipient": recipient,
                "payer": payload.get("payer", "sender"),
                "callback_url": str(payload.get("callback_url") or ""),
                "cost_fen": 1000 if recipient.get("province") == "陕西省" else 1800,
                "status": "booked",
                "events": [],
                "pickup": None,
                "created_at": datetime.datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
            }
            self.waybills[number] = entry
            self.by_reference[reference] = number
        if self.echo:
            self.echo(f"[快递沙箱] 下单 {number}({reference})")
        return 200, {"code": "OK", "waybill_no": number, "cost_fen": entry["cost_fen"]}

    def pickup(self, payload: dict) -> tuple[int, dict]:
        entry = self.waybills.get(str(payload.get("waybill_no") or ""))
        if entry is None:
            return 404, {"code": "NOT_FOUND", "message": "运单不存在"}
        if not payload.get("start") or not payload.get("end"):
            return 400, {"code": "INVALID_REQUEST", "message": "缺少上门时间段"}
        pickup_id = f"PU{entry['number']}"
        entry["pickup"] = {"start": payload["start"], "end": payload["end"], "pickup_id": pickup_id}
        return 200, {"code": "OK", "pickup_id": entry["pickup"]["pickup_id"]}

    def tracks(self, number: str) -> tuple[int, dict]:
        entry = self.waybills.get(number)
        if entry is None:
            return 404, {"code": "NOT_FOUND", "message": "运单不存在"}
        return 200, {"code": "OK", "waybill_no": number, "tracks": list(entry["events"])}

    def cancel(self, number: str) -> tuple[int, dict]:
        with self.lock:
            entry = self.waybills.get(number)
            if entry is None:
                return 404, {"code": "NOT_FOUND", "message": "运单不存在"}
            if entry["status"] == "cancelled":
                return 200, {"code": "OK"}
            if entry["status"] != "booked":
                return 409, {"code": "ALREADY_PICKED_UP", "message": "快件已揽收,不能取消"}
            entry["status"] = "cancelled"
        return 200, {"code": "OK"}

    # --- pushes ---------------------------------------------------------------------------

    def _push(self, entry: dict, event: dict) -> int:
        url = entry["callback_url"]
        if urlsplit(url).scheme not in ("http", "https"):  # no file:// or other schemes
            return 0
        body = json.dumps(event, ensure_ascii=False).encode()
        path = urlsplit(url).path
        headers = signing.headers(self.customer_code, self.app_secret, "POST", path, body)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310  # http(s) only, checked above; dev/test sandbox
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError as exc:
            status = 0
            if self.echo:
                self.echo(f"[快递沙箱] 推送失败: {exc}")
        with self.lock:
            self.pushes.append((event["event_id"], status))
        return status


def _location(entry: dict, where: str) -> str:
    if where == "hub":
        return "西安转运中心"
    party = entry["sender"] if where == "sender" else entry["recipient"]
    return f"{party.get('city', '')}{party.get('county', '')}"[:100]


class _Handler(JsonHandler):
    state: Sandbox

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/":
            return self._send(200, "text/html; charset=utf-8", _page(self.state).encode())
        if path == "/waybills.json":
            return self._json(200, {"waybills": list(self.state.waybills.values())})
        if path.startswith(WAYBILLS_PATH + "/") and path.endswith("/tracks"):
            if self._refused(b""):
                return
            number = path[len(WAYBILLS_PATH) + 1 : -len("/tracks")]
            return self._json(*self.state.tracks(number))
        self._json(404, {"code": "NOT_FOUND", "message": "没有这个地址"})

    def do_POST(self):
        body = self._body()
        path = urlsplit(self.path).path
        if path.startswith("/control/"):
            return self._control(path, body)
        if self._refused(body):
            return
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return self._json(400, {"code": "INVALID_REQUEST", "message": "请求不是合法的 JSON"})
        if path == WAYBILLS_PATH:
            return self._json(*self.state.create(payload))
        if path == PICKUPS_PATH:
            return self._json(*self.state.pickup(payload))
        if path.startswith(WAYBILLS_PATH + "/") and path.endswith("/cancel"):
            return self._json(*self.state.cancel(path[len(WAYBILLS_PATH) + 1 : -len("/cancel")]))
        self._json(404, {"code": "NOT_FOUND", "message": "没有这个地址"})

    def _refused(self, body: bytes) -> bool:
        """Down, or the request is not signed by the customer: answered here."""
        state = self.state
        with state.lock:
            state.calls += 1
        if state.is_down:
            self._json(503, {"code": "UNAVAILABLE", "message": "快递接口暂不可用"})
            return True
        signed = self.headers.get("AppKey") == state.customer_code and signing.verify(
            state.app_secret, self.command, urlsplit(self.path).path, body, self.headers.get
        )
        if not signed:
            with state.lock:
                state.refused += 1
            self._json(401, {"code": "SIGNATURE_INVALID", "message": "签名校验失败"})
            return True
        return False

    def _control(self, path: str, body: bytes):
        state = self.state
        form = "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or "")
        if form:
            data = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        else:
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                data = {}
        simple = {
            "/control/down": state.down,
            "/control/recover": state.recover,
            "/control/repeat": state.repeat,
            "/control/reorder": state.reorder,
            "/control/reset": state.reset,
        }
        answer: dict = {"code": "OK"}
        if path in simple:
            simple[path]()
        elif path == "/control/advance":
            try:
                answer["pushes"] = state.advance(str(data.get("number")), str(data.get("to")))
            except (KeyError, ValueError) as exc:
                return self._json(400, {"code": "INVALID_REQUEST", "message": str(exc)})
        else:
            return self._json(404, {"code": "NOT_FOUND", "message": "没有这个地址"})
        if form:  # a button on the page: back to it
            return self._see_other()
        return self._json(200, answer)


def _page(state: Sandbox) -> str:
    rows = []
    for entry in reversed(list(state.waybills.values())[-200:]):
        number = html.escape(entry["number"])
        buttons = "".join(
            f'<form method="post" action="/control/advance" style="display:inline">'
            f'<input type="hidden" name="number" value="{number}">'
            f'<input type="hidden" name="to" value="{to}"><button>{label}</button></form>'
            for to, label in BUTTONS
        )
        recipient = entry["recipient"]
        last = entry["events"][-1]["description"] if entry["events"] else "已下单"
        rows.append(
            f"<tr><td>{number}</td><td>{html.escape(entry['reference'])}</td>"
            f"<td>{'上门收件' if entry['kind'] == 'collection' else '结果送达'}</td>"
            f"<td>{html.escape(str(recipient.get('name', ''))[:1])}** "
            f"{html.escape(recipient.get('county', ''))}</td>"
            f"<td>{html.escape(entry['status'])}:{html.escape(last)}</td>"
            f"<td>{'' if entry['status'] in FINAL else buttons}</td></tr>"
        )
    status = "模拟故障中(返回 503)" if state.is_down else "正常"
    empty = "<tr><td colspan=6>暂无运单</td></tr>"
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>快递沙箱</title></head><body>"
        f"<h1>快递沙箱(开发用)</h1><p>状态:{status}。共 {len(state.waybills)} 张运单,"
        f"已推送轨迹 {len(state.pushes)} 次。点击按钮推进快件并向平台推送签名轨迹。</p>"
        "<table border=1 cellpadding=4><tr><th>运单号</th><th>平台参考号</th><th>类型</th>"
        f"<th>收件人</th><th>状态</th><th>推进</th></tr>{''.join(rows) or empty}</table>"
        "</body></html>"
    )


Sandbox.handler = _Handler
