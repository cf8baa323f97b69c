import io

import pytest
from django.core.management import call_command

from tongban.gateway.models import ApiClient, ApiKey

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("gateway_client", *args, stdout=out)
    return out.getvalue()


def test_create_issue_rotate_and_revoke_from_the_command_line():
    run("create", "县医保业务系统", "--scope", "gateway:ping", "--dept", "health")
    issued = run("issue", "县医保业务系统")
    key_id = issued.split("client_id:")[1].split()[0]

    rotated = run("rotate", key_id, "--overlap-hours", "1")
    run("revoke", key_id)

    assert ApiClient.objects.get().department_codes == ["health"]
    assert "有效至" in rotated
    assert ApiKey.objects.get(key_id=key_id).status == ApiKey.Status.REVOKED
    assert ApiKey.objects.filter(status=ApiKey.Status.ACTIVE).count() == 1
