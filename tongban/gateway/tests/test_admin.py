import datetime

import pytest
from django.urls import reverse

from tongban.core import clock
from tongban.gateway.models import ApiClient, ApiKey, CallLog
from tongban.gateway.tests.factories import keyed_client
from tongban.identity.tests.helpers import verified_login
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role

pytestmark = pytest.mark.django_db
Role = StaffMembership.Role
CLIENTS = reverse("admin:gateway_apiclient_changelist")


@pytest.fixture
def admin_client(client):
    verified_login(client, staff_with_role(Role.SYSTEM_ADMIN))
    return client


def client_form(**overrides) -> dict:
    return {
        "name": "县不动产登记系统",
        "department": "",
        "kind": ApiClient.Kind.DEPARTMENT,
        "scopes": ["gateway:ping", "org:staff:read"],
        "department_codes": "market, tax",
        "max_sensitivity": "2",
        "rate_limit": "120",
        "is_active": "on",
        "keys-TOTAL_FORMS": "0",
        "keys-INITIAL_FORMS": "0",
        **overrides,
    }


def test_the_system_administrator_registers_a_client(admin_client):
    response = admin_client.post(reverse("admin:gateway_apiclient_add"), client_form())

    assert response.status_code == 302
    registered = ApiClient.objects.get()
    assert registered.scopes == ["gateway:ping", "org:staff:read"]
    assert registered.department_codes == ["market", "tax"]


@pytest.mark.parametrize("role", [Role.CLERK, Role.DEPT_ADMIN, Role.CATALOG_ADMIN])
def test_other_roles_cannot_manage_clients(client, role):
    verified_login(client, staff_with_role(role))

    assert client.get(CLIENTS).status_code == 403
    assert client.post(reverse("admin:gateway_apiclient_add"), client_form()).status_code == 403
    assert not ApiClient.objects.exists()


def test_a_supervisor_reads_the_call_log_but_not_the_clients(client):
    verified_login(client, staff_with_role(Role.SUPERVISOR))

    assert client.get(reverse("admin:gateway_calllog_changelist")).status_code == 200
    assert client.get(CLIENTS).status_code == 403


def test_issuing_a_key_shows_its_secret_once(admin_client):
    api, _ = keyed_client()

    response = admin_client.post(
        CLIENTS, {"action": "issue_key", "_selected_action": [api.pk]}, follow=True
    )

    newest = ApiKey.objects.filter(client=api).first()
    assert newest.key_id in response.text
    assert "仅显示这一次" in response.text
    page = admin_client.get(reverse("admin:gateway_apikey_change", args=[newest.pk])).text
    assert newest.key_id in page
    assert "仅显示这一次" not in page


def test_revoking_from_the_admin_stops_the_key(admin_client):
    _, issued = keyed_client()

    admin_client.post(
        reverse("admin:gateway_apikey_changelist"),
        {"action": "revoke", "_selected_action": [issued.key.pk]},
    )

    assert ApiKey.objects.get(pk=issued.key.pk).status == ApiKey.Status.REVOKED


def test_the_call_log_is_read_only(admin_client):
    CallLog.objects.create(
        method="GET", route="/api/v1/org/departments", status=200, latency_ms=1.0, bytes_out=10
    )
    call = CallLog.objects.get()

    change = admin_client.post(reverse("admin:gateway_calllog_change", args=[call.pk]), {})
    delete = admin_client.post(
        reverse("admin:gateway_calllog_delete", args=[call.pk]), {"post": "yes"}
    )

    assert change.status_code == 403
    assert delete.status_code == 403
    assert CallLog.objects.count() == 1


def test_the_statistics_page_shows_calls_errors_and_p95(admin_client):
    api, _ = keyed_client()
    now = clock.now()
    for n in range(1, 101):
        CallLog.objects.create(
            client=api,
            method="GET",
            route="/api/v1/gateway/ping",
            status=500 if n <= 3 else 200,
            latency_ms=float(n),
            bytes_out=10,
            at=now - datetime.timedelta(hours=1),
        )
    CallLog.objects.create(
        client=api,
        method="GET",
        route="/api/v1/gateway/ping",
        status=200,
        latency_ms=999.0,
        bytes_out=10,
        at=now - datetime.timedelta(days=3),
    )

    day = admin_client.get(reverse("admin:gateway_apiclient_stats", args=[api.pk]), {"days": "1"})
    week = admin_client.get(reverse("admin:gateway_apiclient_stats", args=[api.pk]), {"days": "7"})

    assert '<td class="gateway-calls">100</td>' in day.text
    assert '<td class="gateway-errors">3</td>' in day.text
    assert '<td class="gateway-p95">95.0</td>' in day.text
    assert '<td class="gateway-calls">101</td>' in week.text


def test_the_operations_page_lists_what_the_client_may_call(admin_client):
    api, _ = keyed_client(scopes=["gateway:ping"])

    page = admin_client.get(reverse("admin:gateway_apiclient_operations", args=[api.pk])).text

    assert "/api/v1/gateway/ping" in page
    assert "/api/v1/org/departments" in page
    assert "/api/v1/org/staff" not in page


def test_other_roles_cannot_read_the_statistics(client):
    api, _ = keyed_client()
    verified_login(client, staff_with_role(Role.CLERK))

    assert client.get(reverse("admin:gateway_apiclient_stats", args=[api.pk])).status_code == 403


def test_the_change_page_shows_the_clients_settings_and_keys(admin_client):
    api, issued = keyed_client(department_codes=["market", "tax"])

    page = admin_client.get(reverse("admin:gateway_apiclient_change", args=[api.pk])).text

    assert 'value="market tax"' in page
    assert issued.key.key_id in page
    assert issued.secret not in page
