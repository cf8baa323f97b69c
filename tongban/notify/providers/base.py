"""What a provider is: ``send`` one message and return the provider's message id."""

from dataclasses import dataclass


class ProviderError(Exception):
    retryable = True


class RetryableError(ProviderError):
    """The provider is down, slow or busy: try again later."""


class PermanentError(ProviderError):
    """The provider refused this message (bad number, bad credentials): retrying won't help."""

    retryable = False


@dataclass(frozen=True)
class Outgoing:
    address: str
    subject: str
    body: str
    template: str
    client_msg_id: str


class Provider:
    channel = ""

    def __init__(self, name: str, options: dict):
        self.name = name
        self.options = options

    def send(self, message: Outgoing) -> str:
        raise NotImplementedError
