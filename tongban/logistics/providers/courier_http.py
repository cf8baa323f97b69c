"""A client for a courier's open API of the usual kind (signed JSON over HTTPS).

    POST {url}/v1/waybills            {"reference", "kind", "sender", "recipient", "payer",
                                       "cargo", "callback_url"}
        → 200 {"code": "OK", "waybill_no": "...", "cost_fen": 1000}   idempotent by reference
    POST {url}/v1/pickups             {"waybill_no", "start", "end", "address"}
        → 200 {"code": "OK", "pickup_id": "..."}                      上门取件
    GET  {url}/v1/waybills/{no}/tracks → 200 {"code": "OK", "tracks": [{event_id, sequence,
                                        code, description, location, at}]}
    POST {url}/v1/waybills/{no}/cancel → 200 {"code": "OK"} | 409 {"code": "ALREADY_PICKED_UP"}

Requests are signed (``tongban.core.httpsign``: AppKey is the customer code); the courier
pushes each tracking event, signed the same way, to ``callback_url``. 5xx, 429, timeouts
and broken connections are retryable; other refusals are permanent.
"""

import json
from urllib.parse import quote

from tongban.core import httpclient
from tongban.logistics.providers.base import (
    Booking,
    CourierProvider,
    PermanentError,
    RetryableError,
    Shipment,
    Track,
)
from tongban.logistics.providers.registry import register

WAYBILLS_PATH = "/v1/waybills"
PICKUPS_PATH = "/v1/pickups"


@register("courier_http")
class HttpCourierProvider(CourierProvider):
    def book(self, shipment: Shipment) -> Booking:
        payload = {
            "reference": shipment.reference,
            "kind": shipment.kind,
            "sender": shipment.sender,
            "recipient": shipment.recipient,
            "payer": shipment.payer,
            "cargo": shipment.cargo,
            "callback_url": shipment.callback_url,
        }
        answer = self._ok(*self.call("POST", WAYBILLS_PATH, payload))
        if not answer.get("waybill_no"):
            raise RetryableError("快递接口未返回运单号 / no waybill number in the answer")
        return Booking(
            number=str(answer["waybill_no"]),
            cost_fen=int(answer.get("cost_fen") or 0),
            duplicate=bool(answer.get("duplicate")),
        )

    def book_pickup(self, number: str, *, start: str, end: str, address: dict) -> str:
        payload = {"waybill_no": number, "start": start, "end": end, "address": address}
        answer = self._ok(*self.call("POST", PICKUPS_PATH, payload))
        return str(answer.get("pickup_id", ""))

    def tracks(self, number: str) -> list[Track]:
        answer = self._ok(*self.call("GET", f"{WAYBILLS_PATH}/{quote(number)}/tracks"))
        return [track_from(item) for item in answer.get("tracks") or []]

    def cancel(self, number: str) -> None:
        self._ok(*self.call("POST", f"{WAYBILLS_PATH}/{quote(number)}/cancel", {}))

    # --- the wire -------------------------------------------------------------------------

    def call(self, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        if not self.options.get("url"):
            raise RetryableError("快递接口未配置 / LOGISTICS_COURIER_URL is not set")
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        try:
            status, raw = httpclient.request(
                method,
                self.options["url"],
                path,
                body,
                app_key=self.options.get("customer_code", ""),
                secret=self.options.get("app_secret", ""),
                timeout=self.options.get("timeout", 5),
            )
        except httpclient.Unreachable as exc:
            raise RetryableError(exc.reason("快递接口无响应")) from exc.__cause__
        return status, httpclient.json_answer(raw)

    @staticmethod
    def _ok(status: int, answer: dict) -> dict:
        if status == 200 and answer.get("code") == "OK":
            return answer
        error = f"HTTP {status} {answer.get('code', '')} {answer.get('message', '')}".strip()
        if status >= 500 or status == 429:
            raise RetryableError(error)
        raise PermanentError(error)


def track_from(item: dict) -> Track:
    """A track from the courier's JSON (a push or an entry of the tracks list)."""
    return Track(
        event_id=str(item["event_id"]),
        sequence=int(item["sequence"]),
        code=str(item["code"]),
        description=str(item.get("description") or "")[:300],
        location=str(item.get("location") or "")[:100],
        at=str(item["at"]),
    )
