"""Failure limits per client address (tongban/identity/throttles.py): one address trying
many staff usernames, asking SMS codes for many phones, guessing codes, the OIDC token
endpoint and the gateway's signatures; the failure that blocks is audited."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tongban.audit.models import AuditRecord
from tongban.errors import RateLimited
from tongban.gateway.client import sign
from tongban.gateway.tests.factories import keyed_client
from tongban.identity import accounts
from tongban.identity.tests.helpers import totp_device_for
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import PASSWORD, staff_with_role

pytestmark = pytest.mark.django_db
LIMIT = 3


@pytest.fixture(autouse=True)
def low_limits(settings):
    settings.IDENTITY_FAILURES_PER_ADDRESS = LIMIT
    settings.IDENTITY_CODES_PER_ADDRESS = LIMIT


def _address(n: int) -> str:
    """A fresh documentation address per test: counters are per address and window."""
    return f"198.51.100.{n}"


def _blocks(scope_action: str, address: str) -> int:
    return AuditRecord.objects.filter(action=scope_action, object_id=address).count()


def test_one_address_trying_many_staff_usernames_is_refused_then_audited(client):
    address = _address(11)
    login = reverse("admin:login")
    for n in range(LIMIT):
        client.post(
            login, {"username": f"guess{n}", "password": "x", "otp_token": ""}, REMOTE_ADDR=address
        )
    staff = staff_with_role(StaffMembership.Role.SYSTEM_ADMIN)
    totp_device_for(staff)

    refused = client.post(
        login, {"username": staff.username, "password": PASSWORD}, REMOTE_ADDR=address
    )
    elsewhere = client.post(
        login, {"username": staff.username, "password": PASSWORD}, REMOTE_ADDR=_address(12)
    )

    assert "该网络地址登录失败次数过多" in refused.content.decode()
    assert "该网络地址登录失败次数过多" not in elsewhere.content.decode()
    assert _blocks("identity.signin.address_block", address) == 1


def test_one_address_asking_codes_for_many_phones_is_refused():
    request = RequestFactory().post("/login/", REMOTE_ADDR=_address(21))
    for n in range(LIMIT):
        accounts.send_code(f"1391234560{n}", request=request)

    with pytest.raises(RateLimited) as refused:
        accounts.send_code("13912345699", request=request)
    assert "获取验证码次数过多" in refused.value.message


def test_wrong_codes_on_many_phones_block_the_address():
    request = RequestFactory().post("/login/", REMOTE_ADDR=_address(31))
    for n in range(LIMIT):
        phone = f"1381234560{n}"
        accounts.send_code(phone)
        with pytest.raises(accounts.InvalidInput):
            accounts.sign_in_with_code(phone, "000000" if n else "999999", request=request)

    accounts.send_code("13812345699")
    with pytest.raises(RateLimited):
        accounts.sign_in_with_code("13812345699", "123456", request=request)
    assert _blocks("identity.signin.address_block", _address(31)) == 1


def test_the_oidc_token_endpoint_refuses_an_address_that_keeps_failing(client):
    address = _address(41)
    form = {"grant_type": "authorization_code", "code": "nope", "client_id": "nobody"}
    answers = [
        client.post("/oidc/token/", form, REMOTE_ADDR=address).status_code for _ in range(LIMIT)
    ]

    refused = client.post("/oidc/token/", form, REMOTE_ADDR=address)

    assert set(answers) <= {400, 401}
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["error"] == "slow_down"
    assert _blocks("identity.oidc.address_block", address) == 1


def test_the_gateway_refuses_an_address_sending_bad_signatures(client):
    address = _address(51)
    _, issued = keyed_client()
    ping = "/api/v1/gateway/ping"
    for _ in range(LIMIT):
        headers = sign("GET", ping, key_id=issued.key.key_id, secret="not-the-secret")
        assert client.get(ping, headers=headers, REMOTE_ADDR=address).status_code == 401

    good = sign("GET", ping, key_id=issued.key.key_id, secret=issued.secret)
    refused = client.get(ping, headers=good, REMOTE_ADDR=address)

    assert refused.status_code == 429
    assert client.get(ping, headers=good, REMOTE_ADDR=_address(52)).status_code == 200
    assert _blocks("gateway.auth.address_block", address) == 1


def test_the_gateway_token_endpoint_counts_wrong_client_secrets(client):
    address = _address(61)
    _, issued = keyed_client()
    form = {
        "grant_type": "client_credentials",
        "client_id": issued.key.key_id,
        "client_secret": "wrong",
    }
    token = "/api/v1/oauth/token"
    for _ in range(LIMIT):
        assert client.post(token, form, REMOTE_ADDR=address).status_code == 401

    assert client.post(token, form, REMOTE_ADDR=address).status_code == 429
