"""System checks: production needs its own key-encryption secret and a known provider."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def signing_settings(app_configs, **kwargs):
    from tongban.signing import keystore
    from tongban.signing.providers import registry

    errors = []
    if settings.SIGNING_PROVIDER not in registry.names():
        errors.append(
            Error(
                f"SIGNING_PROVIDER must be one of {registry.names()}",
                id="signing.E001",
            )
        )
    if settings.SIGNING_PROVIDER == "local":
        try:
            keystore.secret()
        except ImproperlyConfigured as exc:
            errors.append(Error(str(exc), id="signing.E002"))
    return errors
