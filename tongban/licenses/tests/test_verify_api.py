"""GET /api/v1/licenses/verify/{identifier}: invalid (400), unknown (404, any authority),
known (the license as a verifier sees it, each state), logged, limited, few queries."""

import pytest
from django.test import Client

from tongban.cases.tests.factories import approver_of, form_item
from tongban.licenses import identifiers, services
from tongban.licenses.models import LicenseAccess
from tongban.licenses.tests.factories import (
    LicenseFactory,
    authority_uscc,
    bound_type,
    concluded_case,
    type_code,
)
from tongban.org.validators import make_uscc

pytestmark = pytest.mark.django_db
URL = "/api/v1/licenses/verify/{}"


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def item():
    return form_item()


@pytest.fixture
def lic(travel, item):
    travel(2026, 9, 30)
    bound_type(item, validity_years=1)
    return services.issue_for_case(concluded_case(item))


def get(client, identifier):
    return client.get(URL.format(identifier))


def test_a_known_license_shows_masked_holder_state_and_signatures(client, lic):
    response = get(client, lic.identifier)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["identifier"] == lic.identifier and body["status"] == "valid"
    assert body["holder"]["name"] == "王*明"
    assert body["holder"]["code"] != str(lic.holder_code)
    assert body["holder"]["code"].startswith(str(lic.holder_code)[:6])
    assert body["issuer"] == {"name": lic.issuer.name, "code": lic.issuer.uscc}
    assert (body["valid_from"], body["valid_to"]) == ("2026-09-30", "2027-09-29")
    assert body["signature"]["valid"] is True
    assert body["signature"]["sm2"] and body["signature"]["pdf"]["valid"]
    access = LicenseAccess.objects.get(license=lic)
    assert access.kind == LicenseAccess.Kind.VERIFY and access.note == "api"


def test_an_enterprise_holder_is_shown_in_full(client):
    lic = LicenseFactory(enterprise=True)
    body = get(client, lic.identifier).json()
    assert body["holder"]["code"] == str(lic.holder_code)
    assert body["holder"]["code_type"] == "001"
    assert body["signature"]["valid"] is False  # built without signatures


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda text: text[:-1] + ("0" if text[-1] != "0" else "1"), "校验位"),
        (lambda text: text.replace("1.2.156.3005.2.", "1.2.156.3005.9."), "开头"),
        (lambda text: text.rsplit(".", 1)[0], "段"),
        (lambda text: text.replace(".001.", ".01."), "版本号"),
    ],
)
def test_a_malformed_identifier_is_400_with_the_reason(client, lic, mangle, reason):
    response = get(client, mangle(lic.identifier))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_identifier"
    assert reason in body["message"] and body["message_en"]


@pytest.mark.parametrize(
    "issuer",
    [
        make_uscc("1", "1", "610000", "AB000001"),  # a provincial department
        make_uscc("1", "1", "310104", "CD000002"),  # another province's district
        make_uscc("N", "1", "610124", "EF000003"),  # letters in positions 1–2
    ],
)
def test_a_well_formed_identifier_of_another_authority_is_404(client, lic, issuer):
    other = identifiers.build(type_code(7, authority=authority_uscc(90)), issuer, "ZZ01", 1)
    response = get(client, other)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_well_formed_unknown_version_of_a_known_license_is_404(client, lic):
    parsed = identifiers.parse(lic.identifier)
    newer = identifiers.build(parsed.type_code, parsed.issuer_code, parsed.serial, 2)
    assert get(client, newer).status_code == 404


def test_revoked_expired_and_superseded_are_told_apart(client, lic, item, travel):
    approver = approver_of(item)
    new = services.change(lic, surface={"purpose": "变更"}, by=approver)
    old = get(client, lic.identifier).json()
    assert old["status"] == "superseded" and old["latest_identifier"] == new.identifier
    assert old["signature"]["valid"] is True
    assert get(client, new.identifier).json()["status"] == "valid"
    travel(2027, 9, 30)
    assert get(client, new.identifier).json()["status"] == "expired"
    travel(2027, 9, 29)
    services.revoke(new, reason="依法撤销", by=approver)
    body = get(client, new.identifier).json()
    assert body["status"] == "revoked" and body["status_label"] == "已注销"


def test_the_signature_check_is_cached_and_a_verification_costs_few_queries(
    client, lic, django_assert_max_num_queries
):
    get(client, lic.identifier)
    # The license (with its type and issuer), its access row, and the gateway's call log
    # (every API call has one); no signature work, no session.
    with django_assert_max_num_queries(3):
        response = get(client, lic.identifier)
    assert response.status_code == 200
    assert LicenseAccess.objects.filter(license=lic).count() == 2


def test_verifications_are_limited_per_client_address(client, lic, settings):
    settings.LICENSES_VERIFY_PER_IP = 3
    for _ in range(3):
        assert get(client, lic.identifier).status_code == 200
    response = get(client, lic.identifier)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert response.json()["code"] == "rate_limited"


def test_log_entries_can_be_batched(client, lic, settings, monkeypatch):
    from tongban.licenses import verification

    settings.LICENSES_ACCESS_FLUSH_MS = 60_000  # the timer never fires within the test
    monkeypatch.setattr(verification, "FLUSH_ROWS", 3)
    get(client, lic.identifier)
    get(client, lic.identifier)
    assert not LicenseAccess.objects.filter(license=lic).exists()
    assert verification.accesses.flush() == 2
    assert LicenseAccess.objects.filter(license=lic).count() == 2
    for _ in range(3):
        get(client, lic.identifier)
    assert LicenseAccess.objects.filter(license=lic).count() == 5  # a full batch is written
    assert verification.accesses.flush() == 0
