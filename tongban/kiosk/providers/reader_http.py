"""A client for the terminal's card reader service (signed JSON over HTTP on the terminal).

    GET {reader_url}/v1/card → 200 {"code": "OK", "card": {"read_id", "name", "id_number"}}
                             | 200 {"code": "NO_CARD"}
                             | 401 {"code": "SIGNATURE_INVALID"}

Requests are signed (``tongban.core.httpsign``): AppKey is the terminal's code, the secret its
shared key (``KioskTerminal.reader_secret``).
"""

from tongban.core import httpclient
from tongban.kiosk.providers.base import Card, CardReader, ReaderError
from tongban.kiosk.providers.registry import register

CARD_PATH = "/v1/card"


@register("reader_http")
class HttpCardReader(CardReader):
    def read(self, terminal) -> Card | None:
        url, secret = self.endpoint(terminal)
        if not url:
            raise ReaderError("读卡器服务地址未配置 / the terminal has no reader_url")
        try:
            status, raw = httpclient.request(
                "GET",
                url,
                CARD_PATH,
                app_key=terminal.code,
                secret=secret,
                timeout=self.options.get("timeout", 3),
            )
        except httpclient.Unreachable as exc:
            raise ReaderError(exc.reason("读卡器无响应")) from exc.__cause__
        answer = httpclient.json_answer(raw)
        if status != 200:
            raise ReaderError(f"HTTP {status} {answer.get('code', '')} {answer.get('message', '')}")
        if answer.get("code") == "NO_CARD":
            return None
        card = answer.get("card") or {}
        if answer.get("code") != "OK" or not card.get("id_number") or not card.get("read_id"):
            raise ReaderError(f"读卡器应答不正确 / unexpected answer {answer.get('code', '')}")
        return Card(
            read_id=str(card["read_id"])[:64],
            name=str(card.get("name") or "")[:50],
            id_number=str(card["id_number"])[:18],
        )

    def endpoint(self, terminal) -> tuple[str, str]:
        """The reader's address and the key requests are signed with."""
        return terminal.reader_url, str(terminal.reader_secret)
