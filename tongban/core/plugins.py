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


def production_errors(app: str, names: tuple[str, str], options: dict, *, required, hint):
    """System-check errors for the provider production uses: never a sandbox (``<app>.E002``),
    never one missing a ``required`` option (``<app>.E001``). ``names``: the sandbox's and the
    real provider's Chinese names, e.g. ``("短信沙箱", "短信网关")``."""
    from django.core import checks

    if not settings.PRODUCTION:
        return []
    sandbox, real = names
    if options.get("type") == "sandbox":
        message = f"生产环境不能使用{sandbox} / a sandbox in production"
        return [checks.Error(message, hint=hint, id=f"{app}.E002")]
    if not all(options.get(key) for key in required):
        message = f"{real}未配置 / the {app} provider is not configured"
        return [checks.Error(message, hint=hint, id=f"{app}.E001")]
    return []
