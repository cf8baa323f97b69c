"""扫码亮证 (``tongban.licenses.showing``): the holder's token, the verifier's scan, the
refusals (expired, used, tampered, license no longer in force) and the log of it all."""

import datetime
import io

import pytest
import time_machine
from django.core import signing
from PIL import Image

from tongban.audit.models import AuditRecord
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput, NotFound, RateLimited
from tongban.identity.tests.factories import agent_of, enterprise_of
from tongban.licenses import showing
from tongban.licenses.models import License, ShowToken
from tongban.licenses.tests.factories import LicenseFactory
from tongban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def later(seconds: int):
    return time_machine.travel(clock.now() + datetime.timedelta(seconds=seconds), tick=False)


def test_a_show_lasts_five_minutes_by_default_and_is_logged():
    held = LicenseFactory()
    show = showing.create_show(held, by=held.holder_user)
    assert show.single_use
    assert show.expires_at - show.created_at == datetime.timedelta(seconds=300)
    logged = held.accesses.get()
    assert (logged.kind, logged.actor, logged.token) == ("show", held.holder_user, show)
    assert AuditRecord.objects.filter(action="licenses.show", object_id=str(held.pk)).exists()


def test_the_show_time_follows_the_setting(settings):
    settings.LICENSE_SHOW_SECONDS = 120
    held = LicenseFactory()
    show = showing.create_show(held, by=held.holder_user)
    assert show.expires_at - show.created_at == datetime.timedelta(seconds=120)


def test_the_holder_picks_a_time_box_within_bounds():
    held = LicenseFactory()
    show = showing.create_show(held, by=held.holder_user, single_use=False, seconds=1800)
    assert not show.single_use
    assert show.expires_at - show.created_at == datetime.timedelta(minutes=30)
    with pytest.raises(InvalidInput) as refused:
        showing.create_show(held, by=held.holder_user, seconds=7200)
    assert "seconds" in refused.value.fields


@pytest.mark.parametrize(
    "changes",
    [
        {"status": License.Status.REVOKED},
        {"status": License.Status.SUPERSEDED},
        {"valid_to": datetime.date(2020, 1, 1), "valid_from": datetime.date(2015, 1, 1)},
    ],
    ids=["revoked", "superseded", "expired"],
)
def test_a_license_not_in_force_cannot_be_shown(changes):
    held = LicenseFactory(**changes)
    with pytest.raises(Conflict) as refused:
        showing.create_show(held, by=held.holder_user)
    assert "不能亮证" in refused.value.message
    assert not ShowToken.objects.exists()


def test_only_the_holder_shows_a_license():
    held = LicenseFactory()
    with pytest.raises(NotFound):
        showing.create_show(held, by=UserFactory())


def test_an_enterprise_license_is_shown_with_the_license_scope():
    enterprise = enterprise_of(UserFactory())
    held = LicenseFactory(enterprise=True, holder_enterprise=enterprise)
    viewer, user = UserFactory(), UserFactory()
    agent_of(enterprise, viewer, scopes=("view", "apply"))
    agent_of(enterprise, user, scopes=("license",))
    with pytest.raises(NotFound):
        showing.create_show(held, by=viewer)
    assert showing.create_show(held, by=user).license == held
    assert showing.create_show(held, by=enterprise.legal_rep).license == held


def test_an_anonymous_verifier_sees_the_license_masked_and_is_logged_by_label():
    held = LicenseFactory()
    show = showing.create_show(held, by=held.holder_user)
    seen = showing.view(showing.check(showing.signed_token(show)), label="某某酒店前台")
    assert (seen.holder_name, seen.number, seen.name, seen.state) == (
        held.holder_name,
        held.number,
        held.license_type.name,
        "valid",
    )
    code = str(held.holder_code)
    assert seen.holder_code == code[:6] + "*" * 8 + code[-4:]
    viewed = held.accesses.get(kind="view")
    assert (viewed.actor, viewed.actor_label, viewed.token) == (None, "某某酒店前台", show)
    assert AuditRecord.objects.filter(action="licenses.view", object_id=str(held.pk)).exists()


def test_an_anonymous_verifier_must_say_who_they_are():
    held = LicenseFactory()
    show = showing.check(showing.signed_token(showing.create_show(held, by=held.holder_user)))
    with pytest.raises(InvalidInput) as refused:
        showing.view(show, label=" ")
    assert "verifier" in refused.value.fields
    show.refresh_from_db()
    assert show.used_at is None  # nothing spent, nothing shown
    assert not held.accesses.filter(kind="view").exists()


def test_a_signed_in_verifier_is_logged_by_account():
    held = LicenseFactory()
    clerk = UserFactory(last_name="赵", first_name="窗口")
    show = showing.check(showing.signed_token(showing.create_show(held, by=held.holder_user)))
    showing.view(show, viewer=clerk, label="综合窗口")
    viewed = held.accesses.get(kind="view")
    assert (viewed.actor, viewed.actor_label) == (clerk, "赵窗口(综合窗口)")


def test_a_single_use_token_works_once():
    held = LicenseFactory()
    signed = showing.signed_token(showing.create_show(held, by=held.holder_user))
    showing.view(showing.check(signed), label="某银行")
    with pytest.raises(showing.TokenGone) as refused:
        showing.check(signed)
    assert refused.value.status == 410
    assert "已被查看过" in refused.value.message


def test_two_racing_scans_of_a_single_use_token_show_it_once():
    held = LicenseFactory()
    signed = showing.signed_token(showing.create_show(held, by=held.holder_user))
    first, second = showing.check(signed), showing.check(signed)
    showing.view(first, label="甲酒店")
    with pytest.raises(showing.TokenGone):
        showing.view(second, label="乙银行")
    assert held.accesses.filter(kind="view").count() == 1


def test_a_time_boxed_token_works_until_it_expires():
    held = LicenseFactory()
    signed = showing.signed_token(
        showing.create_show(held, by=held.holder_user, single_use=False, seconds=600)
    )
    for label in ("甲酒店", "乙银行"):
        showing.view(showing.check(signed), label=label)
    with later(601), pytest.raises(showing.TokenGone) as refused:
        showing.check(signed)
    assert "已过期" in refused.value.message
    assert held.accesses.filter(kind="view").count() == 2


def test_an_expired_token_is_refused():
    held = LicenseFactory()
    signed = showing.signed_token(showing.create_show(held, by=held.holder_user))
    with later(299):
        showing.check(signed)
    with later(300), pytest.raises(showing.TokenGone):
        showing.check(signed)


def test_a_tampered_token_is_refused():
    held = LicenseFactory()
    show = showing.create_show(held, by=held.holder_user)
    signed = showing.signed_token(show)
    forged = signing.Signer(salt="another").sign(show.token_id)
    for bad in (signed[:-1] + ("A" if signed[-1] != "A" else "B"), forged, show.token_id, ""):
        with pytest.raises(showing.TokenInvalid) as refused:
            showing.check(bad)
        assert refused.value.status == 400


def test_a_token_of_a_license_revoked_since_is_refused():
    held = LicenseFactory()
    signed = showing.signed_token(showing.create_show(held, by=held.holder_user))
    License.objects.filter(pk=held.pk).update(status=License.Status.REVOKED)
    with pytest.raises(showing.TokenGone) as refused:
        showing.check(signed)
    assert "已注销" in refused.value.message


def test_scans_are_rate_limited_per_address():
    for _ in range(showing.RATE_PER_IP):
        with pytest.raises(showing.TokenInvalid):
            showing.check("nonsense", ip="10.0.0.1")
    with pytest.raises(RateLimited):
        showing.check("nonsense", ip="10.0.0.1")
    with pytest.raises(showing.TokenInvalid):
        showing.check("nonsense", ip="10.0.0.2")


def test_the_qr_code_is_a_png_drawn_here():
    image = Image.open(io.BytesIO(showing.qr_png("https://example.test/licenses/scan/x:y")))
    assert image.format == "PNG"
    assert image.size[0] == image.size[1] > 100
