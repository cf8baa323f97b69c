"""The wallet's access rules (``wallet_rules``): the holder, the enterprise's people by scope,
nobody else — staff included."""

import pytest

from tongban.identity import access
from tongban.identity.tests.factories import agent_of, enterprise_of
from tongban.licenses.models import License
from tongban.licenses.tests.factories import LicenseFactory
from tongban.org.tests.factories import UserFactory, staff_with_role

pytestmark = pytest.mark.django_db
ACTIONS = ("licenses.view_own", "licenses.show", "licenses.use")


def test_a_person_holds_their_own_license_for_every_action():
    held = LicenseFactory()
    for action in ACTIONS:
        assert access.can(held.holder_user, action, held)
        assert not access.can(UserFactory(), action, held)
        assert list(access.scope(held.holder_user, action, License.objects.all())) == [held]


def test_staff_reach_no_license_through_the_wallet():
    held = LicenseFactory()
    for role in ("clerk", "approver", "supervisor", "system_admin"):
        staff = staff_with_role(role, department=held.issuer)
        assert not any(access.can(staff, action, held) for action in ACTIONS)
        assert not access.scope(staff, "licenses.view_own", License.objects.all()).exists()


def test_an_inactive_holder_reaches_nothing():
    held = LicenseFactory()
    held.holder_user.is_active = False
    held.holder_user.save(update_fields=["is_active"])
    assert not access.can(held.holder_user, "licenses.view_own", held)
    assert not access.scope(held.holder_user, "licenses.view_own", License.objects.all()).exists()


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [
        ("view", {"licenses.view_own"}),
        ("license", {"licenses.show"}),
        ("apply", {"licenses.use"}),
    ],
)
def test_an_agent_reaches_the_enterprises_license_by_scope(scope, allowed):
    enterprise = enterprise_of(UserFactory())
    held = LicenseFactory(enterprise=True, holder_enterprise=enterprise)
    agent = UserFactory()
    agent_of(enterprise, agent, scopes=(scope,))
    assert {action for action in ACTIONS if access.can(agent, action, held)} == allowed
    assert {action for action in ACTIONS if access.can(enterprise.legal_rep, action, held)} == set(
        ACTIONS
    )


def test_a_revoked_agent_loses_the_enterprises_licenses_at_once():
    enterprise = enterprise_of(UserFactory())
    held = LicenseFactory(enterprise=True, holder_enterprise=enterprise)
    agent = UserFactory()
    authorization = agent_of(enterprise, agent, scopes=("view",))
    assert access.can(agent, "licenses.view_own", held)
    authorization.revoked_at = held.created_at
    authorization.save(update_fields=["revoked_at"])
    assert not access.can(agent, "licenses.view_own", held)
    assert not access.scope(agent, "licenses.view_own", License.objects.all()).exists()
