"""Test data for the gateway: clients with keys, and signed requests through the test client."""

from urllib.parse import urlencode

from tongban.gateway import services
from tongban.gateway.client import sign
from tongban.gateway.models import ApiClient

ALL_SCOPES = ["gateway:ping", "org:staff:read"]


def api_client(**overrides) -> ApiClient:
    values = {
        "name": f"测试接入系统{ApiClient.objects.count() + 1}",
        "scopes": ALL_SCOPES,
        "department_codes": ["*"],
        "max_sensitivity": 2,
        "rate_limit": 100,
        **overrides,
    }
    return services.create_client("test", **values)


def keyed_client(**overrides) -> tuple[ApiClient, services.IssuedKey]:
    client = api_client(**overrides)
    return client, services.issue_key("test", client)


def signed_get(http, path: str, issued: services.IssuedKey, params: dict | None = None, **kw):
    query = urlencode(params or {})
    headers = sign("GET", path, key_id=issued.key.key_id, secret=issued.secret, query=query, **kw)
    return http.get(f"{path}?{query}" if query else path, headers=headers)


def signed_post(http, path: str, issued: services.IssuedKey, body: bytes, headers=None, **kw):
    signed = sign("POST", path, key_id=issued.key.key_id, secret=issued.secret, body=body, **kw)
    return http.post(
        path, data=body, content_type="application/json", headers={**signed, **(headers or {})}
    )
