"""Couriers: one module, one class each, registered by name (registry.py)."""

from tongban.logistics.providers.base import (
    CourierProvider,
    PermanentError,
    ProviderError,
    RetryableError,
)

__all__ = ["CourierProvider", "PermanentError", "ProviderError", "RetryableError"]
