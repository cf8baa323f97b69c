"""Couriers by name. Adding one is one class with ``@register("name")``; settings choose.

``settings.LOGISTICS_PROVIDERS[name]["type"]`` names the class; ``LOGISTICS_PROVIDER``
names the courier new waybills go to (a waybill keeps the courier it was booked with).
"""

import importlib

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tongban.logistics.providers.base import CourierProvider

BUILT_IN = ("courier_http", "sandbox")
_providers: dict[str, type[CourierProvider]] = {}


def register(name: str):
    def add(cls):
        _providers[name] = cls
        return cls

    return add


def get(name: str | None = None) -> CourierProvider:
    _load_built_in()
    name = name or settings.LOGISTICS_PROVIDER
    try:
        options = settings.LOGISTICS_PROVIDERS[name]
        cls = _providers[options.get("type", name)]
    except KeyError as exc:
        raise ImproperlyConfigured(f"unknown courier {name!r}") from exc
    return cls(name, options)


def options(name: str) -> dict:
    """The settings of courier ``name`` ({} when there is none)."""
    return settings.LOGISTICS_PROVIDERS.get(name) or {}


def _load_built_in() -> None:
    for module in BUILT_IN:
        importlib.import_module(f"tongban.logistics.providers.{module}")
