"""Providers by name; ``SIGNING_PROVIDER`` picks one."""

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tongban.signing.providers.base import SigningProvider

_providers: dict[str, type[SigningProvider]] = {}


def register(name: str):
    def add(cls: type[SigningProvider]) -> type[SigningProvider]:
        cls.name = name
        _providers[name] = cls
        return cls

    return add


def get(name: str | None = None) -> SigningProvider:
    return _instance(name or settings.SIGNING_PROVIDER)


def names() -> list[str]:
    _load()
    return sorted(_providers)


@cache
def _instance(name: str) -> SigningProvider:
    _load()
    if name not in _providers:
        raise ImproperlyConfigured(f"SIGNING_PROVIDER must be one of {sorted(_providers)}")
    return _providers[name]()


def _load() -> None:
    from tongban.signing.providers import local  # noqa: F401
