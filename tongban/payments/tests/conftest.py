"""The sandbox payment service on a free loopback port, and the settings that point at it.

``payment_sandbox`` delivers its notices through Django's test client in the test's own
thread and transaction (``notices.deliveries`` keeps each answer); ``live_sandbox`` posts
them over real HTTP to ``live_server``.
"""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from tongban.payments.providers.sandbox import Sandbox
from tongban.payments.tests.factories import case_at_payment


def _point_at(settings, service: Sandbox, public_url: str) -> None:
    config = settings.PAYMENTS_PROVIDERS["sandbox"]
    settings.PAYMENTS_PROVIDERS = {
        **settings.PAYMENTS_PROVIDERS,
        "sandbox": {**config, "url": service.url, "timeout": 2.0},
    }
    settings.PAYMENTS_PROVIDER = "sandbox"
    settings.PAYMENTS_PUBLIC_URL = public_url


def client_delivery(url: str, headers: dict, body: bytes) -> int:
    """Post a notice through the test client (the same thread and database transaction)."""
    sent = {key: value for key, value in headers.items() if key != "Content-Type"}
    response = Client().post(
        urlsplit(url).path, data=body, content_type="application/json", headers=sent
    )
    return response.status_code


@pytest.fixture
def payment_sandbox(settings):
    config = settings.PAYMENTS_PROVIDERS["sandbox"]
    service = Sandbox(config["merchant_id"], config["app_secret"], deliver=client_delivery)
    service.start()
    _point_at(settings, service, "http://testserver")
    yield service
    service.stop()


@pytest.fixture
def live_sandbox(settings, live_server):
    config = settings.PAYMENTS_PROVIDERS["sandbox"]
    service = Sandbox(config["merchant_id"], config["app_secret"]).start()
    _point_at(settings, service, live_server.url)
    yield service
    service.stop()


@pytest.fixture
def waiting(db, payment_sandbox):
    """A case at 缴费 and its order: ``(case, clerk, order)``."""
    from tongban.payments import services

    case, clerk = case_at_payment()
    return case, clerk, services.order_for(case)
