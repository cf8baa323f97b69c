"""我的证照: which licenses a person sees, in which order, their state, the access log and
the logged download (``tongban.licenses.wallet``)."""

import datetime

import pytest
from django.core.files.base import ContentFile

from tongban.audit.models import AuditRecord
from tongban.core import clock
from tongban.errors import NotFound, PermissionDenied
from tongban.identity.tests.factories import agent_of, enterprise_of
from tongban.licenses import wallet
from tongban.licenses.models import License, LicenseAccess
from tongban.licenses.tests.factories import LicenseFactory
from tongban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def identifiers(rows):
    return [row.identifier for row in rows]


def test_state_reads_revocation_supersession_and_expiry():
    today = clock.today()
    assert wallet.state(LicenseFactory()) == "valid"
    assert wallet.state(LicenseFactory(status=License.Status.REVOKED)) == "revoked"
    assert wallet.state(LicenseFactory(status=License.Status.SUPERSEDED)) == "superseded"
    assert wallet.state(LicenseFactory(valid_to=today - DAY)) == "expired"
    # valid through its last day, and a long-term license never expires
    assert wallet.state(LicenseFactory(valid_to=today)) == "valid"
    assert wallet.state(LicenseFactory(valid_to=None)) == "valid"


def test_a_license_not_yet_in_effect_is_not_in_force():
    later = LicenseFactory(valid_from=clock.today() + DAY)
    assert wallet.state(later) == "valid"
    assert not wallet.in_force(later)


def test_the_wallet_lists_the_persons_licenses_and_their_enterprises_only():
    person = UserFactory()
    enterprise = enterprise_of(person)
    own = LicenseFactory(holder_user=person)
    theirs = LicenseFactory(enterprise=True, holder_enterprise=enterprise)
    LicenseFactory()  # someone else's
    LicenseFactory(enterprise=True)  # another enterprise's
    rows, cursor = wallet.my_licenses(person)
    assert set(identifiers(rows)) == {own.identifier, theirs.identifier}
    assert cursor is None


def test_an_agent_sees_the_enterprises_licenses_with_the_view_scope_only():
    enterprise = enterprise_of(UserFactory())
    held = LicenseFactory(enterprise=True, holder_enterprise=enterprise)
    viewer, applier = UserFactory(), UserFactory()
    agent_of(enterprise, viewer, scopes=("view",))
    agent_of(enterprise, applier, scopes=("apply",))
    assert identifiers(wallet.my_licenses(viewer)[0]) == [held.identifier]
    assert wallet.my_licenses(applier)[0] == []


def test_an_enterprise_license_is_not_its_applicants_personal_license():
    """Whoever applied for an enterprise's license reaches it through the enterprise only."""
    agent = UserFactory()
    held = LicenseFactory(enterprise=True, holder_user=agent)
    assert wallet.my_licenses(agent)[0] == []
    with pytest.raises(NotFound):
        wallet.my_license(agent, held.identifier)


def test_current_versions_come_first_then_superseded_ones():
    person = UserFactory()
    old = LicenseFactory(holder_user=person, status=License.Status.SUPERSEDED)
    new = LicenseFactory(holder_user=person, previous=old, serial=old.serial, version=2)
    other = LicenseFactory(holder_user=person)
    rows, _ = wallet.my_licenses(person)
    assert identifiers(rows) == [other.identifier, new.identifier, old.identifier]


def test_the_wallet_pages_by_cursor_without_repeats(django_assert_max_num_queries):
    person = UserFactory()
    made = [LicenseFactory(holder_user=person) for _ in range(3)]
    made.append(LicenseFactory(holder_user=person, status=License.Status.SUPERSEDED))
    seen, cursor = [], None
    while True:
        with django_assert_max_num_queries(3):
            rows, cursor = wallet.my_licenses(person, cursor=cursor, limit=2)
            names = [(row.license_type.name, row.issuer.name) for row in rows]
        assert len(names) == len(rows)
        seen += identifiers(rows)
        if cursor is None:
            break
    assert seen == [made[2].identifier, made[1].identifier, made[0].identifier, made[3].identifier]


def test_someone_elses_license_is_not_found():
    held = LicenseFactory()
    with pytest.raises(NotFound):
        wallet.my_license(UserFactory(), held.identifier)
    assert wallet.my_license(held.holder_user, held.identifier) == held


def test_the_access_log_lists_every_access_newest_first():
    held = LicenseFactory()
    now = clock.now()
    for index, kind in enumerate(("show", "view", "verify", "use")):
        LicenseAccess.objects.create(
            license=held, kind=kind, at=now + datetime.timedelta(seconds=index)
        )
    rows, before = wallet.access_log(held, limit=3)
    assert [row.kind for row in rows] == ["use", "verify", "view"]
    rest, last = wallet.access_log(held, before=before, limit=3)
    assert [row.kind for row in rest] == ["show"]
    assert last is None


def test_a_download_is_logged_and_audited():
    held = LicenseFactory()
    held.pdf.save("held.pdf", ContentFile(b"%PDF-1.7 test"))
    with wallet.download(held, by=held.holder_user) as handle:
        assert handle.read() == b"%PDF-1.7 test"
    logged = held.accesses.get()
    assert (logged.kind, logged.actor, logged.actor_label) == (
        "download",
        held.holder_user,
        "李持证",
    )
    assert AuditRecord.objects.filter(action="licenses.download", object_id=str(held.pk)).exists()


def test_a_download_without_a_file_or_by_someone_else_is_refused():
    held = LicenseFactory()
    with pytest.raises(NotFound):
        wallet.download(held, by=held.holder_user)
    with pytest.raises(PermissionDenied):
        wallet.download(held, by=UserFactory())
    assert not held.accesses.exists()
