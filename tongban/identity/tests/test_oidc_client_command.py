"""Registering department systems as OIDC clients: ``manage.py oidc_client`` and the admin."""

import datetime

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.urls import reverse
from oauth2_provider.models import AccessToken, Application

from tongban.audit.models import AuditRecord
from tongban.core import clock
from tongban.identity.oidc import clients
from tongban.identity.tests.helpers import verified_login
from tongban.identity.tests.oidc_support import make_person
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role

pytestmark = pytest.mark.django_db
Role = StaffMembership.Role


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("oidc_client", *args, stdout=out)
    return out.getvalue()


def printed(output: str, label: str) -> str:
    [line] = [line for line in output.splitlines() if line.startswith(f"{label}:")]
    return line.split(":", 1)[1].strip()


def test_a_confidential_client_is_registered_and_its_secret_printed_once():
    output = run("add", "县人社局社保系统", "--redirect-uri", "https://sb.example/cb")
    client = Application.objects.get(client_id=printed(output, "client_id"))
    secret = printed(output, "client_secret")

    assert client.name == "县人社局社保系统" and client.redirect_uris == "https://sb.example/cb"
    assert client.client_type == Application.CLIENT_CONFIDENTIAL
    assert client.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert client.algorithm == Application.RS256_ALGORITHM
    assert secret not in client.client_secret and check_password(secret, client.client_secret)
    assert secret not in run("list")
    assert AuditRecord.objects.filter(action="oauth2_provider.application.create").count() == 1


def test_a_public_client_has_no_secret():
    output = run("add", "掌上办", "--public", "--redirect-uri", "https://app.example/cb")
    assert "client_secret" not in output
    client = Application.objects.get(client_id=printed(output, "client_id"))
    assert client.client_type == Application.CLIENT_PUBLIC


def test_list_shows_every_client_and_its_status():
    first, _ = clients.register("系统甲", ["https://a.example/cb"])
    second, _ = clients.register("系统乙", ["https://b.example/cb"])
    clients.disable(second)
    lines = run("list").splitlines()
    assert any(first.client_id in line and "启用" in line for line in lines)
    assert any(second.client_id in line and "停用" in line for line in lines)


def test_disable_ends_the_clients_tokens_and_redirects():
    client, _ = clients.register("系统甲", ["https://a.example/cb"])
    AccessToken.objects.create(
        user=make_person(),
        application=client,
        token="t" * 40,
        expires=clock.now() + datetime.timedelta(hours=1),
        scope="openid",
    )
    output = run("disable", client.client_id)
    client.refresh_from_db()
    assert "已停用" in output and client.redirect_uris == ""
    assert not client.redirect_uri_allowed("https://a.example/cb")
    assert not AccessToken.objects.exists()
    assert AuditRecord.objects.filter(action="oauth2_provider.application.disable").exists()


def test_a_bad_redirect_uri_is_refused_in_chinese_or_by_field():
    with pytest.raises(CommandError) as caught:
        run("add", "系统丙", "--redirect-uri", "not a url")
    assert "redirect_uris" in str(caught.value)
    assert not Application.objects.exists()


def test_disabling_an_unknown_client_says_so():
    with pytest.raises(CommandError, match="没有接入系统"):
        run("disable", "nope")


def test_the_system_administrator_registers_a_client_in_the_admin(client):
    verified_login(client, staff_with_role(Role.SYSTEM_ADMIN))
    response = client.post(
        reverse("admin:oauth2_provider_application_add"),
        {
            "name": "县医保系统",
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "redirect_uris": "https://yb.example/cb",
            "post_logout_redirect_uris": "",
            "allowed_origins": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    app = Application.objects.get(name="县医保系统")
    assert app.algorithm == Application.RS256_ALGORITHM
    [shown] = [str(m) for m in response.context["messages"] if "客户端密钥只显示这一次" in str(m)]
    secret = shown.rsplit(":", 1)[1]
    assert check_password(secret, app.client_secret)
    record = AuditRecord.objects.get(action="oauth2_provider.application.create")
    assert secret not in str(record.changes) and app.client_secret not in str(record.changes)


@pytest.mark.parametrize("role", [Role.CLERK, Role.DEPT_ADMIN, Role.SUPERVISOR])
def test_other_roles_cannot_manage_clients(client, role):
    verified_login(client, staff_with_role(role))
    assert client.get(reverse("admin:oauth2_provider_application_changelist")).status_code == 403
