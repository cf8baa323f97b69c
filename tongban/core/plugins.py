"""Provider classes by name, chosen in settings: the shape every pluggable outside system
(notify, payments, logistics) shares, so adding a provider is one ``@register`` class.

``settings.<setting>[name]`` holds a provider's options; its ``"type"`` (default: the name)
names the registered class, built as ``cls(name, options)``.
"""

import importlib

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class Registry:
    def __init__(self, setting: str, package: str, built_in: tuple[str, ...], label: str):
        self.setting, self.package, self.built_in, self.label = setting, package, built_in, label
        self.classes: dict[str, type] = {}

    def register(self, name: str):
        """A class decorator filing the class under ``name``."""

        def add(cls):
            self.classes[name] = cls
            return cls

        return add

    def get(self, name: str):
        """Provider ``name`` as configured; ImproperlyConfigured when unknown."""
        # Imported late: the built-in modules import their registry to register themselves.
        for module in self.built_in:
            importlib.import_module(f"{self.package}.{module}")
        try:
            options = getattr(settings, self.setting)[name]
            cls = self.classes[options.get("type", name)]
        except KeyError as exc:
            raise ImproperlyConfigured(f"unknown {self.label} {name!r}") from exc
        return cls(name, options)
