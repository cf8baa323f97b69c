"""Couriers by name. Adding one is one class with ``@register("name")``; settings choose.

``settings.LOGISTICS_PROVIDERS[name]["type"]`` names the class; ``LOGISTICS_PROVIDER``
names the courier new waybills go to (a waybill keeps the courier it was booked with).
"""

from django.conf import settings

from tongban.core.plugins import Registry
from tongban.logistics.providers.base import CourierProvider

BUILT_IN = ("courier_http", "sandbox")
_registry = Registry("LOGISTICS_PROVIDERS", "tongban.logistics.providers", BUILT_IN, "courier")
register = _registry.register


def get(name: str | None = None) -> CourierProvider:
    return _registry.get(name or settings.LOGISTICS_PROVIDER)


def options(name: str) -> dict:
    """The settings of courier ``name`` ({} when there is none)."""
    return settings.LOGISTICS_PROVIDERS.get(name) or {}
