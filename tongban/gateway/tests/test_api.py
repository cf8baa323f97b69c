import datetime
import json

import pytest
import time_machine
from django.test import RequestFactory

from tongban.gateway import services
from tongban.gateway.idempotency import idempotent
from tongban.gateway.models import ApiClient, CallLog, IdempotencyRecord
from tongban.gateway.tests.factories import keyed_client, signed_get
from tongban.gateway.tests.test_auth import assert_error
from tongban.org.tests.factories import DepartmentFactory, MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/oauth/token"
PING = "/api/v1/gateway/ping"
STAFF = "/api/v1/org/staff"


def get_token(http, issued, **extra):
    form = {
        "grant_type": "client_credentials",
        "client_id": issued.key.key_id,
        "client_secret": issued.secret,
        **extra,
    }
    return http.post(TOKEN, form)


# OAuth2 client credentials


def test_a_client_exchanges_its_credentials_for_a_bearer_token(client):
    _, issued = keyed_client()

    body = get_token(client, issued).json()
    response = client.get(PING, headers={"Authorization": f"Bearer {body['access_token']}"})

    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "gateway:ping org:staff:read"
    assert response.status_code == 200


def test_a_token_carries_only_the_scopes_asked_for(client):
    _, issued = keyed_client()
    token = get_token(client, issued, scope="org:staff:read").json()["access_token"]

    response = client.get(PING, headers={"Authorization": f"Bearer {token}"})

    assert_error(response, 403, "forbidden")


def test_a_token_cannot_widen_the_clients_scopes(client):
    _, issued = keyed_client(scopes=["gateway:ping"])

    assert_error(get_token(client, issued, scope="org:staff:read"), 422, "invalid")


def test_a_wrong_client_secret_gets_no_token(client):
    _, issued = keyed_client()

    assert_error(get_token(client, issued, client_secret="wrong"), 401, "unauthenticated")


def test_an_expired_token_gets_401(client):
    _, issued = keyed_client()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        token = get_token(client, issued).json()["access_token"]
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, 1, tzinfo=datetime.UTC)):
        response = client.get(PING, headers={"Authorization": f"Bearer {token}"})

    assert "令牌" in assert_error(response, 401, "unauthenticated")["message"]


def test_revoking_the_key_ends_its_tokens(client):
    _, issued = keyed_client()
    token = get_token(client, issued).json()["access_token"]

    services.revoke_key("test", issued.key)

    response = client.get(PING, headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401, "unauthenticated")


# The call log


def test_every_call_is_logged_with_its_route_not_its_path(client):
    api, issued = keyed_client(scopes=["gateway:ping"], rate_limit=1)
    client.get("/api/v1/org/centers", {"level": "town"})  # public
    client.get(PING)  # 401
    signed_get(client, "/api/v1/gateway/whoami", issued)  # 200
    signed_get(client, STAFF, issued)  # 403
    signed_get(client, PING, issued)  # 429
    client.get("/api/v1/org/centers/12345/windows")  # 404

    calls = list(CallLog.objects.order_by("id"))

    assert [(c.route, c.status) for c in calls] == [
        ("/api/v1/org/centers", 200),
        ("/api/v1/gateway/ping", 401),
        ("/api/v1/gateway/whoami", 200),
        ("/api/v1/org/staff", 403),
        ("/api/v1/gateway/ping", 429),
        ("/api/v1/org/centers/<center_id>/windows", 404),
    ]
    assert [c.client_id for c in calls] == [None, None, api.pk, api.pk, api.pk, None]
    assert all(c.bytes_out > 0 and c.latency_ms >= 0 for c in calls)


def test_the_call_log_holds_no_personal_data(client):
    _, issued = keyed_client()
    signed_get(client, "/api/v1/gateway/whoami", issued, {"id_number": "610124199001011234"})
    client.get("/api/v1/items/610124199001011234")

    logged = json.dumps(list(CallLog.objects.values()), default=str)

    assert "610124199001011234" not in logged
    assert issued.secret not in logged


# A protected data API


def test_staff_are_listed_only_for_the_clients_departments(client):
    mine, other = DepartmentFactory(code="market"), DepartmentFactory(code="tax")
    MembershipFactory(department=mine, user=StaffFactory(first_name="张三"))
    MembershipFactory(department=other, user=StaffFactory(first_name="李四"))
    _, issued = keyed_client(department_codes=["market"])

    body = signed_get(client, STAFF, issued).json()

    assert [(s["name"], s["department_code"]) for s in body["items"]] == [("张三", "market")]
    assert body["items"][0]["role_label"] == "窗口人员"


def test_the_staff_list_is_paginated_by_cursor(client):
    department = DepartmentFactory()
    MembershipFactory.create_batch(3, department=department)
    _, issued = keyed_client(department_codes=[department.code])

    first = signed_get(client, STAFF, issued, {"limit": 2}).json()
    second = signed_get(client, STAFF, issued, {"limit": 2, "cursor": first["next_cursor"]})

    assert len(first["items"]) == 2
    assert len(second.json()["items"]) == 1
    assert second.json()["next_cursor"] is None


def test_the_staff_list_needs_the_internal_sensitivity_level(client):
    _, issued = keyed_client(max_sensitivity=1)

    assert_error(signed_get(client, STAFF, issued), 403, "forbidden")


def test_public_endpoints_stay_public(client):
    assert client.get("/api/v1/org/departments").status_code == 200
    assert client.get("/api/v1/items").status_code == 200


# Error shape


def test_an_unknown_api_path_answers_in_the_error_shape(client):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_a_wrong_method_answers_in_the_error_shape(client):
    response = client.delete("/api/v1/org/departments")

    assert_error(response, 405, "method_not_allowed")


def test_invalid_input_names_the_field(client):
    body = assert_error(client.get("/api/v1/org/departments", {"limit": 0}), 422, "invalid")

    assert list(body["fields"]) == ["limit"]


def test_an_unexpected_error_is_a_500_without_a_traceback(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("tongban.org.api.page", broken)

    response = client.get("/api/v1/org/departments")

    body = assert_error(response, 500, "server_error")
    assert "secret internals" not in response.text
    assert body["fields"] == {}


# Idempotency


def _post(body: dict):
    return RequestFactory().post(
        "/api/v1/things", data=json.dumps(body), content_type="application/json"
    )


def _create(name: str):
    def handler():
        created = services.create_client("test", name=name, scopes=[])
        return 201, {"id": created.pk, "name": created.name}

    return handler


def test_the_same_idempotency_key_gives_the_same_response_and_one_object():
    first = idempotent(_post({"name": "甲"}), "key-1", _create("甲"))
    again = idempotent(_post({"name": "甲"}), "key-1", _create("甲-重复"))

    assert again == first
    assert ApiClient.objects.count() == 1


def test_the_same_key_with_another_body_gets_422():
    idempotent(_post({"name": "甲"}), "key-1", _create("甲"))

    with pytest.raises(Exception) as raised:
        idempotent(_post({"name": "乙"}), "key-1", _create("乙"))

    assert raised.value.status == 422
    assert "幂等键" in raised.value.message
    assert ApiClient.objects.count() == 1


def test_different_callers_may_use_the_same_key():
    idempotent(_post({"name": "甲"}), "key-1", _create("甲"))
    request = _post({"name": "甲"})
    request.user = StaffFactory()

    idempotent(request, "key-1", _create("甲2"))

    assert ApiClient.objects.count() == 2


def test_a_concurrent_duplicate_rolls_back_and_answers_with_the_first_response(monkeypatch):
    first = idempotent(_post({"name": "甲"}), "key-1", _create("甲"))
    real = IdempotencyRecord.objects
    lookups = []

    class LateToSee:
        """The loser's first look finds nothing: the winner had not committed yet."""

        def filter(self, **kwargs):
            lookups.append(kwargs)
            return real.none() if len(lookups) == 1 else real.filter(**kwargs)

        def create(self, **kwargs):
            return real.create(**kwargs)

    monkeypatch.setattr(IdempotencyRecord, "objects", LateToSee())

    again = idempotent(_post({"name": "甲"}), "key-1", _create("甲-落后"))

    assert again == first
    assert list(ApiClient.objects.values_list("name", flat=True)) == ["甲"]
