"""Payment channels by name. Adding one is one class with ``@register("type")``; settings choose.

``settings.PAYMENTS_PROVIDERS[name]["type"]`` names the class; ``PAYMENTS_PROVIDER`` names the
channel new orders are billed through (an order keeps the channel it was opened with).
"""

from django.conf import settings

from tongban.core.plugins import Registry
from tongban.payments.providers.base import Provider

BUILT_IN = ("channel_http", "sandbox")
_registry = Registry(
    "PAYMENTS_PROVIDERS", "tongban.payments.providers", BUILT_IN, "payments provider"
)
register = _registry.register


def get(name: str) -> Provider:
    return _registry.get(name)


def known(name: str) -> bool:
    return name in settings.PAYMENTS_PROVIDERS


def default() -> Provider:
    """The channel new orders are opened with."""
    return get(settings.PAYMENTS_PROVIDER)
