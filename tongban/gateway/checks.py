"""Refuse to run in production without the key that encrypts API key secrets."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def gateway_secret_key(app_configs, **kwargs):
    if getattr(settings, "PRODUCTION", False) and not settings.GATEWAY_SECRET_KEY:
        return [
            Error(
                "GATEWAY_SECRET_KEY must be set when TONGBAN_ENV=production",
                hint="base64 of 32 random bytes: python -c 'import os,base64;"
                "print(base64.b64encode(os.urandom(32)).decode())'",
                id="gateway.E001",
            )
        ]
    return []
