"""Delivery providers: one module, one class each, registered by name (registry.py)."""

from tongban.notify.providers.base import PermanentError, Provider, ProviderError, RetryableError

__all__ = ["PermanentError", "Provider", "ProviderError", "RetryableError"]
