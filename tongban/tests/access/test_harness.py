"""Every endpoint × every actor answers as ``table.TABLE`` says.

An endpoint without a row fails (``test_every_endpoint_has_a_row``), and so does a row naming
an endpoint that no longer exists. The case ids name the endpoint and the actor.
"""

from functools import cache
from urllib.parse import urlparse

import pytest

from tongban.gateway.tests.factories import signed_get, signed_post
from tongban.tests.access import endpoints
from tongban.tests.access.table import (
    ALLOW,
    BEARER_ACTORS,
    DENY,
    GATEWAY_ACTORS,
    LOGIN,
    TABLE,
)

pytestmark = pytest.mark.django_db
CASES = [(key, actor) for key, row in TABLE.items() for actor in row.expected]


@cache
def served() -> dict:
    return endpoints.discover()


ADMIN_INDEX = "/admin/"
ADMIN_SIGN_IN = ("/admin/login/", "/admin/logout/")


def outcome(response, url: str = "") -> str:
    """The coarse class of a response to ``url`` (table.py)."""
    code = response.status_code
    if code == 401:
        return LOGIN
    if code in (403, 404):
        return DENY
    if 300 <= code < 400:
        path = urlparse(response["Location"]).path
        if path.rstrip("/").endswith("/login"):
            return LOGIN
        return DENY if _hidden_by_admin(urlparse(url).path, path) else ALLOW
    if code < 300 or code in (400, 422):
        return ALLOW
    return f"HTTP {code}"


def _hidden_by_admin(asked: str, sent_to: str) -> bool:
    """The admin answers a row outside the account's queryset by sending it to the index."""
    return (
        sent_to == ADMIN_INDEX
        and asked.startswith(ADMIN_INDEX)
        and asked
        not in (
            ADMIN_INDEX,
            *ADMIN_SIGN_IN,
        )
    )


def send(client, method: str, url: str):
    if client.actor in GATEWAY_ACTORS:
        path = urlparse(url).path
        if method == "POST":
            return signed_post(client, path, client.issued, b"")
        return signed_get(client, path, client.issued)
    if client.actor in BEARER_ACTORS:
        return client.generic(method, url, HTTP_AUTHORIZATION=f"Bearer {client.token}")
    return client.generic(method, url)


def test_every_endpoint_has_a_row():
    missing = sorted(set(served()) - set(TABLE))
    assert not missing, "endpoints without a row in tongban/tests/access/table.py: " + ", ".join(
        missing
    )


def test_every_row_names_an_endpoint_that_exists():
    stale = sorted(set(TABLE) - set(served()))
    assert not stale, "rows for endpoints that no longer exist: " + ", ".join(stale)


@pytest.mark.parametrize(("key", "actor"), CASES, ids=[f"{k} × {a}" for k, a in CASES])
def test_endpoint_answers_the_actor_as_the_table_says(key, actor, request, world):
    if key not in served():
        pytest.fail(f"{key} is in the table but no longer served")
    row = TABLE[key]
    url = endpoints.url_for(served()[key], world)
    response = send(request.getfixturevalue(actor), row.method, url)
    assert outcome(response, url) == row.expected[actor], (
        f"{row.method} {url} as {actor}: HTTP {response.status_code} {response.get('Location', '')}"
    )


def test_allowed_and_denied_both_occur():
    """Guard against a table that expects one class everywhere (e.g. after a broken login)."""
    seen = {outcome for row in TABLE.values() for outcome in row.expected.values()}
    assert {ALLOW, DENY, LOGIN} <= seen
