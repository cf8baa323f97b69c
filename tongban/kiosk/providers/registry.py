"""Card readers by name. Adding one is one class with ``@register("name")``; settings choose.

``settings.KIOSK_READER_PROVIDERS[name]["type"]`` names the class; ``KIOSK_READER_PROVIDER``
names the reader every terminal is asked through.
"""

from django.conf import settings

from tongban.core.plugins import Registry
from tongban.kiosk.providers.base import CardReader

BUILT_IN = ("reader_http", "sandbox")
_registry = Registry("KIOSK_READER_PROVIDERS", "tongban.kiosk.providers", BUILT_IN, "card reader")
register = _registry.register


def get(name: str | None = None) -> CardReader:
    return _registry.get(name or settings.KIOSK_READER_PROVIDER)
