"""The wallet's pages and API (``wallet_views``, ``wallet_api``): the holder sees their
licenses, the detail, the PDF and the access log; anyone else gets 404."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tongban.identity.enterprises import ACTING_SESSION_KEY
from tongban.identity.tests.factories import enterprise_of
from tongban.licenses.models import License, LicenseAccess
from tongban.licenses.tests.factories import LicenseFactory
from tongban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MINE = "/api/v1/licenses/mine"


@pytest.fixture
def held():
    return LicenseFactory()


def signed_in(client, user):
    client.force_login(user)
    return client


def detail_url(license) -> str:
    return reverse("licenses:wallet_detail", args=[license.identifier])


# --- pages ---------------------------------------------------------------------------------


def test_the_wallet_page_lists_the_holders_licenses_with_their_state(client, held):
    old = LicenseFactory(holder_user=held.holder_user, status=License.Status.SUPERSEDED)
    LicenseFactory()  # someone else's
    page = signed_in(client, held.holder_user).get(reverse("licenses:wallet"))
    text = page.content.decode()
    assert page.status_code == 200
    assert held.number in text and old.number in text
    assert text.index(held.number) < text.index(old.number)
    assert "已变更(有新版本)" in text
    assert page.context["entries"][0]["license"] == held


def test_the_wallet_page_asks_an_anonymous_visitor_to_sign_in(client):
    page = client.get(reverse("licenses:wallet"))
    assert page.status_code == 302
    assert "/login" in page["Location"]


def test_the_wallet_page_lists_in_a_bounded_number_of_queries(
    client, django_assert_max_num_queries
):
    person = UserFactory()
    enterprise = enterprise_of(person)
    for _ in range(5):
        LicenseFactory(holder_user=person)
        LicenseFactory(enterprise=True, holder_enterprise=enterprise)
    signed_in(client, person)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("licenses:wallet"))
    assert len(page.context["entries"]) == 10


def test_the_detail_shows_the_license_the_show_button_and_the_access_log(client, held):
    LicenseAccess.objects.create(
        license=held, kind="view", at=held.created_at, actor_label="某某酒店前台"
    )
    page = signed_in(client, held.holder_user).get(detail_url(held))
    text = page.content.decode()
    assert page.status_code == 200
    assert held.identifier in text and "某某酒店前台" in text and "扫码查看" in text
    assert reverse("licenses:wallet_show", args=[held.identifier]) in text


def test_the_detail_of_a_revoked_license_offers_no_show(client):
    revoked = LicenseFactory(status=License.Status.REVOKED)
    page = signed_in(client, revoked.holder_user).get(detail_url(revoked))
    assert not page.context["can_show"]
    assert "不能亮证" in page.content.decode()


def test_someone_elses_license_is_not_found_on_any_page(client, held):
    signed_in(client, UserFactory())
    for name in ("licenses:wallet_detail", "licenses:wallet_pdf"):
        page = client.get(reverse(name, args=[held.identifier]))
        assert page.status_code == 404
        assert "未找到该证照" in page.content.decode()
    shown = client.post(reverse("licenses:wallet_show", args=[held.identifier]))
    assert shown.status_code == 404
    assert not held.accesses.exists()


def test_staff_are_refused_the_wallet(client, held):
    from tongban.org.tests.factories import staff_with_role

    signed_in(client, staff_with_role("clerk"))
    assert client.get(detail_url(held)).status_code == 403


def test_the_pdf_is_downloaded_and_logged(client, held):
    held.pdf.save("x.pdf", ContentFile(b"%PDF-1.7 held"))
    page = signed_in(client, held.holder_user).get(
        reverse("licenses:wallet_pdf", args=[held.identifier])
    )
    assert page.status_code == 200
    assert page["Content-Type"] == "application/pdf"
    assert b"".join(page.streaming_content) == b"%PDF-1.7 held"
    assert f"{held.identifier}.pdf" in page["Content-Disposition"]
    assert held.accesses.get().kind == "download"


def test_an_enterprises_license_is_seen_by_its_legal_representative(client):
    held = LicenseFactory(enterprise=True)
    rep = held.holder_enterprise.legal_rep
    session_client = signed_in(client, rep)
    session = session_client.session
    session[ACTING_SESSION_KEY] = held.holder_enterprise.pk
    session.save()
    assert session_client.get(detail_url(held)).status_code == 200


# --- API -----------------------------------------------------------------------------------


def test_the_api_lists_my_licenses_by_cursor(client, held):
    LicenseFactory(holder_user=held.holder_user, valid_to=None)
    signed_in(client, held.holder_user)
    first = client.get(MINE, {"limit": 1}).json()
    assert first["items"][0]["state"] == "valid"
    assert first["next_cursor"]
    rest = client.get(MINE, {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [item["identifier"] for item in rest["items"]] == [held.identifier]
    assert rest["next_cursor"] is None
    assert rest["items"][0]["holder_name"] == held.holder_name
    assert first["items"][0]["valid_to"] is None


def test_the_api_refuses_a_bad_cursor(client, held):
    signed_in(client, held.holder_user)
    answer = client.get(MINE, {"cursor": "not-a-cursor"})
    assert answer.status_code == 422
    assert "cursor" in answer.json()["fields"]


def test_the_api_needs_a_signed_in_account(client):
    assert client.get(MINE).status_code == 401


def test_the_api_gives_the_detail_and_the_access_log_to_the_holder_only(client, held):
    for index in range(3):
        LicenseAccess.objects.create(
            license=held, kind="verify", at=held.created_at, note=f"核验{index}"
        )
    signed_in(client, held.holder_user)
    assert client.get(f"{MINE}/{held.identifier}").json()["number"] == held.number
    page = client.get(f"{MINE}/{held.identifier}/accesses", {"limit": 2}).json()
    assert [item["note"] for item in page["items"]] == ["核验2", "核验1"]
    rest = client.get(
        f"{MINE}/{held.identifier}/accesses", {"limit": 2, "cursor": page["next_cursor"]}
    ).json()
    assert [item["note"] for item in rest["items"]] == ["核验0"]
    signed_in(client, UserFactory())
    for path in ("", "/accesses", "/pdf"):
        answer = client.get(f"{MINE}/{held.identifier}{path}")
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"


def test_the_api_downloads_the_pdf_and_logs_it(client, held):
    held.pdf.save("x.pdf", ContentFile(b"%PDF-1.7 api"))
    answer = signed_in(client, held.holder_user).get(f"{MINE}/{held.identifier}/pdf")
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == b"%PDF-1.7 api"
    assert held.accesses.get().kind == "download"
