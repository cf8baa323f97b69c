"""A client for a payment channel of the usual kind (统一支付平台: signed JSON over HTTPS).

Requests carry ``AppKey`` (the merchant id), ``Timestamp``, ``Nonce`` and ``Signature``
(``tongban.core.httpsign``); answers are JSON ``{"code": "OK", ...}`` or an error code::

    POST {url}/v1/orders                     统一下单, idempotent by the merchant order number
         {"number", "amount", "subject", "payer_name", "department_code", "items",
          "notify_url", "return_url", "expires_at"}
         → {"code": "OK", "channel_order_id", "pay_code", "pay_url"}
    GET  {url}/v1/orders/{number}            查询 → {"code": "OK", "number", "channel_order_id",
                                              "status", "amount", "paid_at", "reason"}
    POST {url}/v1/orders/{number}/close      关闭 → the same as a query
    POST {url}/v1/refunds                    退款, idempotent by the refund number
         {"number", "refund_number", "amount", "reason"}
         → {"code": "OK", "refund_number", "channel_refund_id", "status", "reason"}
    GET  {url}/v1/statements/{YYYY-MM-DD}    对账单 (text/csv)
         number,channel_order_id,kind,amount_fen,time,refund_number

Notices are POSTed to ``notify_url`` signed the same way (the path of ``notify_url``), with a
JSON body ``{"event_id", "event", "sequence", "number", "channel_order_id", "status",
"amount", "paid_at", "reason"}`` (refund notices add ``refund_number``,
``channel_refund_id``, ``refund_status``); the platform answers ``{"code": "SUCCESS"}``.
5xx, 429, timeouts and broken connections are ``RetryableError``; other refusals
``PermanentError``; an answer or notice that fails its signature ``BadSignature``.
"""

import csv
import datetime
import io
import json
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.urls import reverse

from tongban.core import httpclient
from tongban.core import httpsign as signing
from tongban.payments.providers.base import (
    BadSignature,
    Notice,
    OrderAnswer,
    OrderRequest,
    PaymentState,
    PermanentError,
    Provider,
    RefundAnswer,
    RetryableError,
    StatementLine,
)
from tongban.payments.providers.registry import register

ORDERS_PATH = "/v1/orders"
REFUNDS_PATH = "/v1/refunds"
STATEMENTS_PATH = "/v1/statements"
STATEMENT_HEADER = ["number", "channel_order_id", "kind", "amount_fen", "time", "refund_number"]
STATES = ("paying", "paid", "failed", "closed")


@register("channel_http")
class HttpChannelProvider(Provider):
    def create_order(self, request: OrderRequest) -> OrderAnswer:
        payload = {
            "number": request.number,
            "amount": request.amount,
            "subject": request.subject,
            "payer_name": request.payer_name,
            "department_code": request.department_code,
            "items": request.items,
            "notify_url": request.notify_url,
            "return_url": request.return_url,
            "expires_at": request.expires_at.isoformat(),
        }
        answer = self._ok(*self.call("POST", ORDERS_PATH, payload))
        try:
            return OrderAnswer(
                channel_order_id=str(answer["channel_order_id"]),
                pay_code=str(answer.get("pay_code", "")),
                pay_url=str(answer["pay_url"]),
            )
        except KeyError as exc:
            raise PermanentError(f"渠道下单应答缺少 {exc}") from exc

    def query(self, number: str) -> PaymentState:
        return _state(self._ok(*self.call("GET", f"{ORDERS_PATH}/{quote(number)}")))

    def close(self, number: str) -> PaymentState:
        return _state(self._ok(*self.call("POST", f"{ORDERS_PATH}/{quote(number)}/close", {})))

    def refund(self, number: str, refund_number: str, amount: int, reason: str) -> RefundAnswer:
        payload = {
            "number": number,
            "refund_number": refund_number,
            "amount": amount,
            "reason": reason,
        }
        return _refund(self._ok(*self.call("POST", REFUNDS_PATH, payload)))

    def statement(self, date: datetime.date) -> tuple[str, list[StatementLine]]:
        status, raw = self.request("GET", f"{STATEMENTS_PATH}/{date.isoformat()}")
        text = raw.decode("utf-8", errors="replace")
        if status != 200:
            self._ok(status, httpclient.json_answer(raw))
        return text, parse_statement(text)

    def parse_notice(self, headers: dict, body: bytes) -> Notice:
        lowered = {str(key).lower(): value for key, value in dict(headers).items()}
        path = urlsplit(notify_url(self.name)).path
        merchant, secret = self.options.get("merchant_id"), self.options.get("app_secret")
        # An unconfigured channel (no merchant id or secret) accepts no notice at all.
        signed = bool(merchant and secret) and lowered.get("appkey") == merchant
        signed = signed and signing.verify(
            secret,
            "POST",
            path,
            body,
            lambda h: lowered.get(h.lower()),
        )
        if not signed:
            raise BadSignature("通知签名校验失败 / notice signature invalid")
        try:
            data = json.loads(body)
            event_id, event = str(data["event_id"]), str(data["event"])
            sequence = int(data.get("sequence") or 0)
        except (ValueError, KeyError, TypeError) as exc:
            raise PermanentError(f"通知格式错误: {exc}") from exc
        if not event_id or not isinstance(data, dict):
            raise PermanentError("通知缺少 event_id")
        state = refund = None
        if event.startswith("payment."):
            state = _state(data)
        elif event.startswith("refund."):
            refund = _refund({**data, "status": data.get("refund_status", "")})
        return Notice(event_id, event, state=state, refund=refund, sequence=sequence, raw=data)

    # --- HTTP -----------------------------------------------------------------------------

    def call(self, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        status, raw = self.request(method, path, body)
        return status, httpclient.json_answer(raw)

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if not self.options.get("url"):
            raise RetryableError("支付渠道未配置 / the channel URL is not set")
        try:
            return httpclient.request(
                method,
                self.options["url"],
                path,
                body,
                app_key=self.options.get("merchant_id") or "",
                secret=self.options.get("app_secret") or "",
                timeout=self.options.get("timeout", 5),
            )
        except httpclient.Unreachable as exc:
            raise RetryableError(exc.reason("支付渠道无响应")) from exc.__cause__

    def _ok(self, status: int, answer: dict) -> dict:
        if status == 200 and answer.get("code") == "OK":
            return answer
        error = f"HTTP {status} {answer.get('code', '')} {answer.get('message', '')}".strip()
        if status >= 500 or status == 429:
            raise RetryableError(error)
        raise PermanentError(error)


def notify_url(provider_name: str) -> str:
    """Where channel ``provider_name`` posts its notices (signed over this URL's path)."""
    return settings.PAYMENTS_PUBLIC_URL + reverse("payments:notify", args=[provider_name])


def parse_statement(text: str) -> list[StatementLine]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    if rows[0] != STATEMENT_HEADER:
        raise PermanentError("对账单表头不符 / unexpected statement header")
    lines = []
    for row in rows[1:]:
        if not row:
            continue
        try:
            number, channel_id, kind, amount, at, refund_number = row
            lines.append(
                StatementLine(
                    number=number,
                    channel_order_id=channel_id,
                    kind=kind,
                    amount=int(amount),
                    at=datetime.datetime.fromisoformat(at),
                    refund_number=refund_number,
                )
            )
        except ValueError as exc:
            raise PermanentError(f"对账单行格式错误: {row}") from exc
    return lines


def format_statement(lines: list[StatementLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STATEMENT_HEADER)
    for line in lines:
        writer.writerow(
            [
                line.number,
                line.channel_order_id,
                line.kind,
                line.amount,
                line.at.isoformat(),
                line.refund_number,
            ]
        )
    return out.getvalue()


def _state(data: dict) -> PaymentState:
    status = str(data.get("status", ""))
    if status not in STATES:
        raise PermanentError(f"未知的支付状态 {status!r}")
    paid_at = data.get("paid_at")
    try:
        return PaymentState(
            number=str(data["number"]),
            channel_order_id=str(data.get("channel_order_id", "")),
            status=status,
            amount=None if data.get("amount") is None else int(data["amount"]),
            paid_at=datetime.datetime.fromisoformat(paid_at) if paid_at else None,
            reason=str(data.get("reason", ""))[:200],
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise PermanentError(f"支付状态格式错误: {exc}") from exc


def _refund(data: dict) -> RefundAnswer:
    try:
        return RefundAnswer(
            refund_number=str(data["refund_number"]),
            channel_refund_id=str(data.get("channel_refund_id", "")),
            status=str(data.get("status", "")),
            reason=str(data.get("reason", ""))[:200],
        )
    except KeyError as exc:
        raise PermanentError(f"退款应答缺少 {exc}") from exc
