"""The provider registry: settings pick a registered class by type, or fail loudly."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tongban.core.plugins import Registry


def test_a_configured_provider_is_built_with_its_name_and_options(settings):
    settings.DEMO_PROVIDERS = {"main": {"type": "fake", "url": "http://x"}, "fake": {}}
    registry = Registry("DEMO_PROVIDERS", "tongban.core", ("clock",), "demo provider")

    @registry.register("fake")
    class Fake:
        def __init__(self, name, options):
            self.name, self.options = name, options

    main = registry.get("main")
    assert isinstance(main, Fake) and main.name == "main" and main.options["url"] == "http://x"
    assert registry.get("fake").name == "fake"  # the type defaults to the name


def test_an_unknown_name_or_type_is_improperly_configured(settings):
    settings.DEMO_PROVIDERS = {"odd": {"type": "missing"}}
    registry = Registry("DEMO_PROVIDERS", "tongban.core", (), "demo provider")
    with pytest.raises(ImproperlyConfigured, match="unknown demo provider 'nobody'"):
        registry.get("nobody")
    with pytest.raises(ImproperlyConfigured, match="'odd'"):
        registry.get("odd")
