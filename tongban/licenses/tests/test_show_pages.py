"""扫码亮证 through the pages and the API: the holder's QR code, the verifier's scan page
and ``GET /api/v1/licenses/scan/{token}``, and the refusals a verifier sees."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from tongban.core import clock
from tongban.licenses import showing
from tongban.licenses.models import License, ShowToken
from tongban.licenses.tests.factories import LicenseFactory
from tongban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SCAN_API = "/api/v1/licenses/scan/"


@pytest.fixture
def held():
    return LicenseFactory()


def show_api(client, license, **body):
    return client.post(
        f"/api/v1/licenses/{license.identifier}/show", body, content_type="application/json"
    )


def token_of(license, **options) -> str:
    return showing.signed_token(showing.create_show(license, by=license.holder_user, **options))


# --- the holder ----------------------------------------------------------------------------


def test_the_show_button_draws_a_qr_code_for_a_single_use_token(client, held):
    client.force_login(held.holder_user)
    page = client.post(reverse("licenses:wallet_show", args=[held.identifier]))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/png;base64,' in text
    show = ShowToken.objects.get(license=held)
    assert show.single_use
    assert f"http://testserver{showing.scan_path(show)}" in text


def test_the_holder_picks_a_time_boxed_token_on_the_page(client, held):
    client.force_login(held.holder_user)
    client.post(
        reverse("licenses:wallet_show", args=[held.identifier]), {"mode": "timed", "minutes": 15}
    )
    show = ShowToken.objects.get(license=held)
    assert not show.single_use
    assert show.expires_at - show.created_at == datetime.timedelta(minutes=15)


def test_a_revoked_license_is_refused_a_qr_code_on_the_page(client):
    revoked = LicenseFactory(status=License.Status.REVOKED)
    client.force_login(revoked.holder_user)
    page = client.post(reverse("licenses:wallet_show", args=[revoked.identifier]))
    assert page.status_code == 409
    assert "不能亮证" in page.content.decode()


def test_the_api_creates_a_token_with_its_url_and_qr_code(client, held):
    client.force_login(held.holder_user)
    answer = show_api(client, held, single_use=False, seconds=600)
    assert answer.status_code == 201
    body = answer.json()
    assert body["url"] == f"http://testserver/licenses/scan/{body['token']}"
    assert not body["single_use"]
    assert body["qr_png_base64"].startswith("iVBOR")  # a PNG
    assert held.accesses.get().kind == "show"


def test_the_api_without_a_body_makes_a_single_use_token_of_the_default_time(client, held):
    client.force_login(held.holder_user)
    answer = client.generic("POST", f"/api/v1/licenses/{held.identifier}/show")
    assert answer.status_code == 201
    show = ShowToken.objects.get(license=held)
    assert show.single_use
    assert show.expires_at - show.created_at == datetime.timedelta(seconds=300)


def test_the_api_refuses_a_time_box_out_of_bounds_and_a_revoked_license(client, held):
    client.force_login(held.holder_user)
    assert show_api(client, held, seconds=10).status_code == 422
    License.objects.filter(pk=held.pk).update(status=License.Status.REVOKED)
    refused = show_api(client, held)
    assert refused.status_code == 409
    assert "不能亮证" in refused.json()["message"]


def test_the_api_does_not_show_someone_elses_license(client, held):
    client.force_login(UserFactory())
    assert show_api(client, held).status_code == 404
    assert not ShowToken.objects.exists()


# --- the verifier's page -------------------------------------------------------------------


def test_the_scan_page_asks_who_is_viewing_before_showing_anything(client, held):
    url = reverse("licenses:scan", args=[token_of(held)])
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert held.number not in text and held.holder_name not in text
    assert 'name="verifier"' in text
    assert not held.accesses.filter(kind="view").exists()  # a link preview spends nothing
    shown = client.post(url, {"verifier": "某某酒店前台"})
    text = shown.content.decode()
    assert shown.status_code == 200
    assert held.number in text and held.holder_name in text and held.issuer.name in text
    assert str(held.holder_code) not in text
    assert held.accesses.get(kind="view").actor_label == "某某酒店前台"


def test_the_scan_page_wants_a_label_from_an_anonymous_verifier(client, held):
    page = client.post(reverse("licenses:scan", args=[token_of(held)]), {"verifier": ""})
    assert page.status_code == 422
    assert held.number not in page.content.decode()


def test_a_signed_in_verifier_is_recorded_by_account_on_the_page(client, held):
    clerk = UserFactory(last_name="赵", first_name="窗口")
    client.force_login(clerk)
    client.post(reverse("licenses:scan", args=[token_of(held)]))
    assert held.accesses.get(kind="view").actor == clerk


def test_a_used_token_shows_a_clear_message_and_nothing_else(client, held):
    url = reverse("licenses:scan", args=[token_of(held)])
    client.post(url, {"verifier": "某某银行"})
    again = client.get(url)
    text = again.content.decode()
    assert again.status_code == 410
    assert "已被查看过" in text and held.number not in text


def test_a_tampered_token_on_the_page_is_400(client, held):
    page = client.get(reverse("licenses:scan", args=[token_of(held) + "x"]))
    assert page.status_code == 400
    assert "无效或已被篡改" in page.content.decode()


def test_an_expired_token_on_the_page_is_410(client, held):
    url = reverse("licenses:scan", args=[token_of(held)])
    with time_machine.travel(clock.now() + datetime.timedelta(minutes=6), tick=False):
        page = client.get(url)
    assert page.status_code == 410
    assert "已过期" in page.content.decode()


# --- the verifier's API --------------------------------------------------------------------


def test_the_scan_api_shows_the_surface_masked_to_a_named_verifier(client, held):
    answer = client.get(SCAN_API + token_of(held), {"verifier": "某某酒店前台"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["number"], body["state"], body["issuer"]) == (
        held.number,
        "valid",
        held.issuer.name,
    )
    assert re.fullmatch(r"\d{6}\*{8}\w{4}", body["holder_code"])


def test_the_scan_api_wants_a_verifier_from_the_anonymous(client, held):
    answer = client.get(SCAN_API + token_of(held))
    assert answer.status_code == 422
    assert "verifier" in answer.json()["fields"]


def test_the_scan_api_records_a_signed_in_verifier_by_account(client, held):
    viewer = UserFactory()
    client.force_login(viewer)
    assert client.get(SCAN_API + token_of(held)).status_code == 200
    assert held.accesses.get(kind="view").actor == viewer


def test_the_scan_api_answers_used_expired_and_tampered_tokens(client, held):
    used = token_of(held)
    assert client.get(SCAN_API + used, {"verifier": "甲酒店"}).status_code == 200
    again = client.get(SCAN_API + used, {"verifier": "乙酒店"})
    assert (again.status_code, again.json()["code"]) == (410, "show_token_gone")
    assert "number" not in again.json()
    expiring = token_of(held, single_use=False, seconds=60)
    with time_machine.travel(clock.now() + datetime.timedelta(seconds=61), tick=False):
        assert client.get(SCAN_API + expiring, {"verifier": "甲酒店"}).status_code == 410
    tampered = client.get(SCAN_API + "abc:def", {"verifier": "甲酒店"})
    assert (tampered.status_code, tampered.json()["code"]) == (400, "show_token_invalid")


def test_the_scan_api_is_rate_limited(client):
    # The clock stands still: the limit counts in fixed windows, and a slow run must not
    # cross into the next one between the requests.
    start = clock.now().replace(second=5, microsecond=0)
    with time_machine.travel(start, tick=False):
        for _ in range(showing.RATE_PER_IP):
            client.get(SCAN_API + "abc:def")
        limited = client.get(SCAN_API + "abc:def")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
