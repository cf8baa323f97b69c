"""What a courier is: book a waybill, book a pickup, read its tracks, cancel it.

Every provider speaks in these shapes; ``services`` never sees a courier's own format.
"""

from dataclasses import dataclass, field


class ProviderError(Exception):
    retryable = True


class RetryableError(ProviderError):
    """The courier is down, slow or busy: try again later (the waybill stays created)."""


class PermanentError(ProviderError):
    """The courier refused this request (bad address, already picked up): retrying won't help."""

    retryable = False


@dataclass(frozen=True)
class Shipment:
    reference: str
    kind: str  # delivery or collection
    sender: dict  # name, phone, province, city, county, detail
    recipient: dict
    # Who pays: "sender" (the county's monthly account, or the applicant at the door) or
    # "recipient" (到付).
    payer: str
    callback_url: str
    cargo: str = "政务文书"


@dataclass(frozen=True)
class Booking:
    number: str
    cost_fen: int
    duplicate: bool = False


@dataclass(frozen=True)
class Track:
    event_id: str
    sequence: int
    code: str
    description: str
    location: str
    at: str  # ISO 8601 with its offset
    extra: dict = field(default_factory=dict)


class CourierProvider:
    def __init__(self, name: str, options: dict):
        self.name = name
        self.options = options

    def book(self, shipment: Shipment) -> Booking:
        raise NotImplementedError

    def book_pickup(self, number: str, *, start: str, end: str, address: dict) -> str:
        """Book the courier's visit to ``address`` between ``start`` and ``end``; an id."""
        raise NotImplementedError

    def tracks(self, number: str) -> list[Track]:
        raise NotImplementedError

    def cancel(self, number: str) -> None:
        raise NotImplementedError
