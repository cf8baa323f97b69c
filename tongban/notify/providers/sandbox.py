"""The sandbox SMS service: the HTTP SMS API of ``sms_http`` served on loopback.

For development and tests. It checks signatures, deduplicates by ``client_msg_id``, keeps
the messages in memory, prints each one to the console and lists them on ``GET /`` (so SMS
codes can be read in development). Control endpoints make it fail (HTTP 503), slow, or
recover: ``POST /control/fail``, ``/control/slow`` ``{"seconds": 2}``, ``/control/recover``.
With a receipt URL it posts a signed delivery receipt for each new message.

    manage.py sms_sandbox --port 8026
"""

import html
import itertools
import json
import re
import threading
import time
import urllib.request

from tongban.core import httpsign as signing
from tongban.core.loopback import JsonHandler, LoopbackService
from tongban.notify.providers.registry import register
from tongban.notify.providers.sms_http import SEND_PATH, HttpSmsProvider

PHONE = re.compile(r"^1\d{10}$")


@register("sandbox")
class SandboxSmsProvider(HttpSmsProvider):
    """The sandbox speaks the real API over real HTTP; only the settings differ."""


class Sandbox(LoopbackService):
    """The service's state; ``serve()`` puts it on a port."""

    def __init__(self, app_key: str, app_secret: str, *, receipt_url: str = "", echo=None):
        self.app_key, self.app_secret, self.receipt_url = app_key, app_secret, receipt_url
        self.echo = echo
        self.lock = threading.Lock()
        self.messages: list[dict] = []
        self.by_client_id: dict[str, dict] = {}
        self.calls = self.duplicates = self.refused = 0
        self.failing = False
        self.delay = 0.0
        self._ids = itertools.count(1)

    # Control, in process or over HTTP.
    def fail(self) -> None:
        self.failing = True

    def slow(self, seconds: float) -> None:
        self.delay = seconds

    def recover(self) -> None:
        self.failing, self.delay = False, 0.0

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.by_client_id.clear()
            self.calls = self.duplicates = self.refused = 0
        self.recover()

    def accept(self, payload: dict) -> tuple[int, dict]:
        phone, client_id = str(payload.get("phone", "")), str(payload.get("client_msg_id", ""))
        if not PHONE.match(phone):
            return 400, {"code": "INVALID_PHONE", "message": "手机号码格式不正确"}
        if not client_id or not payload.get("content"):
            return 400, {"code": "INVALID_REQUEST", "message": "缺少 client_msg_id 或内容"}
        with self.lock:
            known = self.by_client_id.get(client_id)
            if known:
                self.duplicates += 1
                return 200, {"code": "OK", "message_id": known["message_id"], "duplicate": True}
            entry = {
                "message_id": f"SBX{next(self._ids):08d}",
                "client_msg_id": client_id,
                "phone": phone,
                "sign": payload.get("sign", ""),
                "template": payload.get("template", ""),
                "content": payload["content"],
                "received_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            }
            self.messages.append(entry)
            self.by_client_id[client_id] = entry
        if self.echo:
            self.echo(f"[短信沙箱] {phone} 【{entry['sign']}】{entry['content']}")
        if self.receipt_url:
            threading.Thread(target=self._post_receipt, args=(entry,), daemon=True).start()
        return 200, {"code": "OK", "message_id": entry["message_id"]}

    def _post_receipt(self, entry: dict) -> None:
        body = json.dumps(
            {
                "message_id": entry["message_id"],
                "client_msg_id": entry["client_msg_id"],
                "status": "DELIVERED",
                "delivered_at": int(time.time()),
            }
        ).encode()
        path = urllib.request.urlparse(self.receipt_url).path
        headers = signing.headers(self.app_key, self.app_secret, "POST", path, body)
        request = urllib.request.Request(self.receipt_url, data=body, headers=headers)
        try:
            urllib.request.urlopen(request, timeout=5).close()  # nosec B310  # receipt URL from settings; dev/test sandbox
        except OSError as exc:
            if self.echo:
                self.echo(f"[短信沙箱] 回执发送失败: {exc}")


class _Handler(JsonHandler):
    state: Sandbox

    def do_GET(self):
        if self.path == "/messages.json":
            self._json(200, {"messages": self.state.messages, "duplicates": self.state.duplicates})
        elif self.path == "/":
            self._send(200, "text/html; charset=utf-8", _page(self.state).encode())
        else:
            self._json(404, {"code": "NOT_FOUND", "message": "没有这个地址"})

    def do_POST(self):
        body = self._body()
        state = self.state
        controls = {
            "/control/fail": state.fail,
            "/control/recover": state.recover,
            "/control/reset": state.reset,
            "/control/slow": lambda: state.slow(float(json.loads(body or b"{}").get("seconds", 2))),
        }
        if self.path in controls:
            controls[self.path]()
            return self._json(200, {"code": "OK"})
        if self.path != SEND_PATH:
            return self._json(404, {"code": "NOT_FOUND", "message": "没有这个地址"})
        with state.lock:
            state.calls += 1
        if state.delay:
            time.sleep(state.delay)
        if state.failing:
            return self._json(503, {"code": "UNAVAILABLE", "message": "短信网关暂不可用"})
        signed = self.headers.get("AppKey") == state.app_key and signing.verify(
            state.app_secret, "POST", self.path, body, self.headers.get
        )
        if not signed:
            with state.lock:
                state.refused += 1
            return self._json(401, {"code": "SIGNATURE_INVALID", "message": "签名校验失败"})
        try:
            payload = json.loads(body)
        except ValueError:
            return self._json(400, {"code": "INVALID_REQUEST", "message": "请求不是合法的 JSON"})
        self._json(*state.accept(payload))


def _page(state: Sandbox) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(m['received_at'])}</td><td>{html.escape(m['phone'])}</td>"
        f"<td>【{html.escape(m['sign'])}】{html.escape(m['content'])}</td>"
        f"<td>{html.escape(m['message_id'])}</td></tr>"
        for m in reversed(state.messages[-200:])
    )
    status = "模拟故障中(返回 503)" if state.failing else "正常"
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta http-equiv="refresh" content="5"><title>短信沙箱</title></head><body>'
        f"<h1>短信沙箱(开发用)</h1><p>状态:{status}。共收到 {len(state.messages)} 条短信,"
        f"重复请求 {state.duplicates} 次。页面每 5 秒刷新。</p>"
        "<table border=1 cellpadding=4><tr><th>时间</th><th>手机号</th><th>内容</th>"
        f"<th>消息号</th></tr>{rows or '<tr><td colspan=4>暂无短信</td></tr>'}</table>"
        "</body></html>"
    )


Sandbox.handler = _Handler
