import datetime
import time

import pytest
import time_machine
from django.core.cache import caches
from django.test import override_settings

from tongban.gateway import services
from tongban.gateway.client import sign
from tongban.gateway.models import ApiKey
from tongban.gateway.tests.factories import keyed_client, signed_get

pytestmark = pytest.mark.django_db
PING = "/api/v1/gateway/ping"
WHOAMI = "/api/v1/gateway/whoami"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "message_en", "fields"}
    assert body["code"] == code
    assert any("\u4e00" <= char <= "\u9fff" for char in body["message"])
    return body


def test_a_signed_request_is_answered(client):
    _, issued = keyed_client()

    response = signed_get(client, PING, issued)

    assert response.status_code == 200
    assert response.json()["pong"] is True


def test_whoami_names_the_client_and_its_scopes(client):
    _, issued = keyed_client(name="县市场监管业务系统")

    body = signed_get(client, WHOAMI, issued).json()

    assert body["client"] == "县市场监管业务系统"
    assert body["key_id"] == issued.key.key_id
    assert body["scopes"] == ["gateway:ping", "org:staff:read"]


def test_the_query_string_is_signed_in_any_order(client):
    _, issued = keyed_client()
    headers = sign("GET", WHOAMI, key_id=issued.key.key_id, secret=issued.secret, query="b=2&a=1")

    response = client.get(f"{WHOAMI}?a=1&b=2", headers=headers)

    assert response.status_code == 200


def test_a_request_without_credentials_gets_401(client):
    assert_error(client.get(PING), 401, "unauthenticated")


def test_a_bad_signature_gets_401(client):
    _, issued = keyed_client()
    headers = sign("GET", PING, key_id=issued.key.key_id, secret="not-the-secret")

    body = assert_error(client.get(PING, headers=headers), 401, "unauthenticated")

    assert body["message"] == "请求签名无效"


def test_a_signature_for_another_path_gets_401(client):
    _, issued = keyed_client()
    headers = sign("GET", WHOAMI, key_id=issued.key.key_id, secret=issued.secret)

    assert_error(client.get(PING, headers=headers), 401, "unauthenticated")


def test_a_replayed_nonce_gets_401(client):
    _, issued = keyed_client()
    headers = sign("GET", PING, key_id=issued.key.key_id, secret=issued.secret)

    assert client.get(PING, headers=headers).status_code == 200
    body = assert_error(client.get(PING, headers=headers), 401, "unauthenticated")

    assert "重放" in body["message"]


def test_a_stale_timestamp_gets_401(client):
    _, issued = keyed_client()

    response = signed_get(client, PING, issued, timestamp=int(time.time()) - 301)

    assert "时间戳" in assert_error(response, 401, "unauthenticated")["message"]


def test_a_timestamp_from_the_future_gets_401(client):
    _, issued = keyed_client()

    response = signed_get(client, PING, issued, timestamp=int(time.time()) + 301)

    assert_error(response, 401, "unauthenticated")


def test_an_unknown_key_gets_401(client):
    headers = sign("GET", PING, key_id="tbk_nobody", secret="x")

    assert_error(client.get(PING, headers=headers), 401, "unauthenticated")


def test_a_revoked_key_gets_401(client):
    _, issued = keyed_client()
    services.revoke_key("test", issued.key)

    assert_error(signed_get(client, PING, issued), 401, "unauthenticated")


def test_an_inactive_client_gets_401(client):
    api, issued = keyed_client()
    api.is_active = False
    api.save()

    assert_error(signed_get(client, PING, issued), 401, "unauthenticated")


def test_a_rotated_key_works_until_the_overlap_deadline(client):
    _, old = keyed_client()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        new = services.rotate_key("test", old.key, overlap=datetime.timedelta(hours=24))
        assert signed_get(client, PING, old).status_code == 200
        assert signed_get(client, PING, new).status_code == 200
    with time_machine.travel(datetime.datetime(2026, 3, 3, 9, 0, 1, tzinfo=datetime.UTC)):
        assert_error(signed_get(client, PING, old), 401, "unauthenticated")
        assert signed_get(client, PING, new).status_code == 200


def test_the_secret_is_stored_encrypted(client):
    _, issued = keyed_client()

    stored = bytes(ApiKey.objects.get(pk=issued.key.pk).secret_encrypted)

    assert issued.secret.encode() not in stored
    assert services.secret_of(issued.key) == issued.secret


def test_a_client_without_the_scope_gets_403(client):
    _, issued = keyed_client(scopes=["org:staff:read"])

    body = assert_error(signed_get(client, PING, issued), 403, "forbidden")

    assert "gateway:ping" in body["message"]


def test_a_client_over_its_rate_limit_gets_429_with_retry_after(client):
    _, issued = keyed_client(rate_limit=3)
    for _ in range(3):
        assert signed_get(client, PING, issued).status_code == 200

    response = signed_get(client, PING, issued)

    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_the_rate_limit_resets_in_the_next_minute(client):
    _, issued = keyed_client(rate_limit=1)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, 30, tzinfo=datetime.UTC)):
        assert signed_get(client, PING, issued).status_code == 200
        response = signed_get(client, PING, issued)
        assert response.status_code == 429
        assert response["Retry-After"] == "30"
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 1, 1, tzinfo=datetime.UTC)):
        assert signed_get(client, PING, issued).status_code == 200


def _redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=0.5).ping())
    except Exception:
        return False


@pytest.mark.skipif(not _redis_available(), reason="no Redis at 127.0.0.1:6379")
def test_rate_limits_and_nonces_work_on_redis(client):
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": "tongban-test-gateway",
        }
    }
    with override_settings(CACHES=redis_cache):
        caches["default"].clear()
        try:
            _, issued = keyed_client(rate_limit=2)
            headers = sign("GET", PING, key_id=issued.key.key_id, secret=issued.secret)
            assert client.get(PING, headers=headers).status_code == 200
            assert client.get(PING, headers=headers).status_code == 401
            assert signed_get(client, PING, issued).status_code == 200
            assert signed_get(client, PING, issued).status_code == 429
        finally:
            caches["default"].clear()
