"""The sandbox payment service: the channel API of ``channel_http`` served on loopback.

For development and tests. It checks request signatures, keeps orders in memory, issues a
20-digit 非税缴款码 per order, serves a pay page a person clicks through (``GET /pay/<number>``:
支付成功 / 支付失败), posts signed notices to the order's ``notify_url`` and sends the person
back to its ``return_url``; it answers queries, closes, refunds and the daily statement.

Controls, in process or over HTTP (``POST /control/<name>``, JSON body):

- ``pay`` / ``fail`` ``{"number"}``: as if the person paid (or the payment failed);
- ``down`` (every channel call and the pay page answer 503), ``recover``, ``reset``;
- ``delay`` ``{"seconds"}``: notices are posted that much later (from a thread);
- ``repeat`` ``{"times"}``: each notice is posted that many times;
- ``drop_notices`` ``{"on": true}``: pay without notifying (the platform must query);
- ``tamper_statement`` ``{"number", "amount"}``, ``extra_statement_line`` ``{"number",
  "amount", "kind"}``, ``omit_statement_line`` ``{"number"}``: seed statement mismatches.

    manage.py payment_sandbox --port 8029
"""

import datetime
import html
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone

from tongban.core import clock
from tongban.core import httpsign as signing
from tongban.core.loopback import JsonHandler, LoopbackService
from tongban.core.money import yuan
from tongban.payments.providers.base import StatementLine
from tongban.payments.providers.channel_http import (
    ORDERS_PATH,
    REFUNDS_PATH,
    STATEMENTS_PATH,
    HttpChannelProvider,
    format_statement,
)
from tongban.payments.providers.registry import register

COUNTY_PREFIX = "6101"  # 非税缴款码: region prefix + 16 digits


@register("sandbox")
class SandboxChannelProvider(HttpChannelProvider):
    """The sandbox speaks the real API over real HTTP; only the settings differ."""


class Sandbox(LoopbackService):
    """The service's state; ``serve()`` puts it on a port.

    ``deliver(url, headers, body) -> int`` posts a notice (HTTP status); by default over
    HTTP with urllib. Tests may pass one that posts through Django's test client.
    """

    def __init__(self, merchant_id: str, app_secret: str, *, deliver=None, echo=None):
        self.merchant_id, self.app_secret = merchant_id, app_secret
        self.deliver = deliver or _post
        self.echo = echo
        self.lock = threading.Lock()
        self.orders: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.notices: list[dict] = []  # every notice body posted, in order
        self.deliveries: list[tuple[str, int]] = []  # (event_id, HTTP status or 0)
        self.calls = self.refused = 0
        self._ids = itertools.count(1)
        self._last_sequence = 0
        self._reset_controls()

    def _reset_controls(self) -> None:
        self.down = False
        self.delay = 0.0
        self.repeat = 1
        self.drop = False
        self.tampered: dict[str, int] = {}
        self.extra: list[StatementLine] = []
        self.omitted: set[str] = set()

    # --- controls --------------------------------------------------------------------------

    def go_down(self) -> None:
        self.down = True

    def recover(self) -> None:
        self.down, self.delay, self.repeat, self.drop = False, 0.0, 1, False

    def reset(self) -> None:
        with self.lock:
            self.orders.clear()
            self.refunds.clear()
            self.notices.clear()
            self.deliveries.clear()
            self.calls = self.refused = 0
        self._reset_controls()

    def set_delay(self, seconds: float) -> None:
        self.delay = max(0.0, float(seconds))

    def set_repeat(self, times: int) -> None:
        self.repeat = max(1, int(times))

    def drop_notices(self, on: bool = True) -> None:
        self.drop = bool(on)

    def tamper_statement(self, number: str, amount: int) -> None:
        self.tampered[number] = int(amount)

    def extra_statement_line(self, number: str, amount: int, kind: str = "payment") -> None:
        self.extra.append(
            StatementLine(
                number=number,
                channel_order_id=f"SBXX{next(self._ids):012d}",
                kind=kind,
                amount=int(amount),
                at=timezone.localtime(clock.now()),
            )
        )

    def omit_statement_line(self, number: str) -> None:
        self.omitted.add(number)

    # --- the person at the pay page ---------------------------------------------------------

    def pay(self, number: str, *, amount: int | None = None) -> dict:
        """The person paid (``amount``: what the channel says was paid, for mismatch tests)."""
        with self.lock:
            order = self.orders[number]
            if order["status"] != "paying":  # paid already, failed or closed: nothing to pay
                return order
            order["status"] = "paid"
            order["paid_amount"] = order["amount"] if amount is None else int(amount)
            order["paid_at"] = timezone.localtime(clock.now())
        self.echo and self.echo(f"[支付沙箱] {number} 已支付 {order['paid_amount']} 分")
        self.notify(order, "payment.paid")
        return order

    def fail(self, number: str, reason: str = "余额不足") -> dict:
        with self.lock:
            order = self.orders[number]
            if order["status"] != "paying":
                return order
            order["status"], order["reason"] = "failed", reason
        self.notify(order, "payment.failed")
        return order

    # --- the API -----------------------------------------------------------------------

    def create(self, payload: dict) -> tuple[int, dict]:
        number = str(payload.get("number") or "")
        try:
            amount = int(payload.get("amount"))
        except (TypeError, ValueError):
            amount = 0
        if not number or amount <= 0 or not payload.get("notify_url"):
            return 400, {"code": "INVALID_REQUEST", "message": "缺少订单号、金额或通知地址"}
        with self.lock:
            order = self.orders.get(number)
            if order is None:
                serial = next(self._ids)
                order = {
                    "number": number,
                    "channel_order_id": f"SBXP{serial:012d}",
                    "pay_code": f"{COUNTY_PREFIX}{clock.now():%y%m%d}{serial:010d}",
                    "amount": amount,
                    "subject": str(payload.get("subject", "")),
                    "payer_name": str(payload.get("payer_name", "")),
                    "items": payload.get("items") or [],
                    "notify_url": str(payload["notify_url"]),
                    "return_url": str(payload.get("return_url", "")),
                    "status": "paying",
                    "paid_amount": None,
                    "paid_at": None,
                    "reason": "",
                    "refunded": 0,
                }
                self.orders[number] = order
            elif order["amount"] != amount:
                return 409, {"code": "ORDER_CONFLICT", "message": "订单号已存在且金额不同"}
        return 200, {"code": "OK", **self._opened(order)}

    def _opened(self, order: dict) -> dict:
        return {
            "channel_order_id": order["channel_order_id"],
            "pay_code": order["pay_code"],
            "pay_url": f"{self.url}/pay/{order['number']}",
        }

    def query(self, number: str) -> tuple[int, dict]:
        order = self.orders.get(number)
        if order is None:
            return 404, {"code": "ORDER_NOT_FOUND", "message": "订单不存在"}
        return 200, {"code": "OK", **_state(order)}

    def close(self, number: str) -> tuple[int, dict]:
        with self.lock:
            order = self.orders.get(number)
            if order is None:
                return 404, {"code": "ORDER_NOT_FOUND", "message": "订单不存在"}
            closed = order["status"] == "paying"
            if closed:
                order["status"] = "closed"
        if closed:
            self.notify(order, "payment.closed")
        return 200, {"code": "OK", **_state(order)}

    def refund(self, payload: dict) -> tuple[int, dict]:
        number, refund_number = (
            str(payload.get("number", "")),
            str(payload.get("refund_number", "")),
        )
        try:
            amount = int(payload.get("amount"))
        except (TypeError, ValueError):
            amount = 0
        with self.lock:
            known = self.refunds.get(refund_number)
            if known:
                return 200, {"code": "OK", **_refund_state(known)}
            order = self.orders.get(number)
            if order is None:
                return 404, {"code": "ORDER_NOT_FOUND", "message": "订单不存在"}
            if order["status"] != "paid" or not refund_number or amount <= 0:
                return 400, {"code": "REFUND_REFUSED", "message": "订单未支付或退款参数有误"}
            if order["refunded"] + amount > order["paid_amount"]:
                return 400, {"code": "REFUND_EXCEEDS", "message": "退款金额超过可退金额"}
            order["refunded"] += amount
            entry = {
                "number": number,
                "refund_number": refund_number,
                "channel_refund_id": f"SBXR{next(self._ids):012d}",
                "channel_order_id": order["channel_order_id"],
                "amount": amount,
                "reason": str(payload.get("reason", ""))[:200],
                "status": "refunded",
                "refunded_at": timezone.localtime(clock.now()),
                "notify_url": order["notify_url"],
            }
            self.refunds[refund_number] = entry
        self.notify(order, "refund.refunded", refund=entry)
        return 200, {"code": "OK", **_refund_state(entry)}

    def statement(self, date: datetime.date) -> str:
        lines = []
        for order in list(self.orders.values()):
            if order["paid_at"] is None or timezone.localtime(order["paid_at"]).date() != date:
                continue
            if order["number"] in self.omitted:
                continue
            amount = self.tampered.get(order["number"], order["paid_amount"])
            lines.append(
                StatementLine(
                    order["number"], order["channel_order_id"], "payment", amount, order["paid_at"]
                )
            )
        for entry in list(self.refunds.values()):
            if timezone.localtime(entry["refunded_at"]).date() != date:
                continue
            lines.append(
                StatementLine(
                    entry["number"],
                    entry["channel_order_id"],
                    "refund",
                    entry["amount"],
                    entry["refunded_at"],
                    entry["refund_number"],
                )
            )
        lines += [line for line in self.extra if timezone.localtime(line.at).date() == date]
        return format_statement(lines)

    # --- notices -------------------------------------------------------------------------

    def notify(self, order: dict, event: str, *, refund: dict | None = None) -> dict:
        """Build a new notice for ``order`` and post it as the controls say."""
        with self.lock:
            sequence = max(self._last_sequence + 1, int(time.time() * 1000))
            self._last_sequence = sequence
            body = {
                "event_id": f"EVT{sequence}{next(self._ids):06d}",
                "event": event,
                "sequence": sequence,
                "merchant_id": self.merchant_id,
                **_state(order),
            }
            if refund:
                body.update(
                    refund_number=refund["refund_number"],
                    channel_refund_id=refund["channel_refund_id"],
                    refund_status=refund["status"],
                    refund_amount=refund["amount"],
                )
            self.notices.append(body)
        if not self.drop:
            self.send(body, order["notify_url"], times=self.repeat, after=self.delay)
        return body

    def send(self, body: dict, url: str | None = None, *, times: int = 1, after: float = 0.0):
        """Post ``body`` (again: a repeated or late notice keeps its event id), signed anew."""
        url = url or self.orders[body["number"]]["notify_url"]
        if after:
            threading.Thread(
                target=self._send_later, args=(body, url, times, after), daemon=True
            ).start()
            return
        for _ in range(times):
            self._deliver(url, body)

    def _send_later(self, body: dict, url: str, times: int, after: float) -> None:
        time.sleep(after)
        for _ in range(times):
            self._deliver(url, body)

    def signed(self, url: str, body: dict) -> tuple[dict, bytes]:
        raw = json.dumps(body, ensure_ascii=False).encode()
        path = urlsplit(url).path
        return signing.headers(self.merchant_id, self.app_secret, "POST", path, raw), raw

    def _deliver(self, url: str, body: dict) -> int:
        headers, raw = self.signed(url, body)
        try:
            status = self.deliver(url, headers, raw)
        except OSError as exc:
            status = 0
            self.echo and self.echo(f"[支付沙箱] 通知发送失败: {exc}")
        with self.lock:
            self.deliveries.append((body["event_id"], status))
        return status

    def verify(self, method: str, path: str, body: bytes, get_header) -> bool:
        return get_header("AppKey") == self.merchant_id and signing.verify(
            self.app_secret, method, path, body, get_header
        )


def _post(url: str, headers: dict, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310  # notify URL from settings; dev/test sandbox
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _state(order: dict) -> dict:
    paid_at = order["paid_at"]
    return {
        "number": order["number"],
        "channel_order_id": order["channel_order_id"],
        "status": order["status"],
        "amount": order["paid_amount"],
        "paid_at": paid_at.isoformat() if paid_at else None,
        "reason": order["reason"],
    }


def _refund_state(entry: dict) -> dict:
    return {
        "refund_number": entry["refund_number"],
        "channel_refund_id": entry["channel_refund_id"],
        "status": entry["status"],
        "reason": "",
    }


class _Handler(JsonHandler):
    state: Sandbox

    def do_GET(self):
        path = urlsplit(self.path).path
        state = self.state
        if path == "/":
            return self._send(200, "text/html; charset=utf-8", _index(state).encode())
        if path == "/orders.json":
            return self._json(200, {"orders": [_state(o) for o in state.orders.values()]})
        if path.startswith("/pay/"):
            if state.down:
                return self._json(503, {"code": "UNAVAILABLE", "message": "支付渠道暂不可用"})
            order = state.orders.get(path.removeprefix("/pay/"))
            if order is None:
                return self._send(404, "text/html; charset=utf-8", "订单不存在".encode())
            return self._send(200, "text/html; charset=utf-8", _pay_page(order).encode())
        if not self._api_allowed("GET", b""):
            return
        if path.startswith(f"{ORDERS_PATH}/"):
            return self._json(*state.query(path.removeprefix(f"{ORDERS_PATH}/")))
        if path.startswith(f"{STATEMENTS_PATH}/"):
            try:
                day = datetime.date.fromisoformat(path.removeprefix(f"{STATEMENTS_PATH}/"))
            except ValueError:
                return self._json(
                    400, {"code": "INVALID_DATE", "message": "日期格式应为 YYYY-MM-DD"}
                )
            return self._send(200, "text/csv; charset=utf-8", state.statement(day).encode())
        self._json(404, {"code": "NOT_FOUND", "message": "没有这个地址"})

    def do_POST(self):
        body = self._body()
        path = urlsplit(self.path).path
        state = self.state
        if path.startswith("/control/"):
            return self._control(path.removeprefix("/control/"), body)
        if path.startswith("/pay/"):
            return self._pay(path.removeprefix("/pay/"), body)
        if not self._api_allowed("POST", body):
            return
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return self._json(400, {"code": "INVALID_REQUEST", "message": "请求不是合法的 JSON"})
        if path == ORDERS_PATH:
            return self._json(*state.create(payload))
        if path == REFUNDS_PATH:
            return self._json(*state.refund(payload))
        if path.startswith(f"{ORDERS_PATH}/") and path.endswith("/close"):
            return self._json(*state.close(path[len(ORDERS_PATH) + 1 : -len("/close")]))
        self._json(404, {"code": "NOT_FOUND", "message": "没有这个地址"})

    def _api_allowed(self, method: str, body: bytes) -> bool:
        state = self.state
        with state.lock:
            state.calls += 1
        if state.down:
            self._json(503, {"code": "UNAVAILABLE", "message": "支付渠道暂不可用"})
            return False
        if not state.verify(method, self.path, body, self.headers.get):
            with state.lock:
                state.refused += 1
            self._json(401, {"code": "SIGNATURE_INVALID", "message": "签名校验失败"})
            return False
        return True

    def _pay(self, number: str, body: bytes):
        state = self.state
        if state.down:
            return self._json(503, {"code": "UNAVAILABLE", "message": "支付渠道暂不可用"})
        order = state.orders.get(number)
        if order is None:
            return self._json(404, {"code": "ORDER_NOT_FOUND", "message": "订单不存在"})
        action = parse_qs(body.decode(errors="replace")).get("action", [""])[0]
        if action == "paid":
            state.pay(number)
        elif action == "failed":
            state.fail(number)
        else:
            return self._json(
                400, {"code": "INVALID_REQUEST", "message": "action 应为 paid 或 failed"}
            )
        self._see_other(order["return_url"] or "/")

    def _control(self, name: str, body: bytes):
        state = self.state
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {}
        controls = {
            "down": state.go_down,
            "recover": state.recover,
            "reset": state.reset,
            "delay": lambda: state.set_delay(data.get("seconds", 0)),
            "repeat": lambda: state.set_repeat(data.get("times", 1)),
            "drop_notices": lambda: state.drop_notices(data.get("on", True)),
            "pay": lambda: state.pay(str(data.get("number", ""))),
            "fail": lambda: state.fail(str(data.get("number", ""))),
            "tamper_statement": lambda: state.tamper_statement(
                str(data.get("number", "")), data.get("amount", 0)
            ),
            "extra_statement_line": lambda: state.extra_statement_line(
                str(data.get("number", "")), data.get("amount", 0), data.get("kind", "payment")
            ),
            "omit_statement_line": lambda: state.omit_statement_line(str(data.get("number", ""))),
        }
        if name not in controls:
            return self._json(404, {"code": "NOT_FOUND", "message": "没有这个控制项"})
        try:
            controls[name]()
        except KeyError:
            return self._json(404, {"code": "ORDER_NOT_FOUND", "message": "订单不存在"})
        except (TypeError, ValueError):
            return self._json(400, {"code": "INVALID_REQUEST", "message": "参数有误"})
        self._json(200, {"code": "OK"})


_HEAD = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{}</title></head><body>'
)


def _pay_page(order: dict) -> str:
    e = html.escape
    items = "".join(
        f"<tr><td>{e(str(i.get('name', '')))}</td><td>{yuan(i.get('amount', 0))} 元</td></tr>"
        for i in order["items"]
    )
    if order["status"] == "paying":
        action = (
            f'<form method="post" action="/pay/{e(order["number"])}">'
            '<button name="action" value="paid">支付成功</button> '
            '<button name="action" value="failed">支付失败</button></form>'
        )
    else:
        action = f"<p>订单状态:{e(order['status'])}</p>"
        if order["return_url"]:
            action += f'<p><a href="{e(order["return_url"])}">返回</a></p>'
    return (
        _HEAD.format("支付沙箱")
        + "<h1>统一支付沙箱(开发用,不产生真实扣款)</h1>"
        + f"<p>{e(order['subject'])}</p><p>缴款人:{e(order['payer_name'])}</p>"
        + f"<p>缴款码:{e(order['pay_code'])}</p>"
        + f"<table border=1 cellpadding=4><tr><th>收费项目</th><th>金额</th></tr>{items}</table>"
        + f"<p>合计:<strong>{yuan(order['amount'])} 元</strong></p>{action}</body></html>"
    )


def _index(state: Sandbox) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td><a href='/pay/{e(o['number'])}'>{e(o['number'])}</a></td>"
        f"<td>{e(o['pay_code'])}</td><td>{yuan(o['amount'])}</td><td>{e(o['status'])}</td></tr>"
        for o in reversed(list(state.orders.values())[-200:])
    )
    status = "模拟故障中(返回 503)" if state.down else "正常"
    return (
        _HEAD.format("支付沙箱")
        + f"<h1>统一支付沙箱(开发用)</h1><p>状态:{status}。通知重复 {state.repeat} 次,"
        + f"延迟 {state.delay} 秒{',不发通知' if state.drop else ''}。</p>"
        + "<table border=1 cellpadding=4><tr><th>订单号</th><th>缴款码</th><th>金额(元)</th>"
        + f"<th>状态</th></tr>{rows or '<tr><td colspan=4>暂无订单</td></tr>'}</table>"
        + "</body></html>"
    )


Sandbox.handler = _Handler
