"""A sample of ``make fuzz`` (docs/fuzzing.md): every operation of docs/openapi.json with a few
derandomized schemathesis cases per generation mode, as an actor allowed to call it, against
the WSGI application on the access harness's world: no server error, every status declared,
every answer in its declared content type, schema and headers.
"""

import json
import logging

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from ninja import Schema

from proof._fuzz_run import CHECKS, load_schema, operations, run
from proof._fuzz_world import SigningMiddleware, build_world, plan

EXAMPLES = 2


@pytest.fixture
def detached_connections():
    """The WSGI handler closes the connection around each request; the test's transaction
    (holding the world) must outlive them, as Django's test client arranges."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
def test_every_operation_answers_as_documented(detached_connections):
    with transaction.atomic():
        world = build_world()
        pairs = [(op.method, op.path) for op in operations(load_schema())]
        app = SigningMiddleware(WSGIHandler(), world.gateway)
        results = run(app, plan(world, pairs), examples=EXAMPLES, before_each=cache.clear)
        transaction.set_rollback(True)

    assert len(results) == len(pairs)
    assert all(result.examples for result in results)
    failed = [_explain(r) for r in results if r.failures]
    assert not failed, "\n".join(failed)
    assert {check.__name__ for check in CHECKS} >= {"not_a_server_error"}


def _explain(result) -> str:
    sample = result.samples[0]
    last = (sample["traceback"] or "").strip().splitlines()[-1:] or [""]
    return (
        f"{result.key} as {result.actor}: {dict(result.failures)}; e.g. {sample['check']} "
        f"{sample['status']} {sample['request']} {sample['message'][:200]} {last[0]}"
    )


def test_input_the_database_cannot_store_is_invalid_input_not_a_server_error(rf):
    """On PostgreSQL a NUL character in a query or body value raised DataError (500) in
    GET /api/v1/metrics/ledger/{number}?plan= and POST /api/v1/reviews: now a 422."""
    from django.db import DataError

    from tongban.api import api

    error = DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    response = api.on_exception(rf.get("/api/v1/reviews"), error)
    assert response.status_code == 422
    assert json.loads(response.content)["code"] == "invalid"


def test_no_two_api_schemas_share_a_name():
    """ninja names a schema's component after its class: a second class of the same name
    silently replaces the first in docs/openapi.json (cases' and logistics' ``EventOut``)."""
    from tongban.api import api

    names = set(api.get_openapi_schema()["components"]["schemas"])
    seen: dict[str, set[str]] = {}
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("tongban.") and cls.__name__ in names:
            seen.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: where for name, where in seen.items() if len(where) > 1}
    assert not shared, shared


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_a_run_leaves_the_loggers_as_it_found_them():
    """The sample runs inside the suite: later tests read the tongban loggers."""
    from proof._fuzz_run import _quiet

    tongban, api = logging.getLogger("tongban"), logging.getLogger("tongban.api")
    before = tongban.level, api.level, api.propagate, list(api.handlers)
    with _quiet(logging.NullHandler()):
        assert tongban.level == logging.CRITICAL and not api.propagate
    assert (tongban.level, api.level, api.propagate, list(api.handlers)) == before
