import datetime

import pytest

from tongban.audit.models import AuditRecord
from tongban.errors import Conflict, InvalidInput
from tongban.gateway import services
from tongban.gateway.models import ApiKey
from tongban.gateway.tests.factories import api_client, keyed_client

pytestmark = pytest.mark.django_db


def test_each_change_leaves_an_audit_record():
    _, issued = keyed_client()
    rotated = services.rotate_key("test", issued.key)
    services.revoke_key("test", rotated.key)

    actions = list(AuditRecord.objects.order_by("id").values_list("action", flat=True))

    assert actions == [
        "gateway.client.create",
        "gateway.key.issue",
        "gateway.key.rotate",
        "gateway.key.revoke",
    ]


def test_no_secret_reaches_the_audit_log():
    _, issued = keyed_client()

    logged = " ".join(str(row) for row in AuditRecord.objects.values())

    assert issued.secret not in logged


def test_an_unknown_scope_is_refused():
    with pytest.raises(InvalidInput):
        api_client(scopes=["everything"])


def test_rotation_sets_the_overlap_deadline_on_the_old_key():
    _, issued = keyed_client()

    services.rotate_key("test", issued.key, overlap=datetime.timedelta(hours=2))

    old = ApiKey.objects.get(pk=issued.key.pk)
    assert old.status == ApiKey.Status.ACTIVE
    assert old.expires_at is not None


def test_a_revoked_key_cannot_be_rotated():
    _, issued = keyed_client()
    services.revoke_key("test", issued.key)

    with pytest.raises(Conflict):
        services.rotate_key("test", issued.key)


def test_p95_is_the_nearest_rank():
    assert services.percentile([float(n) for n in range(1, 21)], 95) == 19.0
    assert services.percentile([], 95) is None
