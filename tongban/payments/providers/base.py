"""What a payment channel is to the platform: six calls and one kind of notice.

A provider is a registered class (``registry``) configured by ``settings.PAYMENTS_PROVIDERS``.
Every amount is fen (int). ``RetryableError``: the channel is down or slow, try again later
(nothing is lost: the order stays as it was). ``PermanentError``: the channel refused.
``BadSignature``: a notice or answer whose signature does not verify; it is never applied.
"""

import datetime
from dataclasses import dataclass, field


class ChannelError(Exception):
    retryable = True


class RetryableError(ChannelError):
    """The channel is down, slow or busy."""


class PermanentError(ChannelError):
    retryable = False


class BadSignature(ChannelError):
    retryable = False


@dataclass(frozen=True)
class OrderRequest:
    """统一下单: what the platform asks the channel to bill."""

    number: str  # the platform's order number (商户订单号), the channel's idempotency key
    amount: int  # fen
    subject: str  # e.g. "居民身份证丢失补领 ZZ2026...(办件编号)"
    payer_name: str
    department_code: str  # 执收单位
    items: list[dict]  # [{"code", "name", "amount"}]
    notify_url: str  # where the channel posts its signed notices
    return_url: str  # where the pay page sends the person back
    expires_at: datetime.datetime


@dataclass(frozen=True)
class OrderAnswer:
    channel_order_id: str
    pay_code: str  # 缴款码
    pay_url: str


@dataclass(frozen=True)
class PaymentState:
    """What the channel knows of an order (query, or a notice)."""

    number: str
    channel_order_id: str
    status: str  # one of PaymentOrder.Status: paying, paid, failed, closed
    amount: int | None = None  # fen actually paid, when paid
    paid_at: datetime.datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class RefundAnswer:
    refund_number: str
    channel_refund_id: str
    status: str  # "refunded", "processing" or "failed"
    reason: str = ""


@dataclass(frozen=True)
class Notice:
    """A verified asynchronous notice. ``sequence`` orders notices of one order (the
    channel's event time in ms): an older one never overrides a newer one."""

    event_id: str
    event: str  # "payment.paid", "payment.failed", "payment.closed", "refund.refunded", ...
    state: PaymentState | None = None
    refund: RefundAnswer | None = None
    sequence: int = 0
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StatementLine:
    """One line of a daily statement: a payment (positive) or a refund (negative)."""

    number: str
    channel_order_id: str
    kind: str  # "payment" or "refund"
    amount: int  # fen, as the channel settled it (refunds positive, kind tells)
    at: datetime.datetime
    refund_number: str = ""


class Provider:
    def __init__(self, name: str, options: dict):
        self.name = name
        self.options = options

    def create_order(self, request: OrderRequest) -> OrderAnswer:
        raise NotImplementedError

    def query(self, number: str) -> PaymentState:
        raise NotImplementedError

    def close(self, number: str) -> PaymentState:
        raise NotImplementedError

    def refund(self, number: str, refund_number: str, amount: int, reason: str) -> RefundAnswer:
        raise NotImplementedError

    def statement(self, date: datetime.date) -> tuple[str, list[StatementLine]]:
        """The day's statement file as downloaded (text, kept) and its parsed lines."""
        raise NotImplementedError

    def parse_notice(self, headers: dict, body: bytes) -> Notice:
        """Verify and read a notice; raise ``BadSignature`` or ``PermanentError`` (malformed)."""
        raise NotImplementedError
