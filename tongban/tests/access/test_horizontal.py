"""Horizontal checks: person A on person B's, enterprise A on enterprise B's, department X on
department Y's (``horizontal.py`` says who and why). Each intruder is refused and sees none
of B's data; the owner gets in, so a row cannot pass by everything failing.
"""

import json
from functools import cache
from urllib.parse import urlparse

import pytest
from django.test import Client

from tongban.gateway.tests.factories import signed_get, signed_post
from tongban.tests.access import endpoints, horizontal
from tongban.tests.access.conftest import _gateway, _signed_in
from tongban.tests.access.horizontal import LISTS, NOT_OWNED, ROWS
from tongban.tests.access.table import ALLOW, DENY, LOGIN
from tongban.tests.access.test_harness import outcome, served

pytestmark = pytest.mark.django_db
ALL = {**ROWS, **LISTS}
CHECKS = [(key, who) for key, row in ALL.items() for who in row.intruders]
CONTROLS = [key for key, row in ALL.items() if not row.control]


@pytest.fixture(scope="module")
def intruders(world, django_db_blocker):
    with django_db_blocker.unblock():
        return horizontal.build_intruders(world)


def _client(world, intruders, actor: str) -> Client:
    """A client for a harness actor or an intruder of ``horizontal``."""
    if actor in world.sessions:
        return _signed_in(world, actor)
    if actor in world.gateway:
        return _gateway(world, actor)
    client = Client()
    client.actor = actor
    if actor == "gateway_x":
        client.issued = intruders.gateway
    elif actor == "bearer_a":
        client.token = intruders.token
    else:
        client.cookies.update(intruders.sessions[actor])
    return client


def _send(client, method: str, url: str, body=None, world=None):
    if body is not None:
        payload = json.dumps(body(world) if callable(body) else body)
        headers = (
            {"HTTP_AUTHORIZATION": f"Bearer {client.token}"} if hasattr(client, "token") else {}
        )
        return client.generic(method, url, payload, "application/json", **headers)
    if hasattr(client, "issued"):
        path = urlparse(url).path
        if method == "POST":
            return signed_post(client, path, client.issued, b"")
        return signed_get(client, path, client.issued)
    if hasattr(client, "token"):
        return client.generic(method, url, HTTP_AUTHORIZATION=f"Bearer {client.token}")
    return client.generic(method, url)


def _url(key: str, world) -> str:
    endpoint, params = served()[key.split("@")[0]], ALL[key].params
    saved = endpoints.OBJECT_PARAMS.get(endpoint.key)
    if params:
        endpoints.OBJECT_PARAMS[endpoint.key] = {**(saved or {}), **params}
    try:
        url = endpoints.url_for(endpoint, world)
    finally:
        if params:
            endpoints.OBJECT_PARAMS[endpoint.key] = saved
            if saved is None:
                del endpoints.OBJECT_PARAMS[endpoint.key]
    query = ALL[key].query
    query = query(world) if callable(query) else query
    return f"{url}{'&' if '?' in url else '?'}{query}" if query else url


def _body(response) -> str:
    """The body as text; JSON re-encoded without escapes, so that Chinese markers match."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    text = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


def _leaks(response, url: str, markers: dict) -> list[str]:
    """B's markers found in the body (a marker the URL itself carries is not a leak)."""
    body = _body(response)
    return [name for name, value in markers.items() if value and value not in url and value in body]


@cache
def _object_endpoints() -> set[str]:
    return horizontal.object_endpoints(served())


def test_every_object_endpoint_has_a_horizontal_expectation():
    missing = sorted(_object_endpoints() - {k.split("@")[0] for k in ROWS} - set(NOT_OWNED))
    assert not missing, (
        "object endpoints without a row in tongban/tests/access/horizontal.py "
        "(ROWS, or NOT_OWNED with the reason): " + ", ".join(missing)
    )


def test_every_horizontal_row_names_an_endpoint_that_exists():
    keys = {k.split("@")[0] for k in ALL} | set(NOT_OWNED)
    assert not sorted(keys - set(served()))


@pytest.mark.parametrize(("key", "actor"), CHECKS, ids=[f"{k} × {a}" for k, a in CHECKS])
def test_an_intruder_is_refused_and_sees_nothing_of_bs(key, actor, world, intruders):
    row = ALL[key]
    url = _url(key, world)
    response = _send(_client(world, intruders, actor), row.method, url, row.body, world)
    got = outcome(response, url)
    detail = f"{row.method} {url} as {actor}: HTTP {response.status_code}"
    if row.listing:
        assert got in (ALLOW, DENY), detail
        assert row.listing not in _leaks(response, url, intruders.markers), detail
        return
    if row.kept is not None:  # answered like a success, but B's object is untouched
        assert row.kept(world), detail
    else:
        assert got in (DENY, LOGIN), detail  # 401: a credential this operation does not take
    assert not _leaks(response, url, intruders.markers), detail


@pytest.mark.parametrize("key", CONTROLS)
def test_the_owner_gets_in(key, world, intruders):
    """The positive control: the same request by the object's owner is answered."""
    row = ALL[key]
    url = _url(key, world)
    response = _send(_client(world, intruders, row.owner), row.method, url, row.body, world)
    got = outcome(response, url)
    assert got == row.passes, f"{url} as {row.owner}: HTTP {response.status_code}"
    if row.listing:
        assert row.listing in _leaks(response, "", intruders.markers)


def test_the_controls_are_most_rows():
    """Rows without a positive control (no file made yet, …) stay the exception."""
    assert len(CONTROLS) > len(ALL) - len(CONTROLS)


@pytest.mark.parametrize("path", ["/track/", "/kiosk/track/"])
def test_tracking_with_bs_number_needs_bs_phone(path, world, intruders):
    """进度查询: B's case number with someone else's phone shows nothing of the case."""
    case, b = world.objects["case"], world.users["person_l2"]
    intruder = _client(world, intruders, "person_a")
    wrong = intruder.post(path, {"number": case.number, "secret": "13911112222"})
    assert wrong.status_code in (200, 403, 404, 422)
    assert "result" not in (wrong.context or {}) or not wrong.context["result"]
    right = Client().post(path, {"number": case.number, "secret": b.phone})
    if path == "/track/":  # the kiosk page needs a signed-in terminal
        assert right.status_code == 200 and right.context["result"]
