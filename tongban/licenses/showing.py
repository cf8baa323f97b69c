"""扫码亮证: the holder shows a license by QR code; a verifier scans it and sees the license.

The holder creates a show token (``create_show``): a ``ShowToken`` row whose ``token_id`` is
signed with ``django.core.signing`` (salt ``SALT``) into the URL the QR code carries,
``/licenses/scan/<signed>``. It works for ``LICENSE_SHOW_SECONDS`` (five minutes by default)
or the time box the holder picks, once (the default) or as often as scanned within the box.
Only a license in force can be shown.

Who may scan: anyone who has the link, as with a paper license handed over a hotel desk.
The token is the holder's consent; nothing is shown without one. A signed-in verifier (a
clerk, a bank's staff on the platform) is recorded by account; anyone else types who they
are (e.g. "某某酒店前台") and is recorded by that label. Each show and each view is a
``LicenseAccess`` (kind show / view) and an audit record, in the holder's access log.

A tampered or malformed token answers 400 (``TokenInvalid``); an expired one, one already
used, or one whose license is no longer in force answers 410 (``TokenGone``): a Chinese
message and nothing of the license. Scans are rate-limited per client address.
"""

import base64
import datetime
import io
import secrets
from dataclasses import dataclass
from http import HTTPStatus

import qrcode
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from tongban.audit import services as audit
from tongban.core import clock, throttle
from tongban.core.pii import mask
from tongban.errors import Conflict, InvalidInput, NotFound, TongbanError
from tongban.identity import access
from tongban.licenses import wallet
from tongban.licenses.models import License, LicenseAccess, ShowToken

SALT = "tongban.licenses.show"
MIN_SECONDS, MAX_SECONDS = 60, 3600
RATE_WINDOW_SECONDS, RATE_PER_IP = 60, 30
LABEL_MAX = 60
Kind = LicenseAccess.Kind


class TokenInvalid(TongbanError):
    code = "show_token_invalid"
    status = HTTPStatus.BAD_REQUEST
    message = "二维码无效或已被篡改,请持证人重新亮证"
    message_en = "This QR code is not valid"


class TokenGone(TongbanError):
    code = "show_token_gone"
    status = HTTPStatus.GONE
    message = "二维码已失效,请持证人重新亮证"
    message_en = "This QR code is no longer valid"


# --- the holder's side ------------------------------------------------------------------


def create_show(
    license: License, *, by, single_use: bool = True, seconds: int | None = None, request=None
) -> ShowToken:
    """A show token for ``license``, working ``seconds`` (default ``LICENSE_SHOW_SECONDS``)."""
    if not access.can(by, "licenses.show", license):
        raise NotFound(*wallet.NOT_FOUND)
    seconds = _checked_seconds(seconds)
    if not wallet.in_force(license):
        raise Conflict(
            f"该证照{wallet.state_label(license)},不能亮证",
            "Only a license in force can be shown",
        )
    now = clock.now()
    with transaction.atomic():
        show = ShowToken.objects.create(
            license=license,
            token_id=secrets.token_urlsafe(16),
            single_use=single_use,
            created_by=by,
            created_at=now,
            expires_at=now + datetime.timedelta(seconds=seconds),
        )
        LicenseAccess.objects.create(
            license=license,
            kind=Kind.SHOW,
            at=now,
            actor=by,
            actor_label=wallet.display_name(by),
            token=show,
            note="一次有效" if single_use else f"{seconds // 60} 分钟内有效",
        )
        audit.record(
            by,
            "licenses.show",
            license,
            changes={"single_use": single_use, "expires_at": show.expires_at},
            request=request,
        )
    return show


def _checked_seconds(seconds) -> int:
    if seconds is None:
        return settings.LICENSE_SHOW_SECONDS
    if not isinstance(seconds, int) or not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise InvalidInput(
            fields={"seconds": ["有效时长为 1 至 60 分钟 / between 60 and 3600 seconds"]}
        )
    return seconds


def signed_token(show: ShowToken) -> str:
    """What the QR code carries: the token id and its signature (``SALT``)."""
    return signing.Signer(salt=SALT).sign(show.token_id)


def scan_path(show: ShowToken) -> str:
    return reverse("licenses:scan", args=[signed_token(show)])


def qr_png(url: str) -> bytes:
    """The QR code of ``url`` as a PNG, drawn here (no outside service)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(url: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(url)).decode("ascii")


# --- the verifier's side ----------------------------------------------------------------


@dataclass(frozen=True)
class Surface:
    """What a verifier sees of a shown license: the holder code masked."""

    identifier: str
    name: str
    type_code: str
    number: str
    holder_name: str
    holder_code: str
    issuer: str
    issued_on: object
    valid_from: object
    valid_to: object
    state: str
    state_label: str
    viewed_at: object
    single_use: bool


def check(signed: str, *, ip: str | None = None) -> ShowToken:
    """The show token ``signed`` names, if it still works; counts against the rate limit."""
    _count(ip)
    try:
        token_id = signing.Signer(salt=SALT).unsign(str(signed or ""))
    except signing.BadSignature as error:
        raise TokenInvalid() from error
    show = (
        ShowToken.objects.select_related("license__license_type", "license__issuer")
        .filter(token_id=token_id)
        .first()
    )
    if show is None:
        raise TokenInvalid()
    _check_usable(show)
    return show


def _check_usable(show: ShowToken) -> None:
    if show.expires_at <= clock.now():
        raise TokenGone("二维码已过期,请持证人重新亮证", "This QR code has expired")
    if show.single_use and show.used_at is not None:
        raise TokenGone(
            "该二维码为一次有效,已被查看过,请持证人重新亮证", "This QR code has been used"
        )
    if not wallet.in_force(show.license):
        raise TokenGone(
            f"该证照{wallet.state_label(show.license)},不能查看", "The license is not in force"
        )


def view(show: ShowToken, *, viewer=None, label: str = "", request=None) -> Surface:
    """Show the license to a verifier and log it: ``viewer`` (a signed-in account) or the
    ``label`` an anonymous verifier typed. A single-use token is spent here, exactly once
    even when two scans race."""
    label = _checked_label(viewer, label)
    now = clock.now()
    with transaction.atomic():
        if show.single_use:
            spent = ShowToken.objects.filter(pk=show.pk, used_at__isnull=True).update(used_at=now)
            if not spent:
                raise TokenGone(
                    "该二维码为一次有效,已被查看过,请持证人重新亮证",
                    "This QR code has been used",
                )
            show.used_at = now
        LicenseAccess.objects.create(
            license=show.license,
            kind=Kind.VIEW,
            at=now,
            actor=viewer,
            actor_label=label,
            token=show,
        )
        audit.record(
            viewer,
            "licenses.view",
            show.license,
            changes={"verifier": label, "token": show.pk},
            request=request,
        )
    return surface(show, viewed_at=now)


def _checked_label(viewer, label: str) -> str:
    label = " ".join(str(label or "").split())
    if viewer is not None:
        return wallet.display_name(viewer) + (f"({label[:LABEL_MAX]})" if label else "")
    if not 2 <= len(label) <= LABEL_MAX:
        raise InvalidInput(
            fields={
                "verifier": [
                    "请填写查看单位或人员,如“某某酒店前台”(2 至 60 个字)"
                    " / say who is viewing (2 to 60 characters)"
                ]
            }
        )
    return label


def surface(show: ShowToken, *, viewed_at) -> Surface:
    license = show.license
    return Surface(
        identifier=license.identifier,
        name=license.license_type.name,
        type_code=license.license_type.code,
        number=license.number,
        holder_name=license.holder_name,
        holder_code=mask(license.holder_code, "id_number"),
        issuer=license.issuer.name,
        issued_on=license.issued_on,
        valid_from=license.valid_from,
        valid_to=license.valid_to,
        state=wallet.state(license),
        state_label=wallet.state_label(license),
        viewed_at=viewed_at,
        single_use=show.single_use,
    )


def _count(ip: str | None) -> None:
    """Fixed windows per client address in the shared cache."""
    throttle.count(
        "licenses:scan",
        ip or "",
        allowed=RATE_PER_IP,
        window_seconds=RATE_WINDOW_SECONDS,
        message="扫码查看过于频繁,请稍后再试",
        message_en="Too many scans, try again later",
    )
