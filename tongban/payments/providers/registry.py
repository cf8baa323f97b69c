"""Payment channels by name. Adding one is one class with ``@register("type")``; settings choose.

``settings.PAYMENTS_PROVIDERS[name]["type"]`` names the class; ``PAYMENTS_PROVIDER`` names the
channel new orders are billed through (an order keeps the channel it was opened with).
"""

import importlib

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tongban.payments.providers.base import Provider

BUILT_IN = ("channel_http", "sandbox")
_providers: dict[str, type[Provider]] = {}


def register(name: str):
    def add(cls):
        _providers[name] = cls
        return cls

    return add


def get(name: str) -> Provider:
    _load_built_in()
    try:
        options = settings.PAYMENTS_PROVIDERS[name]
        cls = _providers[options.get("type", name)]
    except KeyError as exc:
        raise ImproperlyConfigured(f"unknown payments provider {name!r}") from exc
    return cls(name, options)


def known(name: str) -> bool:
    return name in settings.PAYMENTS_PROVIDERS


def default() -> Provider:
    """The channel new orders are opened with."""
    return get(settings.PAYMENTS_PROVIDER)


def _load_built_in() -> None:
    for module in BUILT_IN:
        importlib.import_module(f"tongban.payments.providers.{module}")
