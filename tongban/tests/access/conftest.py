"""The access harness's actors: one fixture each, every one a signed-in test client.

The rows they act on are built once per module (``world``) in a transaction rolled back at
the module's end; each test runs in its own savepoint inside it, so a request that changes
something (a POST that is allowed) leaves nothing behind for the next one.
"""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from tongban.tests.access import world as worlds

# A world that cannot be built fails every test at once: pytest does not cache a fixture's
# error, and rebuilding the world for each of thousands of tests takes many minutes.
_broken: list[BaseException] = []


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    if _broken:
        pytest.fail(f"the harness world could not be built: {_broken[0]!r}", pytrace=False)
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            built = worlds.build()
        except Exception as error:
            _broken.append(error)
            raise
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and nonces live in the cache: none carried between tests."""
    cache.clear()


def _signed_in(world, name: str) -> Client:
    client = Client()
    client.cookies.update(world.sessions[name])
    client.actor = name
    return client


def _gateway(world, name: str) -> Client:
    client = Client()
    client.actor = name
    client.issued = world.gateway[name]
    return client


@pytest.fixture
def anonymous(db, world):
    client = Client()
    client.actor = "anonymous"
    return client


@pytest.fixture
def person_l1(db, world):
    return _signed_in(world, "person_l1")


@pytest.fixture
def person_l2(db, world):
    return _signed_in(world, "person_l2")


@pytest.fixture
def agent(db, world):
    """An L2 person acting for an enterprise that authorized them (apply, view)."""
    return _signed_in(world, "agent")


@pytest.fixture
def legal_rep(db, world):
    """The enterprise's legal representative, acting for it."""
    return _signed_in(world, "legal_rep")


@pytest.fixture
def clerk(db, world):
    return _signed_in(world, "clerk")


@pytest.fixture
def approver(db, world):
    return _signed_in(world, "approver")


@pytest.fixture
def dept_admin(db, world):
    return _signed_in(world, "dept_admin")


@pytest.fixture
def catalog_admin(db, world):
    return _signed_in(world, "catalog_admin")


@pytest.fixture
def data_officer(db, world):
    return _signed_in(world, "data_officer")


@pytest.fixture
def supervisor(db, world):
    return _signed_in(world, "supervisor")


@pytest.fixture
def finance(db, world):
    return _signed_in(world, "finance")


@pytest.fixture
def system_admin(db, world):
    return _signed_in(world, "system_admin")


@pytest.fixture
def staff_no_totp(db, world):
    """A system administrator signed in with the password only (no TOTP device verified)."""
    return _signed_in(world, "staff_no_totp")


@pytest.fixture
def gateway_scoped(db, world):
    """A department system's API client holding every scope (department ``harness``)."""
    return _gateway(world, "gateway_scoped")


@pytest.fixture
def gateway_unscoped(db, world):
    """An API client with valid credentials and no scope."""
    return _gateway(world, "gateway_unscoped")


def _bearer(world, name: str) -> Client:
    client = Client()
    client.actor = name
    client.token = world.bearer[name]
    return client


@pytest.fixture
def bearer_scoped(db, world):
    """``person_l2``'s OIDC access token with every API scope (no session)."""
    return _bearer(world, "bearer_scoped")


@pytest.fixture
def bearer_openid(db, world):
    """``person_l2``'s OIDC access token granted ``openid profile`` only."""
    return _bearer(world, "bearer_openid")
