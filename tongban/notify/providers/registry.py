"""Providers by name. Adding one is one class with ``@register("name")``; settings choose.

``settings.NOTIFY_PROVIDERS[name]["type"]`` names the class; ``NOTIFY_CHANNEL_PROVIDERS``
names the provider serving each channel.
"""

import importlib

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tongban.notify.providers.base import Provider

BUILT_IN = ("email", "sms_http", "sandbox")
_providers: dict[str, type[Provider]] = {}


def register(name: str):
    def add(cls):
        _providers[name] = cls
        return cls

    return add


def get(name: str) -> Provider:
    _load_built_in()
    try:
        options = settings.NOTIFY_PROVIDERS[name]
        cls = _providers[options.get("type", name)]
    except KeyError as exc:
        raise ImproperlyConfigured(f"unknown notify provider {name!r}") from exc
    return cls(name, options)


def for_channel(channel: str) -> str:
    """The name of the provider that serves ``channel``."""
    return settings.NOTIFY_CHANNEL_PROVIDERS[channel]


def _load_built_in() -> None:
    for module in BUILT_IN:
        importlib.import_module(f"tongban.notify.providers.{module}")
