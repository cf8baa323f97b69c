"""Providers by name. Adding one is one class with ``@register("name")``; settings choose.

``settings.NOTIFY_PROVIDERS[name]["type"]`` names the class; ``NOTIFY_CHANNEL_PROVIDERS``
names the provider serving each channel.
"""

from django.conf import settings

from tongban.core.plugins import Registry
from tongban.notify.providers.base import Provider

BUILT_IN = ("email", "sms_http", "sandbox")
_registry = Registry("NOTIFY_PROVIDERS", "tongban.notify.providers", BUILT_IN, "notify provider")
register = _registry.register


def get(name: str) -> Provider:
    return _registry.get(name)


def for_channel(channel: str) -> str:
    """The name of the provider that serves ``channel``."""
    return settings.NOTIFY_CHANNEL_PROVIDERS[channel]
