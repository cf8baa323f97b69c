"""The sandbox courier on a free loopback port, and the settings that point at it."""

import pytest

from tongban.logistics.providers.sandbox import Sandbox


@pytest.fixture
def courier(settings):
    config = settings.LOGISTICS_PROVIDERS["sandbox"]
    service = Sandbox(config["customer_code"], config["app_secret"]).start()
    settings.LOGISTICS_PROVIDER = "sandbox"
    settings.LOGISTICS_PROVIDERS = {
        **settings.LOGISTICS_PROVIDERS,
        "sandbox": {**config, "url": service.url, "timeout": 2.0},
    }
    settings.LOGISTICS_COUNTY_PAYS = True
    yield service
    service.stop()


courier_sandbox = courier
