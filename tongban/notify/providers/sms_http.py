"""A client for an HTTP SMS gateway of the usual kind (signed JSON over HTTPS).

    POST {url}/v1/sms/send
    {"phone", "sign", "template", "content", "client_msg_id"}
    → 200 {"code": "OK", "message_id": "..."}

The gateway deduplicates by ``client_msg_id``, so a call retried after a timeout never
sends twice. 5xx, 429, timeouts and broken connections are retryable; other refusals are
permanent. Connections are kept alive per thread.
"""

import json

from tongban.core import httpclient
from tongban.notify.providers.base import Outgoing, PermanentError, Provider, RetryableError
from tongban.notify.providers.registry import register

SEND_PATH = "/v1/sms/send"


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
        body = json.dumps(payload, ensure_ascii=False).encode()
        try:
            status, raw = httpclient.request(
                "POST",
                self.options["url"],
                path,
                body,
                app_key=self.options["app_key"],
                secret=self.options["app_secret"],
                timeout=self.options.get("timeout", 5),
            )
        except httpclient.Unreachable as exc:
            raise RetryableError(exc.reason("短信网关无响应")) from exc.__cause__
        return status, httpclient.json_answer(raw)
