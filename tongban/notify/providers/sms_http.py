"""A client for an HTTP SMS gateway of the usual kind (signed JSON over HTTPS).

    POST {url}/v1/sms/send
    {"phone", "sign", "template", "content", "client_msg_id"}
    → 200 {"code": "OK", "message_id": "..."}

The gateway deduplicates by ``client_msg_id``, so a call retried after a timeout never
sends twice. 5xx, 429, timeouts and broken connections are retryable; other refusals are
permanent. Connections are kept alive per thread.
"""

import http.client
import json
import threading
from urllib.parse import urlsplit

from tongban.core import httpsign as signing
from tongban.notify.providers.base import Outgoing, PermanentError, Provider, RetryableError
from tongban.notify.providers.registry import register

SEND_PATH = "/v1/sms/send"
_local = threading.local()


@register("sms_http")
class HttpSmsProvider(Provider):
    channel = "sms"

    def send(self, message: Outgoing) -> str:
        if not self.options.get("url"):
            raise RetryableError("短信网关未配置 / NOTIFY_SMS_URL is not set")  # wait, don't drop
        payload = {
            "phone": message.address,
            "sign": self.options.get("sign", ""),
            "template": message.template,
            "content": message.body,
            "client_msg_id": message.client_msg_id,
        }
        status, answer = self.post(SEND_PATH, payload)
        code = answer.get("code", "")
        if status == 200 and code == "OK" and answer.get("message_id"):
            return str(answer["message_id"])
        error = f"HTTP {status} {code} {answer.get('message', '')}".strip()
        if status >= 500 or status == 429:
            raise RetryableError(error)
        raise PermanentError(error)

    def post(self, path: str, payload: dict) -> tuple[int, dict]:
        url = urlsplit(self.options["url"])
        full_path = url.path.rstrip("/") + path
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = signing.headers(
            self.options["app_key"], self.options["app_secret"], "POST", full_path, body
        )
        for reuse in (True, False):
            connection = self._connection(url, fresh=not reuse)
            try:
                connection.request("POST", full_path, body=body, headers=headers)
                response = connection.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                connection.close()
                if not reuse:
                    raise RetryableError(f"连接中断: {exc}") from exc
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                connection.close()
                raise RetryableError(f"短信网关无响应: {exc}") from exc
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {"message": raw[:200].decode(errors="replace")}
        return response.status, answer if isinstance(answer, dict) else {}

    def _connection(self, url, *, fresh: bool):
        timeout = float(self.options.get("timeout", 5))
        key = (url.scheme, url.netloc, timeout)
        pool = _local.__dict__.setdefault("connections", {})
        if fresh or key not in pool:
            cls = (
                http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
            )
            pool[key] = cls(url.hostname, url.port, timeout=timeout)
        return pool[key]
