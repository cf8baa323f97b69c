"""The client's address behind the reverse proxy (core/middleware.py)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tongban.audit.models import AuditRecord
from tongban.core.middleware import ClientAddressMiddleware


def seen(request) -> str:
    return ClientAddressMiddleware(lambda r: r.META["REMOTE_ADDR"])(request)


@pytest.fixture
def proxied(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]


def request(peer: str, real_ip: str | None = None):
    headers = {"HTTP_X_REAL_IP": real_ip} if real_ip is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **headers)


def test_a_trusted_proxy_names_the_client(proxied):
    assert seen(request("127.0.0.1", "203.0.113.7")) == "203.0.113.7"
    assert seen(request("10.1.2.3", "2001:db8::1")) == "2001:db8::1"


def test_a_client_reaching_the_app_directly_cannot_choose_its_address(proxied):
    assert seen(request("198.51.100.9", "203.0.113.7")) == "198.51.100.9"


def test_a_header_that_is_not_an_address_is_ignored(proxied):
    assert seen(request("127.0.0.1", "203.0.113.7, 10.0.0.1")) == "127.0.0.1"
    assert seen(request("127.0.0.1", "")) == "127.0.0.1"


def test_without_trusted_proxies_the_socket_peer_stays(settings):
    settings.TRUSTED_PROXIES = []
    assert seen(request("127.0.0.1", "203.0.113.7")) == "127.0.0.1"


@pytest.mark.django_db
def test_behind_the_proxy_each_client_has_its_own_sign_in_budget(client, settings):
    """Through the middleware stack: the per-address limit counts clients, not nginx."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.IDENTITY_FAILURES_PER_ADDRESS = 2
    login = reverse("admin:login")
    guess = {"username": "guess", "password": "x", "otp_token": ""}
    for _ in range(2):
        client.post(login, guess, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")

    refused = client.post(login, guess, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    other = client.post(login, guess, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.8")

    assert "该网络地址登录失败次数过多" in refused.content.decode()
    assert "该网络地址登录失败次数过多" not in other.content.decode()
    record = AuditRecord.objects.get(action="identity.signin.address_block")
    assert record.object_id == "203.0.113.7"
